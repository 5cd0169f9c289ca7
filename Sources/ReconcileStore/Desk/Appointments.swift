import Foundation
import GRDB
import ReconcileCore

// Appointments: the next listening session, planned in a practitioner's diary. Booked, moved or cancelled by the
// people who may work the case; recorded as held, an appointment becomes a listening session through the very
// code that records one. Every change is a case event and an audit row in the same transaction (the detail holds
// ids, codes and the time, never the note), and one practitioner never holds two appointments at once: the
// overlap check runs inside the single writer's transaction, so bookings made at the same moment are decided one
// after the other.

public enum AppointmentStatus: String, Sendable, Codable, CaseIterable {
    case scheduled, moved, cancelled, held
    /// Still to happen (or to be recorded): these hold the practitioner's time.
    public var isActive: Bool { self == .scheduled || self == .moved }
}

/// An appointment as the case page, the diary and the desk show it; the note only where the case may be opened.
public struct AppointmentView: Sendable, Equatable {
    public let id: String
    public let caseID: CaseID
    public let reference: String
    /// The practitioner's staff email (or the account id if it is gone).
    public let practitioner: String
    public let startsAt: Date
    public let durationMinutes: Int
    public let modality: ListeningModality
    public let status: AppointmentStatus
    public let note: String?
    public let listeningSessionID: String?
    public var endsAt: Date { startsAt.addingTimeInterval(TimeInterval(durationMinutes * 60)) }
}

/// An appointment request the rules refuse; nothing is changed.
public enum AppointmentError: Error, Equatable {
    /// `starts_at` is not after now, or more than `AppointmentLimits.daysAhead` ahead.
    case startNotInFuture, startTooFarAhead
    /// `duration_minutes` outside `AppointmentLimits.durationMinutes`.
    case invalidDuration
    /// The practitioner already holds an appointment at that time.
    case overlap
    /// `practitioner` is not an enabled practitioner or lead account.
    case unknownPractitioner
    /// `practitioner` may not work this case (neither its assigned practitioner nor a lead).
    case practitionerNotOnCase
    /// The case is closed: nothing new is planned on it (an existing appointment may still be cancelled).
    case caseClosed
    case notFound
    /// Cancelled or held already: its course is over.
    case alreadyOver
    /// Recorded as held before it has begun.
    case notYetStarted
}

public enum AppointmentLimits {
    public static let durationMinutes = 5...480
    /// Furthest ahead an appointment may be planned, in days.
    public static let daysAhead = 366
}

/// What a PATCH does to an appointment.
public enum AppointmentUpdate: Sendable, Equatable {
    /// A new start (and, if given, a new length); the status becomes `moved`.
    case move(startsAt: Date, durationMinutes: Int?)
    case cancel
    /// It happened: a listening session of the appointment's day, length and modality, with the session's note and
    /// practice record.
    case hold(note: String?, practice: PracticeRecord)
}

extension AppDatabase {
    /// A case's appointments, soonest first, notes opened with `cipher`.
    static func appointments(_ db: Database, caseID: CaseID, cipher: CaseCipher) throws -> [AppointmentView] {
        try appointmentViews(db, sql: """
            SELECT a.*, c.reference FROM case_appointment a JOIN referral_case c ON c.id = a.case_id
            WHERE a.case_id = ? ORDER BY a.starts_at
            """, arguments: [caseID], cipher: cipher)
    }

    /// Rows of `case_appointment` (with `reference`) as views; the note opened only when a cipher is given.
    static func appointmentViews(_ db: Database, sql: String, arguments: StatementArguments, cipher: CaseCipher?) throws -> [AppointmentView] {
        let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
        let emails = try staffEmails(db, ids: Set(try rows.map { try $0.value("practitioner_id", as: String.self) }))
        return try rows.map { row in
            let id: String = try row.value("id"), practitioner: String = try row.value("practitioner_id")
            guard let status = AppointmentStatus(rawValue: try row.value("status")),
                  let modality = ListeningModality(rawValue: try row.value("modality")) else {
                throw StoreError.integrity("an appointment has an unknown status or modality")
            }
            return AppointmentView(id: id, caseID: try row.value("case_id"), reference: try row.value("reference"),
                                   practitioner: emails[practitioner] ?? practitioner, startsAt: try row.value("starts_at"),
                                   durationMinutes: try row.value("duration_minutes"), modality: modality, status: status,
                                   note: try cipher?.openIfPresent(try row.value("note"), field: WorkflowField.appointmentNote(id)),
                                   listeningSessionID: try row.value("listening_session_id"))
        }
    }

    // MARK: rules, inside the writer's transaction

    /// A case that closes (or is erased) can hold no more sessions: its live appointments are cancelled, so they no
    /// longer hold the practitioner's time, leave the family's portal and get no reminder.
    static func cancelLiveAppointments(_ db: Database, caseID: CaseID, by actor: String, at now: Date) throws {
        try db.execute(sql: """
            UPDATE case_appointment SET status = 'cancelled', updated_at = ?, updated_by = ?
            WHERE case_id = ? AND status IN ('scheduled', 'moved')
            """, arguments: [now, actor, caseID])
    }

    static func end(_ start: Date, _ minutes: Int) -> Date { start.addingTimeInterval(TimeInterval(minutes * 60)) }

    static func checkTime(_ startsAt: Date, _ minutes: Int, now: Date) throws {
        guard startsAt > now else { throw AppointmentError.startNotInFuture }
        guard startsAt <= now.addingTimeInterval(TimeInterval(AppointmentLimits.daysAhead * 86_400)) else { throw AppointmentError.startTooFarAhead }
        guard AppointmentLimits.durationMinutes.contains(minutes) else { throw AppointmentError.invalidDuration }
    }

    /// The account the appointment is for: enabled, a practitioner or lead, and allowed on the case (its assigned
    /// practitioner, or a lead).
    static func appointmentPractitioner(_ db: Database, email: String?, actor: StaffActor, current: WorkableCase) throws -> String {
        let email = email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let sql = "SELECT id, role FROM staff_account WHERE \(email == nil ? "id" : "email") = ? AND role IN ('practitioner', 'lead') AND disabled_at IS NULL"
        guard let row = try Row.fetchOne(db, sql: sql, arguments: [email ?? actor.id]) else { throw AppointmentError.unknownPractitioner }
        let id: String = try row.value("id"), role: String = try row.value("role")
        guard role == StaffRole.lead.rawValue || id == current.assignedTo else { throw AppointmentError.practitionerNotOnCase }
        return id
    }

    /// Any other live appointment of the practitioner that meets [start, end). Bounded below by the longest
    /// appointment, so the check reads one short range of the practitioner's index, never the table.
    static func refuseOverlap(_ db: Database, practitioner: String, startsAt: Date, durationMinutes: Int, except: String?) throws {
        let earliest = startsAt.addingTimeInterval(-TimeInterval(AppointmentLimits.durationMinutes.upperBound * 60))
        if try Bool.fetchOne(db, sql: """
            SELECT 1 FROM case_appointment
            WHERE practitioner_id = ? AND starts_at > ? AND starts_at < ? AND ends_at > ? AND status IN ('scheduled', 'moved') AND id IS NOT ?
            LIMIT 1
            """, arguments: [practitioner, earliest, end(startsAt, durationMinutes), startsAt, except]) == true {
            throw AppointmentError.overlap
        }
    }

    static func appointmentDetail(_ id: String, _ start: Date, _ minutes: Int, _ modality: ListeningModality, _ practitioner: String) -> String {
        "appointment=\(id),starts=\(Int(start.timeIntervalSince1970)),minutes=\(minutes),modality=\(modality.rawValue),practitioner=\(practitioner)"
    }
}

extension DeskStore {
    /// Plans an appointment on a case for `practitionerEmail` (nil: the one booking). Returns its id as the record.
    public func bookAppointment(caseID: CaseID, startsAt: Date, durationMinutes: Int, modality: ListeningModality,
                                practitionerEmail: String?, note: String?, by actor: StaffActor,
                                now: Date = Date()) async throws -> CaseChange {
        try await caseWork(caseID: caseID, by: actor, at: now) { [keys] db, current in
            if current.stage == .closed { throw AppointmentError.caseClosed }
            try AppDatabase.checkTime(startsAt, durationMinutes, now: now)
            let practitioner = try AppDatabase.appointmentPractitioner(db, email: practitionerEmail, actor: actor, current: current)
            let note = try AppDatabase.cleanNote(note)
            try AppDatabase.refuseOverlap(db, practitioner: practitioner, startsAt: startsAt, durationMinutes: durationMinutes, except: nil)
            let id = AppDatabase.newID()
            let sealed = try note.map { try AppDatabase.caseCipher(db, caseID: caseID, keys: keys).seal($0, field: WorkflowField.appointmentNote(id)) }
            try db.execute(sql: """
                INSERT INTO case_appointment (id, case_id, practitioner_id, starts_at, ends_at, duration_minutes, modality, note,
                                              created_at, created_by, updated_at, updated_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, caseID, practitioner, startsAt, AppDatabase.end(startsAt, durationMinutes), durationMinutes, modality.rawValue,
                                 sealed, now, actor.id, now, actor.id])
            return CaseWork(event: .appointmentBooked, detail: AppDatabase.appointmentDetail(id, startsAt, durationMinutes, modality, practitioner),
                            recordID: id)
        }
    }

    /// Moves, cancels or records as held one appointment of a case.
    public func updateAppointment(caseID: CaseID, appointmentID: String, _ update: AppointmentUpdate, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            guard let row = try Row.fetchOne(db, sql: """
                SELECT practitioner_id, starts_at, duration_minutes, modality, status FROM case_appointment WHERE id = ? AND case_id = ?
                """, arguments: [appointmentID, caseID]) else { throw AppointmentError.notFound }
            guard let status = AppointmentStatus(rawValue: try row.value("status")),
                  let modality = ListeningModality(rawValue: try row.value("modality")) else {
                throw StoreError.integrity("an appointment has an unknown status or modality")
            }
            guard status.isActive else { throw AppointmentError.alreadyOver }
            let practitioner: String = try row.value("practitioner_id")
            let startsAt: Date = try row.value("starts_at")
            let minutes: Int = try row.value("duration_minutes")
            switch update {
            case let .move(newStart, newMinutes):
                if current.stage == .closed { throw AppointmentError.caseClosed }
                let length = newMinutes ?? minutes
                try AppDatabase.checkTime(newStart, length, now: now)
                try AppDatabase.refuseOverlap(db, practitioner: practitioner, startsAt: newStart, durationMinutes: length, except: appointmentID)
                try db.execute(sql: """
                    UPDATE case_appointment SET starts_at = ?, ends_at = ?, duration_minutes = ?, status = 'moved', updated_at = ?, updated_by = ?
                    WHERE id = ?
                    """, arguments: [newStart, AppDatabase.end(newStart, length), length, now, actor.id, appointmentID])
                try AppDatabase.recordEvent(db, current, actor: actor, action: .appointmentMoved, to: current.stage,
                                     detail: AppDatabase.appointmentDetail(appointmentID, newStart, length, modality, practitioner), note: nil, keys: keys, at: now)
                return CaseChange(stage: current.stage)
            case .cancel:
                try db.execute(sql: "UPDATE case_appointment SET status = 'cancelled', updated_at = ?, updated_by = ? WHERE id = ?",
                               arguments: [now, actor.id, appointmentID])
                try AppDatabase.recordEvent(db, current, actor: actor, action: .appointmentCancelled,
                                     to: current.stage, detail: "appointment=\(appointmentID)", note: nil, keys: keys, at: now)
                return CaseChange(stage: current.stage)
            case let .hold(note, practice):
                guard startsAt <= now else { throw AppointmentError.notYetStarted }
                // The listening session step's own rules: acknowledged first, not on a closed case, the length.
                let change = try AppDatabase.insertListeningSession(db, current, heldOn: WorkingDays.londonDate(startsAt), durationMinutes: minutes,
                                                             modality: modality, note: note, practice: practice, by: actor, keys: keys, at: now,
                                                             detail: "appointment=\(appointmentID)")
                try db.execute(sql: """
                    UPDATE case_appointment SET status = 'held', listening_session_id = ?, updated_at = ?, updated_by = ? WHERE id = ?
                    """, arguments: [change.recordID, now, actor.id, appointmentID])
                return CaseChange(stage: change.stage)
            }
        }
    }
}
