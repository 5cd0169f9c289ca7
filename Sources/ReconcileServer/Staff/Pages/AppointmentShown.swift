import Foundation
import ReconcileCore
import ReconcileStore

/// The one way staff pages write an appointment's time: London, "Tuesday 8 December 2026, 10:00", with the zone
/// added only in the hour the clocks go back, when "01:30" alone would name two moments.
enum StaffTimes {
    static let weekdayDate = Date.FormatStyle(date: .complete, time: .omitted, locale: Locale(identifier: "en_GB"), timeZone: WorkingDays.timeZone)

    static func clock(_ instant: Date) -> String {
        LondonTime.clockTime(instant) + (LondonTime.isAmbiguous(instant) ? " \(LondonTime.zoneName(instant))" : "")
    }

    static func moment(_ instant: Date) -> String { "\(instant.formatted(weekdayDate)), \(clock(instant))" }

    /// A London day `YYYY-MM-DD` with its weekday (noon, so no zone moves the day); the text itself if it is not one.
    static func weekday(_ day: String) -> String {
        WorkingDays.day(day).map { $0.addingTimeInterval(12 * 3600).formatted(weekdayDate) } ?? day
    }

    /// "10:00 to 11:00".
    static func span(_ a: AppointmentView) -> String { "\(clock(a.startsAt)) to \(clock(a.endsAt))" }

    static func statusWords(_ status: AppointmentStatus) -> String {
        switch status {
        case .scheduled: "Planned"
        case .moved: "Moved"
        case .cancelled: "Cancelled"
        case .held: "Held"
        }
    }
}

/// An appointment on the case page, with the forms that may still change it.
struct AppointmentShown: Sendable, Encodable {
    let id, when, length, modality, practitioner, status: String
    let note: String?
    /// Still to happen or to be recorded: it can be moved or cancelled.
    let active: Bool
    /// It has started: it can be recorded as held (a listening session).
    let canHold: Bool
    let date, time, minutes: String
    /// The listening session's practice-record boxes, ids unique to this appointment.
    let holdBoxes: [CasePageModel.PracticeBox]
    let diaryHref: String

    init(_ a: AppointmentView, now: Date, boxes: [CasePageModel.PracticeBox]) {
        (id, when, length) = (a.id, StaffTimes.moment(a.startsAt), "\(a.durationMinutes) minutes")
        modality = StaffPageKit.words(a.modality.rawValue).lowercased()
        (practitioner, status, note) = (a.practitioner, StaffTimes.statusWords(a.status), a.note)
        active = a.status.isActive
        canHold = active && a.startsAt <= now
        (date, time, minutes) = (WorkingDays.londonDate(a.startsAt), LondonTime.clockTime(a.startsAt), "\(a.durationMinutes)")
        holdBoxes = boxes.map { CasePageModel.PracticeBox(id: "ap-\(a.id.prefix(8))-\($0.id)", name: $0.name, label: $0.label, required: $0.required) }
        diaryHref = "/staff/diary?date=\(WorkingDays.londonDate(a.startsAt))"
    }
}

extension CasePageModel {
    /// The appointments and the form to plan one: for the case's practitioner or any lead (the store checks again),
    /// at every open stage.
    mutating func showAppointments(_ d: CaseDetail, staff: StaffAccount, team: [StaffCaseload], now: Date) {
        appointments = d.appointments.map { AppointmentShown($0, now: now, boxes: listenBoxes) }
        hasAppointments = !appointments.isEmpty
        canPlan = d.stage != .closed
        let allowed = team.filter { $0.role == .lead || $0.email == d.assignedTo }
        let mine = allowed.contains { $0.email == staff.email }
        appointmentPractitioners = allowed.map { s in
            Choice(value: s.email, label: "\(s.email), \(StaffPageKit.words(s.role.rawValue).lowercased())",
                   selected: mine ? s.email == staff.email : s.email == d.assignedTo)
        }
        appointmentDurations = [30, 45, 60, 90].map { Choice(value: "\($0)", label: "\($0) minutes", selected: $0 == 60) }
        diaryToday = "/staff/diary?date=\(WorkingDays.londonDate(now))"
    }
}
