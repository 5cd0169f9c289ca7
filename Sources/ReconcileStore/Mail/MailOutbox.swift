import Foundation
import GRDB
import ReconcileCore

/// The kinds of notice; each has a fixed subject and body (`NoticeText` in ReconcileCore), none with case content.
public enum NoticeKind: String, Sendable, CaseIterable {
    case newReferral = "new_referral", familyReply = "family_reply", overdue, digest, familyNotice = "family_notice"
}

// Each notice is queued inside the transaction of the event that causes it (a referral's savepoint, a message's
// write), so a committed event always has its notice and a rolled-back one never does.
extension AppDatabase {
    static func queueNotice(_ db: Database, kind: NoticeKind, staffID: String? = nil, caseID: CaseID? = nil, dedupeKey: String? = nil,
                            at now: Date) throws {
        try db.executeCached(sql: """
            INSERT INTO mail_outbox (id, kind, staff_id, case_id, dedupe_key, created_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING
            """, arguments: [newID(), kind.rawValue, staffID, caseID, dedupeKey, now, now])
    }

    /// Enabled staff who work cases, with their choices (defaults where they have not chosen).
    static func staffChoices(_ db: Database) throws -> [(id: String, role: StaffRole, choices: NotificationChoices)] {
        try db.fetchRowsCached(sql: """
            SELECT id, role FROM staff_account WHERE disabled_at IS NULL AND role IN ('practitioner', 'lead') ORDER BY id
            """).compactMap { row in
            guard let role = StaffRole(rawValue: try row.value("role")) else { return nil }
            let id: String = try row.value("id")
            return (id, role, try notificationChoices(db, staffID: id, role: role))
        }
    }

    /// A new referral: everyone who asked to hear of new referrals in its area, unless they take the digest only.
    static func queueNewReferralAlerts(_ db: Database, area: String, at now: Date) throws {
        for staff in try staffChoices(db) where staff.choices.newReferral && !staff.choices.digestOnly
            && (staff.choices.areas.isEmpty || staff.choices.areas.contains(area)) {
            try queueNotice(db, kind: .newReferral, staffID: staff.id, at: now)
        }
    }

    /// A family's reply: the assigned practitioner, if they asked (the default) and do not take the digest only.
    static func queueFamilyReplyAlert(_ db: Database, caseID: CaseID, at now: Date) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT s.id, s.role FROM referral_case c JOIN staff_account s ON s.id = c.assigned_to
            WHERE c.id = ? AND s.disabled_at IS NULL
            """, arguments: [caseID]), let role = StaffRole(rawValue: try row.value("role")) else { return }
        let choices = try notificationChoices(db, staffID: try row.value("id"), role: role)
        guard choices.familyReply, !choices.digestOnly else { return }
        try queueNotice(db, kind: .familyReply, staffID: try row.value("id"), at: now)
    }

    /// Staff wrote to the family: a neutral notice, only if the family chose one.
    static func queueFamilyNotice(_ db: Database, caseID: CaseID, at now: Date) throws {
        guard try Bool.fetchOne(db, sql: """
            SELECT notify_by_email = 1 AND contact_email IS NOT NULL AND erased_at IS NULL FROM referral_case WHERE id = ?
            """, arguments: [caseID]) == true else { return }
        try queueNotice(db, kind: .familyNotice, caseID: caseID, at: now)
    }

    /// Received cases past the acknowledgement target that this person would see: a lead's areas (all when none
    /// chosen), a practitioner's own assigned cases.
    static func overdueCount(_ db: Database, staffID: String, role: StaffRole, choices: NotificationChoices,
                             workingDays: Int, now: Date) throws -> Int {
        let rows = try Row.fetchAll(db, sql: """
            SELECT received_at, council_area FROM referral_case
            WHERE stage = 'received' AND erased_at IS NULL AND (? OR assigned_to = ?)
            """, arguments: [role == .lead, staffID])
        return try rows.filter { row in
            let area: String = try row.value("council_area"), receivedAt: Date = try row.value("received_at")
            return (role != .lead || choices.areas.isEmpty || choices.areas.contains(area))
                && WorkingDays.isOverdue(receivedAt: receivedAt, now: now, workingDays: workingDays)
        }.count
    }
}

extension MailStore {
    /// The day's mail, queued once per recipient and London day however often this runs (the dedupe key): the
    /// digest for everyone who takes it (always sent, whatever happened), and the overdue email for those who
    /// asked for it, when anything of theirs is overdue.
    public func queueDailyMail(acknowledgementWorkingDays: Int, now: Date = Date()) async throws -> Int {
        let day = WorkingDays.londonDate(now)
        return try await writer.write { db in
            var queued = 0
            for staff in try AppDatabase.staffChoices(db) {
                let before = db.totalChangesCount
                if staff.choices.digestOnly {
                    try AppDatabase.queueNotice(db, kind: .digest, staffID: staff.id, dedupeKey: "digest:\(staff.id):\(day)", at: now)
                } else if staff.choices.overdue,
                          try AppDatabase.overdueCount(db, staffID: staff.id, role: staff.role, choices: staff.choices,
                                                workingDays: acknowledgementWorkingDays, now: now) > 0 {
                    try AppDatabase.queueNotice(db, kind: .overdue, staffID: staff.id, dedupeKey: "overdue:\(staff.id):\(day)", at: now)
                }
                if db.totalChangesCount > before { queued += 1 }
            }
            return queued
        }
    }
}
