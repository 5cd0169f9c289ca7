import Foundation
import GRDB
import ReconcileCore

// Dated follow-ups on a case: set with a due date and a note (sealed under the case key), cleared when done.
// Each is a case event and an audit row in the same transaction; the event's detail holds the date, never the note.

/// A follow-up as the case page and the desk show it; the note opened for the people who may open the case.
public struct FollowUpView: Sendable, Equatable, Codable {
    public let id: String
    public let dueOn: String
    public let note: String?
    public let createdAt: Date
    /// Staff email (or the account id if the account is gone).
    public let createdBy: String
    public let doneAt: Date?
    public let doneBy: String?
}

/// A follow-up request the rules refuse; nothing is changed.
public enum FollowUpError: Error, Equatable {
    /// `due_on` is not a real `YYYY-MM-DD` date, is before today (London) or more than a year ahead.
    case invalidDueDate
    /// No follow-up with that id on this case.
    case notFound
    /// Already done.
    case alreadyDone
}

public enum FollowUpLimits {
    /// Furthest ahead a follow-up may be set, in days.
    public static let daysAhead = 366
}

extension AppDatabase {
    /// A case's follow-ups, open ones first by due date, then done ones; notes opened with `cipher`.
    static func followUps(_ db: Database, caseID: CaseID, cipher: CaseCipher) throws -> [FollowUpView] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, due_on, note, created_at, created_by, done_at, done_by FROM case_follow_up
            WHERE case_id = ? ORDER BY done_at IS NOT NULL, due_on, created_at
            """, arguments: [caseID])
        let emails = try staffEmails(db, ids: Set(try rows.flatMap { [try $0.value("created_by", as: String.self), try $0.value("done_by", as: String?.self)].compactMap { $0 } }))
        func who(_ id: String) -> String { emails[id] ?? id }
        return try rows.map { row in
            let id: String = try row.value("id")
            let doneBy: String? = try row.value("done_by")
            return FollowUpView(id: id, dueOn: try row.value("due_on"),
                                note: try cipher.openIfPresent(try row.value("note"), field: WorkflowField.followUpNote(id)),
                                createdAt: try row.value("created_at"), createdBy: who(try row.value("created_by")),
                                doneAt: try row.value("done_at"), doneBy: doneBy.map(who))
        }
    }
}

extension DeskStore {
    /// Adds a follow-up due on `dueOn` (today or later, London). Allowed at every open stage; not on a closed case.
    public func addFollowUp(caseID: CaseID, dueOn: String, note: String?, by actor: StaffActor,
                            now: Date = Date()) async throws -> CaseChange {
        let today = WorkingDays.londonDate(now)
        return try await caseWork(caseID: caseID, by: actor, at: now) { [keys] db, current in
            guard WorkingDays.isDay(dueOn), dueOn >= today, let last = WorkingDays.day(FollowUpLimits.daysAhead, after: today), dueOn <= last else {
                throw FollowUpError.invalidDueDate
            }
            let note = try AppDatabase.cleanNote(note)
            _ = try CaseLifecycle.stage(after: .setFollowUp, from: current.stage)
            let id = AppDatabase.newID()
            let sealed = try note.map { try AppDatabase.caseCipher(db, caseID: caseID, keys: keys).seal($0, field: WorkflowField.followUpNote(id)) }
            try db.execute(sql: """
                INSERT INTO case_follow_up (id, case_id, due_on, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, caseID, dueOn, sealed, now, actor.id])
            return CaseWork(event: .setFollowUp, detail: "follow_up=\(id),due=\(dueOn)", recordID: id)
        }
    }

    /// Marks a follow-up done (at any stage, closed included: the call may have happened before closing).
    public func completeFollowUp(caseID: CaseID, followUpID: String, by actor: StaffActor,
                                 now: Date = Date()) async throws -> CaseChange {
        try await caseWork(caseID: caseID, by: actor, at: now) { db, _ in
            guard let row = try Row.fetchOne(db, sql: "SELECT done_at FROM case_follow_up WHERE id = ? AND case_id = ?",
                                             arguments: [followUpID, caseID]) else { throw FollowUpError.notFound }
            if row.holdsValue("done_at") { throw FollowUpError.alreadyDone }
            try db.execute(sql: "UPDATE case_follow_up SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL",
                           arguments: [now, actor.id, followUpID])
            return CaseWork(event: .followUpDone, detail: "follow_up=\(followUpID)")
        }
    }
}
