import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

// Appointments: plan one, then move, cancel or record it as held. The API gives the start as RFC 3339 with its
// offset (`starts_at`); the page gives a London date and time (`date`, `time`), which only the page form can send
// (the API refuses fields it does not list). The store checks the rest inside its transaction: in the future, the
// length, who it is for, and no overlap.

/// When an appointment starts, from `starts_at` (API) or a London `date` and `time` (page); nil when neither is given.
func appointmentStart(_ f: some ActionFields) throws -> Date? {
    if let raw = try f.text("starts_at")?.trimmingCharacters(in: .whitespaces) {
        guard let start = LondonTime.parseInstant(raw) else {
            throw APIError.field("starts_at", "invalid_time", "Give the start as RFC 3339 with its offset, like 2026-12-08T10:00:00+00:00.")
        }
        return start
    }
    let date = try f.text("date")?.trimmingCharacters(in: .whitespaces), time = try f.text("time")?.trimmingCharacters(in: .whitespaces)
    guard date != nil || time != nil else { return nil }
    guard let date, WorkingDays.isDay(date) else { throw APIError.field("date", "invalid_date", "Give a real date, YYYY-MM-DD.") }
    guard let time else { throw APIError.field("time", "required", "Give the time, HH:MM (London time).") }
    do {
        return try LondonTime.instant(date: date, time: time)
    } catch .doesNotExist {
        throw APIError.field("time", "time_does_not_exist",
                             "That time does not happen in London that night: the clocks go forward an hour. Choose another time.")
    } catch {
        throw APIError.field("time", "invalid_time", "Give the time as HH:MM, London time.")
    }
}

struct AppointmentBookStep: CaseStep {
    static let name = "appointment"
    static let route = StepRoute("appointments")
    static let done = "Appointment planned."
    static let fields: Set<String> = ["starts_at", "duration_minutes", "modality", "practitioner", "note"]
    let startsAt: Date
    let durationMinutes: Int
    let modality: ListeningModality
    let practitioner: String?
    let note: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        guard let start = try appointmentStart(f) else { throw APIError.field("starts_at", "required", "Give when the appointment starts.") }
        startsAt = start
        durationMinutes = try f.wholeNumber("duration_minutes")
        modality = try f.one("modality", ListeningModality.self)
        practitioner = try f.text("practitioner")
        note = try f.text("note")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.desk.bookAppointment(caseID: t.caseID, startsAt: startsAt, durationMinutes: durationMinutes, modality: modality,
                                             practitionerEmail: practitioner, note: note, by: staff.actor, now: s.clock())
    }
}

/// `status`: `moved` (or a new `starts_at` alone, with an optional `duration_minutes`), `cancelled`, or `held` (with the
/// listening session's `note` and practice record, as recording a session takes them).
struct AppointmentUpdateStep: CaseStep {
    static let name = "appointment_update"
    static let route = StepRoute(.patch, "appointments/:aid")
    static let done = "The appointment has been updated."
    static let fields: Set<String> = ["status", "starts_at", "duration_minutes", "note", "advice_given", "actions_agreed"]
    let appointmentID: String
    let update: AppointmentUpdate

    init(reading f: some ActionFields, on t: CaseTarget, rules: StepRules) throws {
        guard let aid = t.appointmentID, CaseTarget.isID(aid) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such appointment on this case.")
        }
        appointmentID = aid
        let status = try f.text("status")?.trimmingCharacters(in: .whitespaces)
        let start = try appointmentStart(f)
        switch status {
        case "moved"?, nil where start != nil:
            guard let start else { throw APIError.field("starts_at", "required", "Give the new start to move the appointment.") }
            update = .move(startsAt: start, durationMinutes: try f.optionalWholeNumber("duration_minutes"))
        case "cancelled"? where start == nil:
            update = .cancel
        case "held"? where start == nil:
            update = .hold(note: try f.text("note"), practice: try rules.practice(f, for: .listeningSession))
        case nil:
            throw APIError.field("status", "required", "Give a new start (moved), or the status cancelled or held.")
        default:
            throw APIError.field("status", "unknown_value", "Use moved (with a new start), cancelled or held; only a move takes a start.")
        }
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.desk.updateAppointment(caseID: t.caseID, appointmentID: appointmentID, update, by: staff.actor, now: s.clock())
    }
}
