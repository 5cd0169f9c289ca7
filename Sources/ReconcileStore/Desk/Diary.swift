import Foundation
import GRDB
import ReconcileCore

// Reading appointments across cases: the diary (a practitioner's own, a lead's team), tomorrow's reminders for
// families who asked for notices, and what a family sees in the portal. References, times and codes only: no note
// is opened here, so none of these reads writes an audit row.

extension AppDatabase {
    /// Appointments on the desk: still to happen today or later this week (London, Monday to Sunday), and any of
    /// the last fortnight that has started but is not yet recorded as held or cancelled (overdue).
    static func deskAppointments(_ db: Database, practitioner: String?, now: Date, limit: Int) throws -> [WorkItem] {
        let today = WorkingDays.londonDate(now)
        guard let monday = LondonTime.monday(of: today), let nextMonday = WorkingDays.day(7, after: monday),
              let weekEnd = WorkingDays.day(nextMonday) else { return [] }
        let scope = practitioner == nil ? "" : " AND a.practitioner_id = ?"
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.id, a.case_id, a.starts_at, c.reference, s.email FROM case_appointment a
            JOIN referral_case c ON c.id = a.case_id LEFT JOIN staff_account s ON s.id = a.practitioner_id
            WHERE a.starts_at >= ? AND a.starts_at < ? AND a.status IN ('scheduled', 'moved') AND c.erased_at IS NULL\(scope)
            ORDER BY a.starts_at LIMIT ?
            """, arguments: [now.addingTimeInterval(-14 * 86_400), weekEnd] + (practitioner.map { [$0] } ?? []) + [limit])
        return try rows.map { row in
            let starts: Date = try row.value("starts_at")
            return WorkItem(kind: .appointment, caseID: try row.value("case_id"), reference: try row.value("reference"),
                            assignedTo: try row.value("email"), due: WorkingDays.londonDate(starts), overdue: starts <= now,
                            recordID: try row.value("id"), startsAt: starts)
        }
    }

    /// Appointments still to come on an open case, for the family: when, how long, how; never who.
    static func portalAppointments(_ db: Database, caseID: CaseID, now: Date) throws -> [PortalAppointment] {
        try Row.fetchAll(db, sql: """
            SELECT a.starts_at, a.duration_minutes, a.modality, a.status FROM case_appointment a JOIN referral_case c ON c.id = a.case_id
            WHERE a.case_id = ? AND a.ends_at > ? AND a.status IN ('scheduled', 'moved') AND c.stage <> 'closed'
            ORDER BY a.starts_at LIMIT 20
            """, arguments: [caseID, now]).compactMap { row in
            guard let modality = ListeningModality(rawValue: try row.value("modality")) else { return nil }
            return PortalAppointment(startsAt: try row.value("starts_at"), durationMinutes: try row.value("duration_minutes"),
                                     modality: modality, moved: (try row.value("status", as: String.self)) == AppointmentStatus.moved.rawValue)
        }
    }
}

extension DeskStore {
    /// Appointments starting in [from, to), not cancelled, of cases not erased: a practitioner's own; a lead's
    /// whole team, or one member's (`practitionerEmail`). A practitioner naming anyone else is refused.
    public func diary(from: Date, to: Date, practitionerEmail: String?, by actor: StaffActor) async throws -> [AppointmentView] {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        return try await reader.read { db in
            var who: String? = actor.role == .practitioner ? actor.id : nil
            if let email = practitionerEmail?.lowercased(), !email.isEmpty {
                guard let id = try String.fetchOne(db, sql: "SELECT id FROM staff_account WHERE email = ? AND role IN ('practitioner', 'lead')",
                                                   arguments: [email]) else { throw AppointmentError.unknownPractitioner }
                if actor.role == .practitioner && id != actor.id { throw CaseAccessError.forbidden }
                who = id
            }
            let scope = who == nil ? "" : " AND a.practitioner_id = ?"
            return try AppDatabase.appointmentViews(db, sql: """
                SELECT a.*, c.reference FROM case_appointment a JOIN referral_case c ON c.id = a.case_id
                WHERE a.starts_at >= ? AND a.starts_at < ? AND a.status <> 'cancelled' AND c.erased_at IS NULL\(scope)
                ORDER BY a.starts_at LIMIT 2000
                """, arguments: [from, to] + (who.map { [$0] } ?? []), cipher: nil)
        }
    }

    /// Queues a content-free reminder for each appointment tomorrow (London) whose family asked for notices, once
    /// per appointment and day (a moved appointment is reminded of again). Returns how many were queued.
    @discardableResult
    public func queueAppointmentReminders(now: Date = Date()) async throws -> Int {
        let today = WorkingDays.londonDate(now)
        guard let tomorrow = WorkingDays.day(1, after: today), let from = WorkingDays.day(tomorrow),
              let after = WorkingDays.day(2, after: today).flatMap(WorkingDays.day) else { return 0 }
        return try await writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.id, a.case_id FROM case_appointment a JOIN referral_case c ON c.id = a.case_id
                WHERE a.starts_at >= ? AND a.starts_at < ? AND a.status IN ('scheduled', 'moved')
                  AND c.stage <> 'closed' AND c.erased_at IS NULL AND c.notify_by_email = 1 AND c.contact_email IS NOT NULL
                """, arguments: [from, after])
            var queued = 0
            for row in rows {
                let id: String = try row.value("id"), caseID: CaseID = try row.value("case_id")
                try db.execute(sql: """
                    INSERT INTO mail_outbox (id, kind, case_id, dedupe_key, created_at, next_attempt_at, reminder)
                    VALUES (?, 'family_notice', ?, ?, ?, ?, 1) ON CONFLICT (dedupe_key) DO NOTHING
                    """, arguments: [AppDatabase.newID(), caseID, "reminder:\(id):\(tomorrow)", now, now])
                queued += db.changesCount
            }
            return queued
        }
    }
}

/// An appointment as the family's portal shows it.
public struct PortalAppointment: Sendable, Equatable {
    public let startsAt: Date
    public let durationMinutes: Int
    public let modality: ListeningModality
    /// It was moved from the time first planned.
    public let moved: Bool
}
