import Foundation
import GRDB
import ReconcileCore

/// Counts for operations dashboards: statistical columns only.
public struct StageCounts: Sendable, Equatable {
    public let byStage: [Stage: Int]
    public let overdue: Int
}

extension CaseStore {
    public func stageCounts(acknowledgementWorkingDays: Int, now: Date = Date()) async throws -> StageCounts {
        try await reader.read { db in
            var byStage: [Stage: Int] = [:]
            // Kept by triggers on referral_case (v19), so a scrape does not count every case.
            for row in try Row.fetchAll(db, sql: "SELECT stage, n FROM case_stage_count") {
                if let stage = Stage(rawValue: try row.value("stage")) { byStage[stage] = (try row.value("n")) }
            }
            let waiting = try Date.fetchAll(db, sql: "SELECT received_at FROM referral_case WHERE stage = 'received' AND erased_at IS NULL")
            let overdue = waiting.filter { WorkingDays.isOverdue(receivedAt: $0, now: now, workingDays: acknowledgementWorkingDays) }.count
            return StageCounts(byStage: byStage, overdue: overdue)
        }
    }
}
