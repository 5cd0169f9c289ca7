import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// `/metrics` reads cases by stage from a table kept by triggers, so a scrape does not count every case; the
/// kept counts must always equal a count of the cases themselves, whatever happens to them.
@Suite struct StageCountTests {
    static func counted(_ db: AppDatabase) async throws -> (kept: [String: Int], actual: [String: Int]) {
        try await db.reader.read { db in
            let kept = try Row.fetchAll(db, sql: "SELECT stage, n FROM case_stage_count WHERE n > 0")
            let actual = try Row.fetchAll(db, sql: "SELECT stage, COUNT(*) AS n FROM referral_case GROUP BY stage")
            func map(_ rows: [Row]) throws -> [String: Int] {
                try Dictionary(uniqueKeysWithValues: rows.map { (try $0.value("stage"), try $0.value("n")) })
            }
            return (try map(kept), try map(actual))
        }
    }

    @Test func keptCountsFollowEveryCaseThroughItsStages() async throws {
        let harness = try WorkflowHarness()
        let lead = try harness.staff(.lead)
        for stage in [Stage.received, .acknowledged, .listening, .assessed, .signposted, .closed, .listening] {
            _ = try await harness.caseAt(stage, by: lead)
        }
        var (kept, actual) = try await Self.counted(harness.db)
        #expect(kept == actual)
        #expect(actual["listening"] == 2 && actual["closed"] == 1)
        let stats = try await harness.stores.cases.stageCounts(acknowledgementWorkingDays: 2, now: WorkflowHarness.now)
        #expect(stats.byStage[.listening] == 2 && stats.byStage[.received] == 1)
        // A case removed outright (as a failed intake's savepoint does) leaves the count too.
        try await harness.db.writer.write { db in try db.execute(sql: "DELETE FROM referral_case WHERE stage = 'closed'") }
        (kept, actual) = try await Self.counted(harness.db)
        #expect(kept == actual && actual["closed"] == nil)
    }

    @Test func concurrentIntakeKeepsTheCountExact() async throws {
        let harness = try WorkflowHarness()
        try await withThrowingTaskGroup(of: CaseID.self) { group in
            for _ in 0..<40 { group.addTask { try await harness.newCase() } }
            for try await _ in group {}
        }
        let (kept, actual) = try await Self.counted(harness.db)
        #expect(kept == ["received": 40] && kept == actual)
    }
}
