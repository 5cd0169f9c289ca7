import Foundation
import GRDB
import ReconcileCore

extension CaseStore {
    /// A lead reopens a closed, not erased, case with a reason: it goes back to the stage it closed from (the
    /// `from_stage` of its latest closing event), its close reason and closing time are cleared (so retention
    /// counts from the next closing), and a family's request to come back is answered. Leads only
    /// (`CaseAccessError.forbidden` before the case is read); any other stage is refused by the lifecycle
    /// (409) and changes nothing. The reason is the sealed note of the "reopen" event; reopens are counted by
    /// those events.
    @discardableResult
    public func reopen(caseID: CaseID, reason: String?, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let closedFrom = try String.fetchOne(db, sql: """
                SELECT from_stage FROM case_event
                WHERE case_id = ? AND to_stage = 'closed' AND from_stage != 'closed'
                ORDER BY at DESC, rowid DESC LIMIT 1
                """, arguments: [caseID]).flatMap(Stage.init(rawValue:)) ?? .received
            let next = try CaseLifecycle.stage(after: .reopen(to: closedFrom), from: current.stage)
            guard let reason = try AppDatabase.cleanText(reason, field: "reason") else { throw WorkflowError.reasonRequired }
            try db.execute(sql: """
                UPDATE referral_case SET stage = ?, close_reason = NULL, closed_at = NULL, come_back_requested_at = NULL,
                    closed_as_duplicate_of = NULL
                WHERE id = ? AND stage = 'closed'
                """, arguments: [next.rawValue, caseID])
            try AppDatabase.recordEvent(db, current, actor: actor, action: .reopen, to: next, detail: "to=\(next.rawValue)",
                                 note: reason, keys: keys, at: now)
            return CaseChange(stage: next)
        }
    }
}
