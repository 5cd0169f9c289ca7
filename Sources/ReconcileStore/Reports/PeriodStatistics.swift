import Foundation
import GRDB
import ReconcileCore

/// What the quarterly report counts of the partner's work with one council area's consented cases over a
/// period [start, end): signposts made (by need, and by their outcome now), listening sessions held on a day
/// within it, safeguarding escalations made (by route, and by their outcome now), cases reopened.
public struct ActivityCounts: Sendable, Equatable {
    public var signpostsByNeed: [String: Int] = [:], signpostsByOutcome: [String: Int] = [:]
    public var listeningSessions = 0, safeguardingEscalations = 0
    /// Escalations made in the period by route (one may take several) and by outcome so far.
    public var safeguardingByRoute: [String: Int] = [:], safeguardingByOutcome: [String: Int] = [:]
    /// Reopenings of closed cases in the period (a case reopened twice counts twice).
    public var reopened = 0
    /// Offers of help made in the period, by channel (letters and leaflets, not people).
    public var offersByChannel: [String: Int] = [:]
    /// Coded experience themes first tagged in the period, and the cases so tagged.
    public var experienceThemes: [String: Int] = [:], casesTagged = 0
    /// Family feedback given in the period: by question, each score "1"…"5" or `not_answered`; and how many responses.
    public var feedbackByQuestion: [FeedbackQuestion: [String: Int]] = [:], feedbackResponses = 0
    /// Complaints and compliments received in the period, by kind; complaints by time to respond so far.
    public var complaintsByKind: [String: Int] = [:], complaintsByResponseTime: [String: Int] = [:]
    /// Meetings the families asked for in the period: how many, with whom, their outcome so far, and for those held
    /// whether it helped (`"1"`…`"5"` or `not_answered`).
    public var meetingsRequested = 0
    /// Statements in families' own words offered in the period.
    public var voicesOffered = 0
    public var meetingsByParty: [String: Int] = [:], meetingsByOutcome: [String: Int] = [:], meetingHelped: [String: Int] = [:]
}

/// Everything a report counts for one council area and period, read from the plain statistical columns in one
/// read transaction, so the tables describe one moment (nothing is decrypted).
public struct PeriodStatistics: Sendable, Equatable {
    public let referrals: ReferralCounts
    public let firstAssessments: FirstAssessmentCounts
    public let activity: ActivityCounts
    public let acknowledgements: [AcknowledgementTimes]
}

extension AppDatabase {
    static func activityCounts(_ db: Database, councilArea area: String, start: Date, end: Date) throws -> ActivityCounts {
        let window: StatementArguments = [area, start, end]
        // `CROSS JOIN` keeps SQLite's join order: the activity row first, then its case by primary key. Without
        // statistics SQLite otherwise walks every case of the area and probes for its rows, a whole extra pass
        // over the area's cases per query (~2.5 s each at 1,000,000 cases, Benchmarks (d)).
        let consented = "c.council_area = ? AND c.consent_statistics = 1"
        var counts = ActivityCounts()
        let signposts = """
            FROM signpost s CROSS JOIN referral_case c ON c.id = s.case_id
            WHERE \(consented) AND s.created_at >= ? AND s.created_at < ?
            """
        counts.signpostsByNeed = try grouped(db, sql: "SELECT s.need, COUNT(*) \(signposts) GROUP BY 1", arguments: window)
        counts.signpostsByOutcome = try grouped(db, sql: "SELECT s.outcome, COUNT(*) \(signposts) GROUP BY 1", arguments: window)
        // Session days are London dates, so the period's boundaries are too.
        counts.listeningSessions = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM listening_session l CROSS JOIN referral_case c ON c.id = l.case_id
            WHERE \(consented) AND l.held_on >= ? AND l.held_on < ?
            """, arguments: [area, WorkingDays.londonDate(start), WorkingDays.londonDate(end)]) ?? 0
        counts.safeguardingEscalations = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM safeguarding_escalation e CROSS JOIN referral_case c ON c.id = e.case_id
            WHERE \(consented) AND e.escalated_at >= ? AND e.escalated_at < ?
            """, arguments: window) ?? 0
        let escalations = """
            FROM safeguarding_escalation e CROSS JOIN referral_case c ON c.id = e.case_id
            WHERE \(consented) AND e.escalated_at >= ? AND e.escalated_at < ?
            """
        let routes = SafeguardingRoute.allCases
        if let row = try Row.fetchOne(db, sql: "SELECT " + routes.map { "SUM(e.routes_bits & \($0.answerBit) != 0)" }.joined(separator: ", ")
                                      + " \(escalations)", arguments: window) {
            for (i, route) in routes.enumerated() { counts.safeguardingByRoute[route.rawValue] = (try row.value(at: i, as: Int?.self)) ?? 0 }
        }
        counts.safeguardingByOutcome = try grouped(db, sql: "SELECT e.outcome, COUNT(*) \(escalations) GROUP BY 1", arguments: window)
        counts.reopened = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM case_event v CROSS JOIN referral_case c ON c.id = v.case_id
            WHERE \(consented) AND v.action = 'reopen' AND v.at >= ? AND v.at < ?
            """, arguments: window) ?? 0
        counts.offersByChannel = try offersByChannel(db, councilArea: area, start: start, end: end)
        (counts.experienceThemes, counts.casesTagged) = try themeCounts(db, councilArea: area, start: start, end: end)
        (counts.feedbackByQuestion, counts.feedbackResponses) = try feedbackCounts(db, councilArea: area, start: start, end: end)
        (counts.complaintsByKind, counts.complaintsByResponseTime) = try complaintCounts(db, councilArea: area, start: start, end: end)
        try meetingCounts(db, councilArea: area, start: start, end: end, into: &counts)
        counts.voicesOffered = try voicesOffered(db, councilArea: area, start: start, end: end)
        return counts
    }

    /// `SELECT code, COUNT(*) … GROUP BY 1` as code → count.
    fileprivate static func grouped(_ db: Database, sql: String, arguments: StatementArguments) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            guard let key = (try row.value(at: 0, as: String?.self)) else { continue }
            result[key, default: 0] += try row.value(at: 1, as: Int.self)
        }
        return result
    }
}

extension ReportStore {
    /// The counts behind a report for `councilArea` over [start, end) (see `PeriodStatistics`).
    public func periodStatistics(councilArea area: String, start: Date, end: Date) async throws -> PeriodStatistics {
        try await reader.read { db in
            let cases = try AppDatabase.caseCounts(db, councilArea: area, start: start, end: end)
            return PeriodStatistics(referrals: cases.referrals,
                                    firstAssessments: try AppDatabase.firstAssessmentCounts(db, councilArea: area, start: start, end: end),
                                    activity: try AppDatabase.activityCounts(db, councilArea: area, start: start, end: end),
                                    acknowledgements: cases.acknowledgements)
        }
    }
}
