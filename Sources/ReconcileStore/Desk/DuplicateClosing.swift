import Foundation
import GRDB
import ReconcileCore

/// Why a case cannot be closed as a duplicate of the one named. Nothing is changed when one is thrown.
/// The case a closed duplicate's conversation goes on in, as the reader may see it: its id and reference only when
/// they may open it (a practitioner must not learn another family's reference from a case of theirs).
public struct DuplicateTarget: Sendable, Equatable {
    public let id: CaseID?
    public let reference: String?
}

public enum DuplicateClosingError: Error, Equatable {
    /// The other case does not exist, or has been erased.
    case otherCaseNotFound
    /// A case cannot be a duplicate of itself.
    case sameCase
    /// The other case is closed: the family's conversation could not go on there (a lead reopens it first).
    case otherCaseClosed
}

extension AppDatabase {
    /// The reference of the case a closed duplicate's conversation went on in, for the family's portal and the case
    /// page; nil when it is not a closed duplicate (or that case has since been erased).
    static func continuedIn(_ db: Database, caseID: CaseID) throws -> (id: CaseID, reference: String)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT o.id, o.reference FROM referral_case c JOIN referral_case o ON o.id = c.closed_as_duplicate_of
            WHERE c.id = ? AND o.erased_at IS NULL
            """, arguments: [caseID]) else { return nil }
        return (try row.value("id"), try row.value("reference"))
    }

    static func duplicateTarget(_ db: Database, caseID: CaseID, visibleTo actor: StaffActor) throws -> DuplicateTarget? {
        guard let target = try continuedIn(db, caseID: caseID) else { return nil }
        let visible = try visibleDuplicate(db, target.id, to: actor) != nil
        return DuplicateTarget(id: visible ? target.id : nil, reference: visible ? target.reference : nil)
    }
}

extension DeskStore {
    /// A lead closes a second referral from a family already referred (`other`: the case's id or reference) as a
    /// duplicate of it, in one transaction: the case closes with no close reason (so it leaves the closures table)
    /// and `closed_as_duplicate_of` names the other case, which takes it out of the council's referral counts
    /// (the family is counted once, the duplicate shown as one figure). Nothing is erased: the family keeps every
    /// message and the portal tells them where the conversation goes on. Cases closed earlier as duplicates of this
    /// one are pointed on to `other` too, so no family is sent to a closed case. Leads only; the lifecycle refuses
    /// a closed case (409); the other case must be open, not this one, and not erased.
    @discardableResult
    public func closeAsDuplicate(caseID: CaseID, of other: String, note: String?, by actor: StaffActor,
                                 now: Date = Date()) async throws -> CaseChange {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .closeAsDuplicate, from: current.stage)
            let note = try AppDatabase.cleanNote(note)
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, stage FROM referral_case WHERE (id = ? OR reference = ?) AND erased_at IS NULL
                """, arguments: [other, other.uppercased()]) else { throw DuplicateClosingError.otherCaseNotFound }
            let otherID: CaseID = try row.value("id")
            guard otherID != caseID else { throw DuplicateClosingError.sameCase }
            guard (try row.value("stage", as: String?.self)) != Stage.closed.rawValue else { throw DuplicateClosingError.otherCaseClosed }
            // The CHECK on the column holds the rest: closed, no close reason, never itself.
            try db.execute(sql: """
                UPDATE referral_case SET stage = ?, close_reason = NULL, closed_at = ?, closed_as_duplicate_of = ?
                WHERE id = ? AND stage = ?
                """, arguments: [next.rawValue, now, otherID, caseID, current.stage.rawValue])
            guard db.changesCount == 1 else { throw StoreError.integrity("case \(caseID) changed stage concurrently") }
            try db.execute(sql: "UPDATE referral_case SET closed_as_duplicate_of = ? WHERE closed_as_duplicate_of = ?",
                           arguments: [otherID, caseID])
            try AppDatabase.cancelLiveAppointments(db, caseID: caseID, by: actor.id, at: now)
            // The timeline does not name the other case (a practitioner may not be allowed to learn it); the audit row does.
            try AppDatabase.recordEvent(db, current, actor: actor, action: .closeAsDuplicate, to: next, detail: nil, note: note, keys: keys, at: now,
                                 auditOnly: "duplicate_of=\(otherID)")
            return CaseChange(stage: next)
        }
    }
}
