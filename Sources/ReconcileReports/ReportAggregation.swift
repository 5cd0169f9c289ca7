import Foundation
import ReconcileCore
import ReconcileStore

// The raw counts behind a quarterly report (SPEC "Quarterly feedback to the council"), before disclosure
// control. The store reads them from the plain statistical columns (`AppDatabase.periodStatistics`, in
// ReconcileStore/Reports); nothing is decrypted. Only cases whose
// family consented to anonymised statistics are counted, except in `notConsented`, which counts the others.
// Erased cases keep their statistical columns and are counted like any other.
//
// A period is [start, end): a quarter, or the financial year so far for a year-to-date report.
// - referrals: received in the period (by role, setting, when; multi-select harm, told before, wishes);
// - level of need and needs identified: each case's FIRST assessment, counted in the period it was made in
//   (a revised assessment later does not count the case again, so quarters add up to the year);
// - signposts: made in the period, by need and by their outcome now;
// - listening sessions: held on a day within the period;
// - acknowledgement: cases acknowledged in the period; calendar days from received to acknowledged (London
//   dates), and whether it was before the working-day deadline (`WorkingDays.deadline`);
// - closures: closed in the period, by reason; safeguarding: escalations made in the period;
// - open at end: received before the period's end and not closed before it.

/// One table of counts before disclosure control: every category of its fixed list, in list order.
public struct CountTable: Sendable, Equatable {
    public let name: String
    public let categories: [String]
    public let counts: [String: Int]
    public let total: Int
    /// False for multi-select questions: a referral may count in several categories, so the categories do not
    /// add up to the total (which is the number of referrals, or of cases assessed).
    public let additive: Bool

    public func count(_ category: String) -> Int { counts[category] ?? 0 }
}

/// The raw counts for one council area and period.
public struct ReportCounts: Sendable, Equatable {
    public var referralsReceived = 0
    public var notConsented = 0
    /// Referrals a lead closed as a duplicate of the family's other referral (left out of every referral count).
    public var duplicateReferrals = 0
    public var listeningSessions = 0
    public var safeguardingEscalations = 0
    /// Closed cases reopened in the period ("reopens are counted").
    public var casesReopened = 0
    public var openCasesAtEnd = 0
    /// Statements in families' own words offered in the period (by families who agreed to statistics).
    public var voicesOffered = 0
    /// Calendar days from received to acknowledged, one entry per case acknowledged in the period.
    public var acknowledgementDays: [Int] = []
    /// How many of those were acknowledged before their working-day deadline.
    public var acknowledgedWithinTarget = 0
    public var tables: [CountTable] = []

    public init() {}

    public func table(_ name: String) -> CountTable? { tables.first { $0.name == name } }

    /// The headline figures that are counts, by name (`ReportBuilder.countFigures`).
    public var headlineCounts: [String: Int] {
        ["referrals_received": referralsReceived, "duplicate_referrals": duplicateReferrals, "not_consented_to_statistics": notConsented,
         "listening_sessions": listeningSessions, "safeguarding_escalations": safeguardingEscalations,
         "open_cases_at_end": openCasesAtEnd, "cases_reopened": casesReopened, "voices_offered": voicesOffered]
    }

    /// The median of `acknowledgementDays` (the mean of the middle two for an even count); nil when empty.
    public var medianDaysToAcknowledge: Double? {
        guard !acknowledgementDays.isEmpty else { return nil }
        let sorted = acknowledgementDays.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return Double(sorted[middle]) }
        return Double(sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// The tables of a report, their fixed category lists, and their order on the page.
public enum ReportTables {
    public static let referrerRole = "referrals_by_referrer_role", setting = "referrals_by_setting"
    public static let harm = "referrals_by_harm", when = "referrals_by_when", toldBefore = "referrals_by_told_before"
    public static let wishes = "referrals_by_wishes", levelOfNeed = "level_of_need", needs = "needs_identified"
    public static let signpostsByNeed = "signposts_by_need", signpostsByOutcome = "signposts_by_outcome"
    public static let closures = "closures_by_reason"
    // The intake questions.
    public static let involvement = "referrals_by_involvement", ageBand = "referrals_by_age_band"
    public static let heardFrom = "referrals_by_heard_from", pattern = "referrals_by_pattern"
    public static let channel = "referrals_by_channel", childSex = "referrals_by_child_sex", send = "referrals_by_send"
    /// the language each referral was made in.
    public static let language = "referrals_by_language"
    // Safeguarding in full: escalations made in the period.
    public static let safeguardingByRoute = "safeguarding_by_route", safeguardingByOutcome = "safeguarding_by_outcome"
    /// offers of help made, by channel. Counts of letters and leaflets, not of people, so shown as they are.
    public static let offersByChannel = "offers_by_channel"
    public static let notAboutPeople: Set<String> = [offersByChannel]
    /// Coded experience themes: cases first tagged in the period, by theme (more than one per case).
    public static let experienceThemes = "experience_themes"
    /// Family feedback given in the period, one table per question: each score, or not answered. They share one
    /// total, the responses given (not every referral answers, so not the referrals total).
    public static let feedbackListenedTo = FeedbackQuestion.listenedTo.table, feedbackBelieved = FeedbackQuestion.believed.table
    public static let feedbackHelpWasRight = FeedbackQuestion.helpWasRight.table
    public static let feedbackTables: [String] = FeedbackQuestion.allCases.map(\.table)
    /// Complaints and compliments received in the period, and those complaints by time to respond so far (its
    /// total is the complaints cell of the first; in a year to date a snapshot, as signposts by outcome).
    public static let complaintsByKind = "complaints_by_kind", complaintsByResponseTime = "complaints_by_response_time"
    /// Meetings the families asked for in the period, with whom and their outcome so far (one total of their own), and
    /// for those held whether it helped (its total is the held cell; in a year to date both are snapshots).
    public static let meetingsByParty = "meetings_by_party", meetingsByOutcome = "meetings_by_outcome", meetingHelped = "meeting_helped"

    /// In the order pages and CSV list them.
    public static let order: [String] = [
        referrerRole, involvement, ageBand, setting, harm, pattern, when, toldBefore, wishes, heardFrom, channel, language,
        childSex, send, levelOfNeed, needs, signpostsByNeed, signpostsByOutcome, safeguardingByRoute, safeguardingByOutcome,
        closures, experienceThemes, feedbackListenedTo, feedbackBelieved, feedbackHelpWasRight, complaintsByKind,
        complaintsByResponseTime, meetingsByParty, meetingsByOutcome, meetingHelped, offersByChannel,
    ]

    /// Tables over the referrals received (they share its total).
    public static let referralTables: [String] = [
        referrerRole, involvement, ageBand, setting, harm, pattern, when, toldBefore, wishes, heardFrom, channel, language, childSex, send,
    ]

    public static func categories(_ table: String) -> [String] {
        switch table {
        case referrerRole: ReferrerRole.allCases.map(\.rawValue)
        case setting: ReconcileCore.Setting.allCases.map(\.rawValue)
        case harm: Harm.allCases.map(\.rawValue)
        case when: HowLongAgo.allCases.map(\.rawValue)
        case toldBefore: ToldBefore.allCases.map(\.rawValue)
        case wishes: Wish.allCases.map(\.rawValue)
        case levelOfNeed: LevelOfNeed.allCases.map { String($0.rawValue) }
        case needs, signpostsByNeed: Need.allCases.map(\.rawValue)
        case signpostsByOutcome: SignpostOutcome.allCases.map(\.rawValue)
        case closures: CloseReason.allCases.map(\.rawValue)
        case involvement: Involvement.allCases.map(\.rawValue) + [IntakeTables.notRecorded]
        case ageBand: AgeBand.allCases.map(\.rawValue) + [IntakeTables.notRecorded]
        case heardFrom: HeardFrom.allCases.map(\.rawValue) + [IntakeTables.notRecorded]
        case pattern: IncidentPattern.allCases.map(\.rawValue)
        case channel: ReferralChannel.allCases.map(\.rawValue)
        case language: FamilyLanguage.allCases.map(\.rawValue) + [IntakeTables.notRecorded]
        case childSex: ChildSex.allCases.map(\.rawValue) + [IntakeTables.notRecorded]
        case send: SpecialNeeds.allCases.map(\.rawValue) + [IntakeTables.notRecorded]
        case safeguardingByRoute: SafeguardingRoute.allCases.map(\.rawValue)
        case safeguardingByOutcome: SafeguardingOutcome.allCases.map(\.rawValue)
        case offersByChannel: OfferChannel.allCases.map(\.rawValue)
        case experienceThemes: ExperienceTheme.allCases.map(\.rawValue)
        case _ where feedbackTables.contains(table): FeedbackScore.categories
        case complaintsByKind: ComplaintKind.allCases.map(\.rawValue)
        case complaintsByResponseTime: ComplaintResponseBand.allCases.map(\.rawValue)
        case meetingsByParty: MeetingParty.allCases.map(\.rawValue)
        case meetingsByOutcome: MeetingOutcome.allCases.map(\.rawValue)
        case meetingHelped: MeetingHelped.categories
        default: []
        }
    }

    /// Multi-select tables, whose categories do not sum to the total.
    public static let nonAdditive: Set<String> = [harm, toldBefore, wishes, needs, pattern, safeguardingByRoute, experienceThemes]

    /// Multi-select tables whose question may be left unanswered: no cell exceeds the total, but the cells may
    /// add up to less than it.
    public static let optionalMultiSelect: Set<String> = [pattern]

    /// A heading in plain words, from the word catalogue.
    public static func title(_ table: String) -> String { WordCatalogue.standard.table(table) }

    /// A category in plain words from the word catalogue ("parent_or_carer" → "Parent or carer"), without an
    /// area's own words for the levels of need (`ReportWords` has those).
    public static func label(table: String, category: String) -> String {
        WordCatalogue.standard.category(table: table, code: category)
    }
}

public enum ReportAggregation {
    /// Counts for `councilArea` over [start, end): the store reads the statistical columns in one transaction
    /// (`ReportStore.periodStatistics`), and the tables and acknowledgement days are made from them off the
    /// cooperative threads (a year's acknowledgements can run to a million).
    public static func counts(_ reports: ReportStore, councilArea area: String, start: Date, end: Date,
                              acknowledgementWorkingDays: Int) async throws -> ReportCounts {
        let statistics = try await reports.periodStatistics(councilArea: area, start: start, end: end)
        return try await ReportBuilder.offload { counts(statistics, acknowledgementWorkingDays: acknowledgementWorkingDays) }
    }

    /// The report's counts from what the store read.
    public static func counts(_ statistics: PeriodStatistics, acknowledgementWorkingDays: Int) -> ReportCounts {
        var counts = ReportCounts()
        let referrals = statistics.referrals
        counts.referralsReceived = referrals.received
        counts.notConsented = referrals.notConsented
        counts.duplicateReferrals = referrals.closedAsDuplicates
        counts.openCasesAtEnd = referrals.openAtEnd

        var tables: [CountTable] = []
        func add(_ name: String, _ values: [String: Int], total: Int? = nil) {
            let categories = ReportTables.categories(name)
            let known = values.filter { categories.contains($0.key) && $0.value != 0 }
            let additive = !ReportTables.nonAdditive.contains(name)
            tables.append(CountTable(name: name, categories: categories, counts: known,
                                     total: total ?? known.values.reduce(0, +), additive: additive))
        }
        add(ReportTables.referrerRole, referrals.byReferrerRole)
        add(ReportTables.setting, referrals.bySetting)
        add(ReportTables.harm, referrals.byHarm, total: referrals.received)
        add(ReportTables.when, referrals.byWhen)
        add(ReportTables.toldBefore, referrals.byToldBefore, total: referrals.received)
        add(ReportTables.wishes, referrals.byWishes, total: referrals.received)
        add(ReportTables.involvement, referrals.byInvolvement)
        add(ReportTables.ageBand, referrals.byAgeBand)
        add(ReportTables.heardFrom, referrals.byHeardFrom)
        add(ReportTables.pattern, referrals.byPattern, total: referrals.received)
        add(ReportTables.channel, referrals.byChannel)
        add(ReportTables.language, referrals.byLanguage)
        add(ReportTables.childSex, referrals.byChildSex)
        add(ReportTables.send, referrals.bySpecialNeeds)

        let assessments = statistics.firstAssessments
        add(ReportTables.levelOfNeed, assessments.byLevel)
        add(ReportTables.needs, assessments.byNeed, total: assessments.assessed)

        let activity = statistics.activity
        add(ReportTables.signpostsByNeed, activity.signpostsByNeed)
        add(ReportTables.signpostsByOutcome, activity.signpostsByOutcome)
        add(ReportTables.safeguardingByRoute, activity.safeguardingByRoute, total: activity.safeguardingEscalations)
        add(ReportTables.safeguardingByOutcome, activity.safeguardingByOutcome)
        add(ReportTables.closures, referrals.closedByReason)
        add(ReportTables.experienceThemes, activity.experienceThemes, total: activity.casesTagged)
        for question in FeedbackQuestion.allCases {
            add(question.table, activity.feedbackByQuestion[question] ?? [:], total: activity.feedbackResponses)
        }
        add(ReportTables.complaintsByKind, activity.complaintsByKind)
        add(ReportTables.complaintsByResponseTime, activity.complaintsByResponseTime)
        add(ReportTables.meetingsByParty, activity.meetingsByParty, total: activity.meetingsRequested)
        add(ReportTables.meetingsByOutcome, activity.meetingsByOutcome, total: activity.meetingsRequested)
        add(ReportTables.meetingHelped, activity.meetingHelped, total: activity.meetingsByOutcome[MeetingOutcome.held.rawValue] ?? 0)
        add(ReportTables.offersByChannel, activity.offersByChannel)
        // In the page's order (the document, CSV and HTML all list them so).
        let position = { (name: String) in ReportTables.order.firstIndex(of: name) ?? ReportTables.order.count }
        counts.tables = tables.sorted { position($0.name) < position($1.name) }
        counts.listeningSessions = activity.listeningSessions
        counts.safeguardingEscalations = activity.safeguardingEscalations
        counts.casesReopened = activity.reopened
        counts.voicesOffered = activity.voicesOffered

        // Time to acknowledgement.
        var days = LondonDays(workingDays: acknowledgementWorkingDays)
        for times in statistics.acknowledgements {
            let received = days.day(times.received)
            counts.acknowledgementDays.append(max(0, days.day(times.acknowledged) - received))
            if times.acknowledged < days.deadline(receivedOn: received, at: times.received) { counts.acknowledgedWithinTarget += 1 }
        }
        return counts
    }

    /// London calendar days and acknowledgement deadlines, cached: London's midnights fall on whole UTC hours
    /// (it is UTC or UTC+1, changing at 01:00 UTC), so every instant of one UTC hour is on the same London day,
    /// and a deadline depends only on the day received. A million acknowledgements then cost a few thousand
    /// calendar computations instead of two million.
    struct LondonDays {
        let workingDays: Int
        private var dayOfHour: [Int64: Int] = [:], deadlineOfDay: [Int: Int64] = [:]

        init(workingDays: Int) { self.workingDays = workingDays }

        /// A number for the London day containing `seconds` (since 1970): consecutive days differ by one.
        mutating func day(_ seconds: Int64) -> Int {
            let hour = seconds >= 0 ? seconds / 3600 : (seconds - 3599) / 3600
            if let day = dayOfHour[hour] { return day }
            let instant = Date(timeIntervalSince1970: TimeInterval(hour * 3600))
            let offset = Int64(WorkingDays.timeZone.secondsFromGMT(for: instant))
            let local = hour * 3600 + offset
            let day = Int(local >= 0 ? local / 86400 : (local - 86399) / 86400)
            dayOfHour[hour] = day
            return day
        }

        /// `WorkingDays.deadline` in whole seconds for a case received at `seconds`, on London day `day`.
        mutating func deadline(receivedOn day: Int, at seconds: Int64) -> Int64 {
            if let deadline = deadlineOfDay[day] { return deadline }
            let deadline = WorkingDays.deadline(receivedAt: Date(timeIntervalSince1970: TimeInterval(seconds)), workingDays: workingDays)
            let whole = Int64(deadline.timeIntervalSince1970.rounded(.down))
            deadlineOfDay[day] = whole
            return whole
        }
    }

    /// `YYYY-MM-DD` of the London day containing `date`.
    static func londonDate(_ date: Date) -> String { WorkingDays.londonDate(date) }
}
