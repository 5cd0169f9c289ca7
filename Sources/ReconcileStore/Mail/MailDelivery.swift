import Foundation
import GRDB
import ReconcileCore

/// What a daily digest counts, read when it is sent (the outbox row holds none of it).
public struct DigestCounts: Sendable, Equatable {
    public let newReferrals: Int, replies: Int, overdue: Int
    public init(newReferrals: Int, replies: Int, overdue: Int) { (self.newReferrals, self.replies, self.overdue) = (newReferrals, replies, overdue) }
}

/// One message ready to go: its address was read a moment ago (a family's opened from their sealed contact) and
/// lives only in memory until it is handed to the relay. Printing it never shows the address.
public struct OutgoingMail: Sendable, CustomStringConvertible {
    public let id: String
    public let kind: NoticeKind
    public let address: String
    public let attempts: Int
    /// A family notice that may name the service (they agreed).
    public var namesService = false
    public var digest: DigestCounts?
    /// A family notice is written in the language the referral was made in.
    public var language: FamilyLanguage = .english
    /// A family notice that reminds of an appointment tomorrow (its own fixed words, still nothing of the case).
    public var reminder = false

    public var description: String { "OutgoingMail(\(id), \(kind.rawValue), address redacted)" }
}

/// Whether the relay is taking mail, as `check` and `/readyz` report it.
public struct MailHealth: Sendable, Equatable {
    public let waiting: Int
    /// The earliest failure of a message still waiting: the relay has been failing at least since then.
    public let failingSince: Date?
    /// Messages refused for good (a permanent SMTP reply) in the last seven days.
    public let refused: Int
}

extension AppDatabase {
    fileprivate static func resolve(_ db: Database, id: String, kind: NoticeKind, staffID: String?, caseID: CaseID?, attempts: Int,
                                keys: KeyRing, workingDays: Int, now: Date) throws -> OutgoingMail? {
        if kind == .familyNotice {
            guard let caseID, let row = try Row.fetchOne(db, sql: """
                SELECT contact_email, notice_names_service, language FROM referral_case
                WHERE id = ? AND notify_by_email = 1 AND erased_at IS NULL AND contact_email IS NOT NULL
                """, arguments: [caseID]) else { return nil }
            let address = try caseCipher(db, caseID: caseID, keys: keys).open(try row.value("contact_email"), field: PersonalField.email)
            var mail = OutgoingMail(id: id, kind: kind, address: address, attempts: attempts)
            mail.namesService = try row.value("notice_names_service")
            mail.language = (try row.value("language", as: String?.self)).flatMap(FamilyLanguage.init(rawValue:)) ?? .english
            return mail
        }
        guard let staffID, let row = try Row.fetchOne(db, sql: "SELECT email, role FROM staff_account WHERE id = ? AND disabled_at IS NULL",
                                                       arguments: [staffID]),
              let role = StaffRole(rawValue: try row.value("role")) else { return nil }
        var mail = OutgoingMail(id: id, kind: kind, address: try row.value("email"), attempts: attempts)
        if kind == .digest {
            let choices = try notificationChoices(db, staffID: staffID, role: role)
            let since = now.addingTimeInterval(-24 * 3600)
            let areas = choices.areas
            let newReferrals = choices.newReferral ? try Row.fetchAll(db, sql: """
                SELECT council_area FROM referral_case WHERE received_at > ? AND erased_at IS NULL
                """, arguments: [since]).filter { row in try areas.isEmpty || areas.contains(row.value("council_area")) }.count : 0
            let replies = choices.familyReply ? try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM case_message m JOIN referral_case c ON c.id = m.case_id
                WHERE c.assigned_to = ? AND m.sender = 'family' AND m.read_at IS NULL
                """, arguments: [staffID]) ?? 0 : 0
            let overdue = choices.overdue ? try overdueCount(db, staffID: staffID, role: role, choices: choices, workingDays: workingDays, now: now) : 0
            mail.digest = DigestCounts(newReferrals: newReferrals, replies: replies, overdue: overdue)
        }
        return mail
    }

    /// A claim older than this is taken to be a pass that died without a crash of the process (a crash is
    /// handled at start, `releaseMailClaims`).
    static let claimLease: TimeInterval = 600
}

extension MailStore {
    /// Messages due now, oldest first, with their addresses. A notice that can no longer go (the family turned
    /// notices off or was erased, the account was disabled) is dropped here rather than sent.
    public func dueMail(limit: Int, acknowledgementWorkingDays: Int, now: Date = Date()) async throws -> [OutgoingMail] {
        try await writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, kind, staff_id, case_id, attempts, reminder FROM mail_outbox
                WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ? AND (claimed_at IS NULL OR claimed_at < ?)
                ORDER BY next_attempt_at, created_at LIMIT ?
                """, arguments: [now, now.addingTimeInterval(-AppDatabase.claimLease), limit])
            var due: [OutgoingMail] = []
            for row in rows {
                let id: String = try row.value("id")
                guard let kind = NoticeKind(rawValue: try row.value("kind")) else { continue }
                if var mail = try AppDatabase.resolve(db, id: id, kind: kind, staffID: try row.value("staff_id"), caseID: try row.value("case_id"), attempts: try row.value("attempts"),
                                               keys: keys, workingDays: acknowledgementWorkingDays, now: now) {
                    // Claimed in this transaction: a second pass running at the same time cannot take it too.
                    try db.execute(sql: "UPDATE mail_outbox SET claimed_at = ? WHERE id = ?", arguments: [now, id])
                    mail.reminder = try row.value("reminder")
                    due.append(mail)
                } else {
                    try db.execute(sql: "DELETE FROM mail_outbox WHERE id = ?", arguments: [id])
                }
            }
            return due
        }
    }

    /// At start: no pass is running yet, so claims left by a killed process are released and their messages go.
    public func releaseMailClaims() async throws {
        try await writer.write { db in try db.execute(sql: "UPDATE mail_outbox SET claimed_at = NULL WHERE claimed_at IS NOT NULL") }
    }

    /// The relay took the message (250 after DATA). Only a row not already marked changes.
    public func markMailSent(id: String, now: Date = Date()) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE mail_outbox SET sent_at = ?, last_error = NULL, claimed_at = NULL WHERE id = ? AND sent_at IS NULL", arguments: [now, id])
        }
    }

    /// The message did not go. `permanent` (a 5xx reply): never tried again. Otherwise tried again after a backoff
    /// that doubles from 5 s up to `retryMax`. `error` is a reply code or an error type, never a value.
    public func markMailFailed(id: String, error: String, permanent: Bool, retryMax: TimeInterval, now: Date = Date()) async throws {
        try await writer.write { db in
            let attempts = try Int.fetchOne(db, sql: "SELECT attempts FROM mail_outbox WHERE id = ?", arguments: [id]) ?? 0
            let delay = min(retryMax, 5 * pow(2, Double(min(attempts, 20))))
            try db.execute(sql: """
                UPDATE mail_outbox SET attempts = attempts + 1, first_failed_at = COALESCE(first_failed_at, ?), last_error = ?,
                    next_attempt_at = ?, given_up_at = ?, claimed_at = NULL WHERE id = ? AND sent_at IS NULL
                """, arguments: [now, String(error.prefix(120)), now.addingTimeInterval(delay), permanent ? now : nil, id])
        }
    }

    public func mailHealth(now: Date = Date()) async throws -> MailHealth {
        try await reader.read { db in
            // An aggregate without GROUP BY always answers one row.
            guard let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS waiting, MIN(first_failed_at) AS failing_since FROM mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL
                """) else { throw StoreError.integrity("the outbox count answered no row") }
            let refused = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mail_outbox WHERE given_up_at > ?",
                                           arguments: [now.addingTimeInterval(-7 * 86_400)]) ?? 0
            return MailHealth(waiting: try row.value("waiting"), failingSince: try row.value("failing_since"), refused: refused)
        }
    }

    /// Forgets sent and refused messages after two days (the daily dedupe needs one); they hold no content, but
    /// a long trail of who was alerted when says more than anyone needs.
    public func pruneSentMail(now: Date = Date()) async throws {
        let before = now.addingTimeInterval(-2 * 86_400)
        try await writer.write { db in
            // Two statements, each a range of its own partial index (an OR of the two would scan the outbox).
            try db.execute(sql: "DELETE FROM mail_outbox WHERE sent_at < ?", arguments: [before])
            try db.execute(sql: "DELETE FROM mail_outbox WHERE given_up_at < ?", arguments: [before])
        }
    }
}
