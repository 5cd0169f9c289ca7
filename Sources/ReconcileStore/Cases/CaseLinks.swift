import Foundation
import GRDB
import ReconcileCore

/// Why a link, or an assignment across linked cases, was refused. Nothing was changed.
public enum CaseLinkError: Error, Equatable {
    /// A case cannot be linked to itself.
    case sameCase
    /// The other case does not exist, or has been erased.
    case otherCaseNotFound
    /// The two cases are linked already.
    case alreadyLinked
    /// One of two linked cases is about the child who was harmed and the other about the child accused of it:
    /// one practitioner must not work both (the guidance keeps their support apart).
    case opposingSidesWithOneWorker
}

/// A case linked to this one, as the reader may see it: its reference only when they may work it.
public struct LinkedCaseView: Sendable, Equatable {
    public let id: CaseID?
    public let reference: String?
    public let linkedAt: Date
}

extension AppDatabase {
    /// The timeline says a link was made, not to which case: a practitioner reading one case must not learn the
    /// other's id from it (the audit row, which staff do not read, names it).
    fileprivate static func recordLink(_ db: Database, _ current: WorkableCase, with other: CaseID, by actor: StaffActor,
                                   keys: KeyRing, at: Date) throws {
        try CaseEventRecord(id: newID(), caseId: current.id, at: at, actor: actor.id, action: CaseEvent.link.rawValue,
                            fromStage: current.stage, toStage: current.stage, detail: nil, note: nil).insert(db)
        try appendAudit(db, AuditEntry(actor: actor.id, action: .caseEvent(.link), caseID: current.id,
                                       detail: "with=\(other),stage=\(current.stage.rawValue)"), at: at, keys: keys)
    }

    /// Harmed on one side, accused (or harmed others) on the other. "More than one" and "would rather not say"
    /// are not read as either: the lead decides those, and the case page shows both answers.
    static func opposing(_ a: String?, _ b: String?) -> Bool {
        let sides: Set<String?> = [Involvement.harmed.rawValue, Involvement.wasAccusedOrHarmedOthers.rawValue]
        return a != b && sides.contains(a) && sides.contains(b)
    }

    /// Whether giving `caseID` to `assignee` would put both sides of a linked pair with one worker. Read inside
    /// the assigning transaction, so two assignments at once cannot both pass it (the write lock orders them).
    static func assignmentConflicts(_ db: Database, caseID: CaseID, assignee: String) throws -> Bool {
        let involvement = try String.fetchOne(db, sql: "SELECT involvement FROM referral_case WHERE id = ?", arguments: [caseID])
        let linked = try String?.fetchAll(db, sql: """
            SELECT c.involvement FROM case_link l
            JOIN referral_case c ON c.id = CASE WHEN l.case_a = ?1 THEN l.case_b ELSE l.case_a END
            WHERE (l.case_a = ?1 OR l.case_b = ?1) AND c.assigned_to = ?2
            """, arguments: [caseID, assignee])
        return linked.contains { opposing(involvement, $0) }
    }

    /// The cases linked to `caseID`, oldest link first; a practitioner sees the reference only of those they may work.
    static func linkedCases(_ db: Database, caseID: CaseID, visibleTo actor: StaffActor) throws -> [LinkedCaseView] {
        try Row.fetchAll(db, sql: """
            SELECT c.id, c.reference, c.assigned_to, l.linked_at FROM case_link l
            JOIN referral_case c ON c.id = CASE WHEN l.case_a = ?1 THEN l.case_b ELSE l.case_a END
            WHERE l.case_a = ?1 OR l.case_b = ?1 ORDER BY l.linked_at, c.id
            """, arguments: [caseID]).map { row in
            let visible = actor.mayWork(caseAssignedTo: try row.value("assigned_to"))
            return LinkedCaseView(id: visible ? (try row.value("id")) : nil, reference: visible ? (try row.value("reference")) : nil, linkedAt: try row.value("linked_at"))
        }
    }
}

extension CaseStore {
    /// A lead links two cases about the same incident. Refused (409) when both are already with one worker and
    /// one is about the child harmed and the other about the child accused: the rule `assign` keeps would
    /// otherwise be walked around by linking after assigning. Recorded on both timelines and audited.
    public func linkCases(caseID: CaseID, to other: String, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            guard actor.role == .lead else { throw CaseAccessError.forbidden }
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            guard let otherID = try CaseID.fetchOne(db, sql: "SELECT id FROM referral_case WHERE (id = ? OR reference = ?) AND erased_at IS NULL",
                                                    arguments: [other, other.uppercased()]) else { throw CaseLinkError.otherCaseNotFound }
            guard otherID != caseID else { throw CaseLinkError.sameCase }
            let (a, b) = caseID < otherID ? (caseID, otherID) : (otherID, caseID)
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM case_link WHERE case_a = ? AND case_b = ?)", arguments: [a, b]) == true {
                throw CaseLinkError.alreadyLinked
            }
            let both = try Row.fetchAll(db, sql: "SELECT assigned_to, involvement FROM referral_case WHERE id IN (?, ?)", arguments: [a, b])
            // Either case may have no worker yet (NULL): read as optionals, never as String (that trapped).
            if both.count == 2, let worker = try both[0].value("assigned_to", as: String?.self),
               worker == (try both[1].value("assigned_to", as: String?.self)),
               AppDatabase.opposing(try both[0].value("involvement"), try both[1].value("involvement")) {
                throw CaseLinkError.opposingSidesWithOneWorker
            }
            try db.execute(sql: "INSERT INTO case_link (case_a, case_b, linked_at, linked_by) VALUES (?, ?, ?, ?)",
                           arguments: [a, b, now, actor.id])
            try AppDatabase.recordLink(db, current, with: otherID, by: actor, keys: keys, at: now)
            try AppDatabase.recordLink(db, try AppDatabase.workableCase(db, caseID: otherID, by: actor), with: caseID, by: actor, keys: keys, at: now)
            return CaseChange(stage: current.stage)
        }
    }
}
