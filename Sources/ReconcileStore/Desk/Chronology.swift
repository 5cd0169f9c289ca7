import Foundation
import GRDB
import ReconcileCore

extension DeskStore {
    /// The whole case for its printable chronology, opened as on the case page. Written to the audit log as
    /// "case.chronology" in the same transaction; unlike opening the case page it marks no reply read (a printout
    /// is not someone reading the family's words).
    public func caseChronology(caseID: CaseID, by actor: StaffActor, acknowledgementWorkingDays: Int,
                               now: Date = Date()) async throws -> CaseDetail {
        try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let detail = try AppDatabase.openedCase(db, current, by: actor, keys: keys, acknowledgementWorkingDays: acknowledgementWorkingDays, now: now)
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .caseChronology, caseID: caseID,
                                                detail: "stage=\(detail.stage.rawValue)"), at: now, keys: keys)
            return detail
        }
    }
}
