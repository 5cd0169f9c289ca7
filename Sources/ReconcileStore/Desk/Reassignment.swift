import Foundation
import GRDB
import ReconcileCore

// Who cases can go to, with their open caseloads, and moving all of a leaving practitioner's open cases at once.
// Assignment history is the case's own events ("assign", detail `to=` and `from=` account ids, shown as emails).

/// An enabled practitioner or lead and how many open (not closed, not erased) cases they hold.
public struct StaffCaseload: Sendable, Equatable, Codable {
    public let email: String
    public let role: StaffRole
    public let openCases: Int
}

/// A reassignment the rules refuse; nothing is changed.
public enum ReassignmentError: Error, Equatable {
    /// The practitioner whose cases would move has no practitioner or lead account.
    case unknownFrom
    /// Moving cases to the account they are already with.
    case sameAccount
}

extension AppDatabase {
    static func openCaseloads(_ db: Database) throws -> [StaffCaseload] {
        try Row.fetchAll(db, sql: """
            SELECT s.email, s.role,
                   (SELECT COUNT(*) FROM referral_case c INDEXED BY referral_case_open_by_person
                    WHERE c.assigned_to = s.id AND c.stage <> 'closed' AND c.erased_at IS NULL) AS open
            FROM staff_account s
            WHERE s.role IN ('practitioner', 'lead') AND s.disabled_at IS NULL
            ORDER BY s.role DESC, s.email
            """).map { row in
            guard let role = StaffRole(rawValue: try row.value("role")) else { throw StoreError.integrity("a staff account has an unknown role") }
            return StaffCaseload(email: try row.value("email"), role: role, openCases: try row.value("open"))
        }
    }

    /// For an "assign" event's `to=` and `from=` ids: the account ids it names, to be shown as emails.
    static func assignmentIDs(_ detail: String?) -> (to: String?, from: String?) {
        var to: String?, from: String?
        for part in (detail ?? "").split(separator: ",") {
            if part.hasPrefix("to=") { to = String(part.dropFirst(3)) }
            if part.hasPrefix("from=") { from = String(part.dropFirst(5)) }
        }
        return (to, from)
    }
}

extension DeskStore {
    /// Every enabled practitioner and lead with their open caseload, leads first, then by email.
    public func assignableStaff() async throws -> [StaffCaseload] {
        try await reader.read { db in try AppDatabase.openCaseloads(db) }
    }

    /// Moves every open case of `fromEmail` (enabled or not: usually someone leaving) to `toEmail` (an enabled
    /// practitioner or lead), in one transaction: either every case moves or none does. Lead only. The linked-case
    /// rule holds for each case (the whole move is refused if any case would break it). Returns the cases moved.
    public func reassignOpenCases(fromEmail: String, toEmail: String, by actor: StaffActor,
                                  now: Date = Date()) async throws -> Int {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        let (from, to) = (fromEmail.lowercased(), toEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
        return try await writer.write { db in
            guard let source = try String.fetchOne(db, sql: """
                SELECT id FROM staff_account WHERE email = ? AND role IN ('practitioner', 'lead')
                """, arguments: [from]) else { throw ReassignmentError.unknownFrom }
            guard let target = try String.fetchOne(db, sql: """
                SELECT id FROM staff_account WHERE email = ? AND role IN ('practitioner', 'lead') AND disabled_at IS NULL
                """, arguments: [to]) else { throw WorkflowError.unknownPractitioner }
            guard source != target else { throw ReassignmentError.sameAccount }
            let cases = try CaseID.fetchAll(db, sql: """
                SELECT id FROM referral_case WHERE assigned_to = ? AND stage <> 'closed' AND erased_at IS NULL ORDER BY received_at, id
                """, arguments: [source])
            for caseID in cases {
                let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
                if try AppDatabase.assignmentConflicts(db, caseID: caseID, assignee: target) { throw CaseLinkError.opposingSidesWithOneWorker }
                try db.execute(sql: "UPDATE referral_case SET assigned_to = ? WHERE id = ?", arguments: [target, caseID])
                try AppDatabase.recordEvent(db, current, actor: actor, action: .assign, to: current.stage,
                                     detail: "to=\(target),from=\(source),bulk=1", note: nil, keys: keys, at: now)
            }
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .staffReassignOpenCases,
                                                detail: "from=\(source),to=\(target),cases=\(cases.count)"), at: now, keys: keys)
            return cases.count
        }
    }
}
