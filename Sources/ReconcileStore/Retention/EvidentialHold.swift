import Foundation
import GRDB
import ReconcileCore

extension RetentionStore {
    /// Places (`on`) or lifts an evidential hold: the case's notes may be needed by the police or a court, so
    /// neither retention nor the family's erasure request erases it while the hold stands, and the portal tells
    /// the family why. Leads only (`CaseAccessError.forbidden` for anyone else, before the case is read). Allowed
    /// at every stage, closed included; it never moves the stage. The reason is the note of the hold's event,
    /// sealed under the case key like every note (and erased with the case). A hold already in the asked state
    /// changes nothing.
    @discardableResult
    public func setEvidentialHold(caseID: CaseID, on: Bool, reason: String?, by actor: StaffActor,
                                  now: Date = Date()) async throws -> CaseChange {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await caseWork(caseID: caseID, by: actor, at: now) { db, _ in
            let reason = try AppDatabase.cleanText(reason, field: "reason")
            // Placing a hold is a decision with a reason (the guidance asks that reasons are recorded).
            if on, reason == nil { throw WorkflowError.reasonRequired }
            let isOn = try Bool.fetchOne(db, sql: "SELECT evidential_hold_at IS NOT NULL FROM referral_case WHERE id = ?",
                                         arguments: [caseID]) ?? false
            guard isOn != on else { return nil }
            try db.execute(sql: "UPDATE referral_case SET evidential_hold_at = ?, evidential_hold_by = ? WHERE id = ?",
                           arguments: [on ? now : nil, on ? actor.id : nil, caseID])
            return CaseWork(event: .evidentialHold, detail: on ? "on" : "off", note: reason)
        }
    }
}
