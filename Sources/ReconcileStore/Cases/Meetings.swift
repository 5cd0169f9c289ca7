import Foundation
import GRDB
import ReconcileCore

/// A meeting the family asked for, as staff read it (note and the family's words opened).
public struct MeetingView: Sendable, Equatable, Codable {
    public let id: String
    public let party: MeetingParty
    public let status: MeetingStatus
    public let note: String?
    public let requestedAt: Date
    public let requestedBy: String
    public let statusAt: Date
    public let heldOn: String?
    /// "Did it help?", 1 to 5, after a held meeting; nil when not answered.
    public let helped: Int?
    public let familyWords: String?
}

/// What a later step changes on a meeting: any of its status, the date it was held, and the family's view.
public struct MeetingUpdate: Sendable, Equatable {
    public var status: MeetingStatus?
    public var heldOn: String?
    public var helped: Int?
    public var familyWords: String?

    public init(status: MeetingStatus? = nil, heldOn: String? = nil, helped: Int? = nil, familyWords: String? = nil) {
        (self.status, self.heldOn, self.helped, self.familyWords) = (status, heldOn, helped, familyWords)
    }
}

/// A meeting step the rules refuse. Nothing is changed.
public enum MeetingError: Error, Equatable {
    /// The case is closed, or its personal data erased: no meeting can be asked for or changed.
    case caseNotOpen
    /// No meeting with that id on this case.
    case notFound
    /// Declined, held or withdrawn: its course is over (only the family's view may follow a held meeting).
    case alreadyOver
    /// `held_on` not a real `YYYY-MM-DD` date, or in the future.
    case invalidHeldOn
    /// `status` is `held` and no `held_on` date is given (and none is recorded).
    case heldOnRequired
    /// A date held, or the family's view, for a meeting that is not held.
    case onlyWhenHeld(String)
    /// "Did it help?" outside 1 to 5.
    case helpedOutOfRange
    /// Nothing to change.
    case nothingToChange
    /// The family's words over the limit, or with characters free text may not carry.
    case familyWordsTooLong, familyWordsInvalidCharacters
}

extension AppDatabase {
    public static let meetingWordsLimit = 2000

    /// The case as a meeting step may touch it: workable by this actor, not closed, not erased. A lead learns an
    /// erased case is not open (409); a practitioner keeps the uniform 404 (`workableCase` already decided).
    static func openCaseForMeetings(_ db: Database, caseID: CaseID, by actor: StaffActor) throws -> WorkableCase {
        let current: WorkableCase
        do { current = try workableCase(db, caseID: caseID, by: actor) } catch StoreError.erased where actor.role == .lead {
            throw MeetingError.caseNotOpen
        }
        guard current.stage != .closed else { throw MeetingError.caseNotOpen }
        return current
    }

    /// A case's meetings, oldest first, opened, inside a transaction that has checked who may read the case.
    static func meetings(_ db: Database, caseID: CaseID, cipher: CaseCipher, who: (String) -> String) throws -> [MeetingView] {
        try Row.fetchAll(db, sql: "SELECT * FROM case_meeting WHERE case_id = ? ORDER BY requested_at, rowid", arguments: [caseID]).map { row in
            let id: String = try row.value("id")
            guard let party = MeetingParty(rawValue: try row.value("party")),
                  let status = MeetingStatus(rawValue: try row.value("status")) else {
                throw StoreError.integrity("meeting \(id) has an unknown party or status")
            }
            return MeetingView(id: id, party: party, status: status,
                               note: try cipher.openIfPresent(try row.value("note"), field: meetingField("note", id)),
                               requestedAt: try row.value("requested_at"), requestedBy: who(try row.value("requested_by")),
                               statusAt: try row.value("status_at"), heldOn: try row.value("held_on"), helped: try row.value("helped"),
                               familyWords: try cipher.openIfPresent(try row.value("family_words"), field: meetingField("family_words", id)))
        }
    }

    /// Bound to the meeting's row: a ciphertext copied to another meeting fails to open.
    static func meetingField(_ column: String, _ id: String) -> String { "case_meeting.\(column)/\(id)" }
}

extension CaseStore {
    /// Records that the family asked to meet `party`, with a sealed note for the rest (never names in the party).
    /// Any stage but closed; never moves the case.
    @discardableResult
    public func requestMeeting(caseID: CaseID, party: MeetingParty, note: String?, by actor: StaffActor,
                               now: Date = Date()) async throws -> CaseChange {
        try await caseWork(caseID: caseID, by: actor, at: now, opening: .openForMeetings) { [keys] db, _ in
            let note = try AppDatabase.cleanNote(note)
            let id = AppDatabase.newID()
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            try db.execute(sql: """
                INSERT INTO case_meeting (id, case_id, party, status, note, requested_at, requested_by, status_at)
                VALUES (?, ?, ?, 'requested', ?, ?, ?, ?)
                """, arguments: [id, caseID, party.rawValue, try cipher.sealIfPresent(note, field: AppDatabase.meetingField("note", id)),
                                 now, actor.id, now])
            return CaseWork(event: .requestMeeting, detail: "meeting=\(id),party=\(party.rawValue)", recordID: id)
        }
    }

    /// Records a meeting's course (invited, accepted, declined by the other party, held on a date, withdrawn) and,
    /// once held, the family's view. Any stage but closed; never moves the case.
    @discardableResult
    public func updateMeeting(caseID: CaseID, meetingID: String, _ change: MeetingUpdate, by actor: StaffActor,
                              now: Date = Date()) async throws -> CaseChange {
        guard change != MeetingUpdate() else { throw MeetingError.nothingToChange }
        if let helped = change.helped, !MeetingHelped.range.contains(helped) { throw MeetingError.helpedOutOfRange }
        let words = change.familyWords?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let words {
            guard !FreeText.isTooLong(words, max: AppDatabase.meetingWordsLimit) else { throw MeetingError.familyWordsTooLong }
            guard !FreeText.hasForbiddenCharacters(words, multiline: true) else { throw MeetingError.familyWordsInvalidCharacters }
        }
        if let date = change.heldOn, !AppDatabase.isPastOrPresentDate(date, now: now) { throw MeetingError.invalidHeldOn }
        return try await caseWork(caseID: caseID, by: actor, at: now, opening: .openForMeetings) { [keys] db, _ in
            guard let row = try Row.fetchOne(db, sql: "SELECT status, held_on FROM case_meeting WHERE id = ? AND case_id = ?",
                                             arguments: [meetingID, caseID]) else { throw MeetingError.notFound }
            guard let was = MeetingStatus(rawValue: try row.value("status", as: String.self)) else {
                throw StoreError.integrity("meeting \(meetingID) has an unknown status")
            }
            let status = change.status ?? was
            if status != was, was.isFinal { throw MeetingError.alreadyOver }
            if status != .held {
                if change.heldOn != nil { throw MeetingError.onlyWhenHeld("held_on") }
                if change.helped != nil { throw MeetingError.onlyWhenHeld("helped") }
                if words != nil { throw MeetingError.onlyWhenHeld("family_words") }
            }
            let recordedDate: String? = try row.value("held_on")
            let heldOn = change.heldOn ?? recordedDate
            if status == .held, heldOn == nil { throw MeetingError.heldOnRequired }
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let sealedWords = try words.map { $0.isEmpty ? nil : try cipher.seal($0, field: AppDatabase.meetingField("family_words", meetingID)) }
            try db.execute(sql: """
                UPDATE case_meeting SET status = ?, status_at = CASE WHEN status = ? THEN status_at ELSE ? END, held_on = ?,
                    helped = COALESCE(?, helped), family_words = CASE WHEN ? THEN ? ELSE family_words END
                WHERE id = ? AND case_id = ?
                """, arguments: [status.rawValue, status.rawValue, now, heldOn, change.helped, words != nil, sealedWords, meetingID, caseID])
            let detail = ["meeting=\(meetingID)", "status=\(status.rawValue)"] + (change.helped.map { ["helped=\($0)"] } ?? [])
                + (words != nil ? ["family_words"] : [])
            return CaseWork(event: .updateMeeting, detail: detail.joined(separator: ","))
        }
    }
}
