import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileReports
@testable import ReconcileStore

/// Random referrals, worked at random moments around a quarter (including the clock change at the end of
/// March), counted by the report's one-pass SQL and by plain Swift over what was made: the two must agree.
@Suite struct ReferralCountsPropertyTests {
    typealias H = ReportHarness
    static let q1 = Quarter("2025-Q1")!

    /// One made case, as the naive count sees it.
    struct Made {
        var area: String, consent: Bool, received: Date
        var role: ReferrerRole, setting: ReconcileCore.Setting, when: HowLongAgo
        var harm: [Harm], told: [ToldBefore], wishes: [Wish]
        // nil is "not recorded" in the report; the equalities answers only with consent.
        var involvement: Involvement = .preferNotToSay, age: AgeBand? = nil, heard: HeardFrom? = nil
        var pattern: [IncidentPattern] = [], channel: ReferralChannel = .web, sex: ChildSex? = nil, send: SpecialNeeds? = nil
        var language: FamilyLanguage? = nil
        var acknowledged: Date?, closed: (Date, CloseReason)?
        var assessments: [(Date, LevelOfNeed, [Need])] = [], sessions: [String] = []
    }

    @Test(arguments: 1...12) func oneSQLPassEqualsANaiveCount(seed: UInt64) async throws {
        var random = DisclosureSplitMix64(seed: seed)
        let h = try H()
        let start = H.date("2025-03-25T00:00:00Z").timeIntervalSince1970, span = 110.0 * 86400
        var made: [Made] = []
        for _ in 0..<30 {
            let received = Date(timeIntervalSince1970: (start + Double.random(in: 0..<span, using: &random)).rounded(.down)
                                + Double(Int.random(in: 0..<1000, using: &random)) / 1000)
            var m = Made(area: Bool.random(using: &random) ? "shropshire" : "herefordshire",
                         consent: Int.random(in: 0..<5, using: &random) > 0, received: received,
                         role: ReferrerRole.allCases.randomElement(using: &random)!,
                         setting: ReconcileCore.Setting.allCases.randomElement(using: &random)!,
                         when: HowLongAgo.allCases.randomElement(using: &random)!,
                         harm: Self.some(Harm.self, &random), told: Self.some(ToldBefore.self, &random),
                         wishes: Self.some(Wish.self, &random))
            func maybe<T: FixedList>(_: T.Type) -> T? { Bool.random(using: &random) ? T.allCases.randomElement(using: &random)! : nil }
            m.involvement = Involvement.allCases.randomElement(using: &random)!
            m.age = maybe(AgeBand.self)
            m.heard = maybe(HeardFrom.self)
            m.pattern = Bool.random(using: &random) ? Self.some(IncidentPattern.self, &random) : []
            m.channel = ReferralChannel.allCases.randomElement(using: &random)!
            m.sex = maybe(ChildSex.self)
            m.send = maybe(SpecialNeeds.self)
            m.language = maybe(FamilyLanguage.self)
            var referral = Referral(contact: ContactDetails(name: "Test Person", email: "test@example.invalid", phone: nil, address: nil,
                                                            preference: .email, safeToLeaveMessage: false),
                                    story: nil, councilArea: m.area, referrerRole: m.role, setting: m.setting, harm: m.harm,
                                    howLongAgo: m.when, toldBefore: m.told, wishes: m.wishes, consentToStatistics: m.consent)
            (referral.involvement, referral.ageBand, referral.heardFrom) = (m.involvement, m.age, m.heard)
            (referral.pattern, referral.channel, referral.childSex, referral.specialNeeds) = (m.pattern, m.channel, m.sex, m.send)
            referral.language = m.language
            let id = try await h.stores.intake.createCase(referral, reference: H.reference(), passphraseHash: "h", receivedAt: received).id
            var now = received
            func later(_ hours: ClosedRange<Double>) -> Date {
                now = now.addingTimeInterval(Double.random(in: hours, using: &random) * 3600)
                return now
            }
            if Int.random(in: 0..<4, using: &random) > 0 {
                let at = later(0.01...150)
                _ = try await h.stores.cases.acknowledge(caseID: id, method: .phone, note: nil, by: h.lead, now: at)
                m.acknowledged = at
                if Bool.random(using: &random) {
                    let at = later(1...300)
                    let day = ReportAggregation.londonDate(at)
                    _ = try await h.stores.cases.recordListeningSession(caseID: id, heldOn: day, durationMinutes: 30, modality: .phone, note: nil,
                                                              by: h.lead, now: at)
                    m.sessions.append(day)
                    for _ in 0..<Int.random(in: 0...2, using: &random) {
                        let at = later(1...500), level = LevelOfNeed.allCases.randomElement(using: &random)!
                        let needs = Self.some(Need.self, &random)
                        _ = try await h.stores.cases.recordAssessment(caseID: id, level: level, needs: needs, note: nil, by: h.lead, now: at)
                        m.assessments.append((at, level, needs))
                    }
                }
            }
            if Bool.random(using: &random) {
                let at = later(1...900), reason = CloseReason.allCases.filter { $0 != .completed }.randomElement(using: &random)!  // completed needs a signpost
                try await h.stores.cases.close(caseID: id, reason: reason, note: nil, by: h.lead, now: at)
                m.closed = (at, reason)
            }
            made.append(m)
        }

        let settings = Settings()
        let startDate = Self.q1.start(startMonth: settings.reporting.quarterStartMonth), end = Self.q1.end(startMonth: settings.reporting.quarterStartMonth)
        let workingDays = settings.workflow.acknowledgementWorkingDays
        let counted = try await ReportAggregation.counts(h.stores.reports, councilArea: "shropshire", start: startDate, end: end,
                                                         acknowledgementWorkingDays: workingDays)
        let expected = Self.naive(made, area: "shropshire", start: startDate, end: end, workingDays: workingDays)
        #expect(counted.referralsReceived == expected.referralsReceived, "seed \(seed)")
        #expect(counted.notConsented == expected.notConsented, "seed \(seed)")
        #expect(counted.openCasesAtEnd == expected.openCasesAtEnd, "seed \(seed)")
        #expect(counted.listeningSessions == expected.listeningSessions, "seed \(seed)")
        #expect(counted.acknowledgementDays.sorted() == expected.acknowledgementDays.sorted(), "seed \(seed)")
        #expect(counted.acknowledgedWithinTarget == expected.acknowledgedWithinTarget, "seed \(seed)")
        for table in expected.tables {
            let got = try #require(counted.table(table.name))
            #expect(got.counts == table.counts, "seed \(seed): \(table.name)")
            #expect(got.total == table.total, "seed \(seed): \(table.name) total")
        }
        // Tables that are not about referrals (their own suites count them).
        let elsewhere = ["signposts", "safeguarding", "offers", "experience", "feedback", "complaints", "meeting"]
        let referralTables = Set(counted.tables.map(\.name).filter { name in !elsewhere.contains { name.hasPrefix($0) } })
        #expect(referralTables == Set(expected.tables.map(\.name)))
    }

    /// The counts, by walking the made cases one by one with Foundation's calendar.
    static func naive(_ made: [Made], area: String, start: Date, end: Date, workingDays: Int) -> ReportCounts {
        var c = ReportCounts()
        let inArea = made.filter { $0.area == area }, consented = inArea.filter(\.consent)
        let received = consented.filter { $0.received >= start && $0.received < end }
        c.referralsReceived = received.count
        c.notConsented = inArea.filter { !$0.consent && $0.received >= start && $0.received < end }.count
        c.openCasesAtEnd = consented.filter { $0.received < end && ($0.closed.map { $0.0 >= end } ?? true) }.count
        let (from, to) = (ReportAggregation.londonDate(start), ReportAggregation.londonDate(end))
        c.listeningSessions = consented.flatMap(\.sessions).filter { $0 >= from && $0 < to }.count
        var london = Calendar(identifier: .gregorian)
        london.timeZone = WorkingDays.timeZone
        for m in consented {
            guard let at = m.acknowledged, at >= start, at < end else { continue }
            c.acknowledgementDays.append(max(0, london.dateComponents([.day], from: london.startOfDay(for: m.received),
                                                                      to: london.startOfDay(for: at)).day!))
            if at < WorkingDays.deadline(receivedAt: m.received, workingDays: workingDays) { c.acknowledgedWithinTarget += 1 }
        }
        func table<T: FixedList>(_ name: String, _ answers: (Made) -> [T], of cases: [Made], total: Int? = nil) -> CountTable {
            var counts: [String: Int] = [:]
            for m in cases { for answer in Set(answers(m)) { counts[answer.rawValue, default: 0] += 1 } }
            return CountTable(name: name, categories: T.allCases.map(\.rawValue), counts: counts,
                              total: total ?? counts.values.reduce(0, +), additive: total == nil)
        }
        /// A single-select question that may be unanswered: nil counts as "not recorded".
        func optional<T: FixedList>(_ name: String, _ answer: (Made) -> T?) -> CountTable {
            var counts: [String: Int] = [:]
            for m in received { counts[answer(m)?.rawValue ?? IntakeTables.notRecorded, default: 0] += 1 }
            return CountTable(name: name, categories: [], counts: counts, total: received.count, additive: true)
        }
        let first = consented.compactMap { m in m.assessments.min { $0.0 < $1.0 }.flatMap { $0.0 >= start && $0.0 < end ? $0 : nil } }
        var levels: [String: Int] = [:], needs: [String: Int] = [:]
        for (_, level, chosen) in first {
            levels[String(level.rawValue), default: 0] += 1
            for need in Set(chosen) { needs[need.rawValue, default: 0] += 1 }
        }
        var closures: [String: Int] = [:]
        for m in consented { if case let (at, reason)? = m.closed, at >= start, at < end { closures[reason.rawValue, default: 0] += 1 } }
        c.tables = [
            table(ReportTables.referrerRole, { [$0.role] }, of: received),
            table(ReportTables.setting, { [$0.setting] }, of: received),
            table(ReportTables.harm, \.harm, of: received, total: received.count),
            table(ReportTables.when, { [$0.when] }, of: received),
            table(ReportTables.toldBefore, \.told, of: received, total: received.count),
            table(ReportTables.wishes, \.wishes, of: received, total: received.count),
            optional(ReportTables.involvement) { $0.involvement },
            optional(ReportTables.ageBand) { $0.age },
            optional(ReportTables.heardFrom) { $0.heard },
            optional(ReportTables.language) { $0.language },
            table(ReportTables.pattern, \.pattern, of: received, total: received.count),
            table(ReportTables.channel, { [$0.channel] }, of: received),
            optional(ReportTables.childSex) { $0.sex },
            optional(ReportTables.send) { $0.send },
            CountTable(name: ReportTables.levelOfNeed, categories: [], counts: levels, total: first.count, additive: true),
            CountTable(name: ReportTables.needs, categories: [], counts: needs, total: first.count, additive: false),
            CountTable(name: ReportTables.closures, categories: [], counts: closures, total: closures.values.reduce(0, +), additive: true),
        ]
        return c
    }

    /// One to three distinct answers, sometimes with one repeated (the store must count it once).
    static func some<T: FixedList>(_: T.Type, _ random: inout DisclosureSplitMix64) -> [T] {
        var answers = Array(T.allCases.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
        if Int.random(in: 0..<6, using: &random) == 0 { answers.append(answers[0]) }
        return answers
    }
}
