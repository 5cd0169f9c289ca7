import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileReports
@testable import ReconcileStore

/// A database made by the migrations before v9 (multi-select answers as JSON only), with rows, migrated:
/// the report must count exactly what the JSON-walking report counted before, and each bit set must be what
/// today's code would have written for that JSON.
@Suite struct AnswerBitsMigrationTests {
    static let q1 = Quarter("2025-Q1")!

    @Test func migratingOldRowsKeepsEveryCount() async throws {
        let queue = try DatabaseQueue(configuration: AppDatabase.configuration())
        try AppDatabase.migrator.migrate(queue, upTo: "v8-case-list-index")
        var random = DisclosureSplitMix64(seed: 15)
        // Repeated and retired (unknown) codes as well: old rows may hold either; neither may count twice or at all.
        func some<T: FixedList>(_: T.Type) -> String {
            var codes = Array(T.allCases.map(\.rawValue).shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)))
            if Int.random(in: 0..<5, using: &random) == 0, let first = codes.first { codes.append(first) }
            if Int.random(in: 0..<8, using: &random) == 0 { codes.append("retired_code") }
            return "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        }
        let start = ReportHarness.date("2025-03-01T00:00:00Z").timeIntervalSince1970
        var cases: [OldCase] = []
        for n in 0..<300 {
            let received = Date(timeIntervalSince1970: start + Double.random(in: 0..<(150 * 86400), using: &random))
            cases.append(OldCase(
                id: "case-\(n)", reference: String(format: "RS-AAAA-%04d", n), area: n % 3 == 0 ? "herefordshire" : "shropshire",
                role: ReferrerRole.allCases.randomElement(using: &random)!.rawValue,
                setting: ReconcileCore.Setting.allCases.randomElement(using: &random)!.rawValue, harm: some(Harm.self),
                when: HowLongAgo.allCases.randomElement(using: &random)!.rawValue, told: some(ToldBefore.self), wishes: some(Wish.self),
                consent: n % 7 != 0, received: received,
                assessment: Bool.random(using: &random)
                    ? (Int.random(in: 1...4, using: &random), some(Need.self),
                       received.addingTimeInterval(Double.random(in: 0..<(20 * 86400), using: &random)))
                    : nil))
        }
        try await queue.write { [cases] db in
            for c in cases {
                try db.execute(sql: """
                    INSERT INTO referral_case (id, reference, council_area, referrer_role, setting, harm, when_ago, told_before, wishes,
                        consent_contact_at, consent_statistics, consent_statistics_at, received_at, passphrase_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'h')
                    """, arguments: [c.id, c.reference, c.area, c.role, c.setting, c.harm, c.when, c.told, c.wishes,
                                     c.received, c.consent, c.received, c.received])
                if case let (level, needs, at)? = c.assessment {
                    try db.execute(sql: """
                        INSERT INTO assessment (id, case_id, level_of_need, needs, assessed_at, assessed_by) VALUES (?, ?, ?, ?, ?, 'lead')
                        """, arguments: ["a-\(c.id)", c.id, level, needs, at])
                }
            }
        }
        let settings = Settings()
        let startDate = Self.q1.start(startMonth: settings.reporting.quarterStartMonth), end = Self.q1.end(startMonth: settings.reporting.quarterStartMonth)
        let before = try await queue.read { db in try Self.jsonWalkingCounts(db, area: "shropshire", start: startDate, end: end) }
        #expect(before[ReportTables.harm]?.isEmpty == false, "the rows must give something to compare")

        let migrated = try AppDatabase(queue)
        let after = try await ReportAggregation.counts(ReportStore(migrated, .ephemeral()), councilArea: "shropshire", start: startDate, end: end,
                                                       acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays)
        for (table, counts) in before {
            #expect(after.table(table)?.counts == counts, "\(table)")
        }

        try await queue.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT harm, harm_bits, told_before, told_before_bits, wishes, wishes_bits FROM referral_case") {
                #expect(row[1] as Int64 == Harm.answerBits(Self.codes(row[0]) as [Harm]))
                #expect(row[3] as Int64 == ToldBefore.answerBits(Self.codes(row[2]) as [ToldBefore]))
                #expect(row[5] as Int64 == Wish.answerBits(Self.codes(row[4]) as [Wish]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT needs, needs_bits FROM assessment") {
                #expect(row[1] as Int64 == Need.answerBits(Self.codes(row[0]) as [Need]))
            }
        }
    }

    /// A row as the migrations before v9 stored it.
    struct OldCase: Sendable {
        let id, reference, area, role, setting, harm, when, told, wishes: String
        let consent: Bool, received: Date
        let assessment: (level: Int, needs: String, at: Date)?
    }

    static func codes<T: FixedList>(_ json: String) -> [T] {
        ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String] ?? []).compactMap(T.init(rawValue:))
    }

    /// The multi-select and assessment tables as the report counted them before v9: `json_each` over the JSON.
    static func jsonWalkingCounts(_ db: Database, area: String, start: Date, end: Date) throws -> [String: [String: Int]] {
        let window: StatementArguments = [area, start, end]
        let inPeriod = "c.council_area = ? AND c.consent_statistics = 1 AND c.received_at >= ? AND c.received_at < ?"
        func grouped(_ sql: String) throws -> [String: Int] {
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: window) { result[row[0]] = row[1] }
            return result
        }
        func multi(_ column: String, _ table: String) throws -> [String: Int] {
            try grouped("SELECT j.value, COUNT(DISTINCT c.id) FROM referral_case c, json_each(c.\(column)) j WHERE \(inPeriod) GROUP BY 1")
                .filter { ReportTables.categories(table).contains($0.key) }
        }
        let assessments = "FROM assessment a JOIN referral_case c ON c.id = a.case_id"
        let firstAssessment = """
            WHERE c.council_area = ? AND c.consent_statistics = 1
              AND a.rowid = (SELECT f.rowid FROM assessment f WHERE f.case_id = a.case_id ORDER BY f.assessed_at, f.rowid LIMIT 1)
              AND a.assessed_at >= ? AND a.assessed_at < ?
            """
        return [
            ReportTables.referrerRole: try grouped("SELECT c.referrer_role, COUNT(*) FROM referral_case c WHERE \(inPeriod) GROUP BY 1"),
            ReportTables.harm: try multi("harm", ReportTables.harm),
            ReportTables.toldBefore: try multi("told_before", ReportTables.toldBefore),
            ReportTables.wishes: try multi("wishes", ReportTables.wishes),
            ReportTables.levelOfNeed: try grouped("SELECT CAST(a.level_of_need AS TEXT), COUNT(*) \(assessments) \(firstAssessment) GROUP BY 1"),
            ReportTables.needs: try grouped("SELECT j.value, COUNT(DISTINCT a.case_id) \(assessments), json_each(a.needs) j \(firstAssessment) GROUP BY 1")
                .filter { ReportTables.categories(ReportTables.needs).contains($0.key) },
        ]
    }
}
