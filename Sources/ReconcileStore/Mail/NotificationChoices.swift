import Foundation
import GRDB
import ReconcileCore

/// What a member of staff has chosen to be told by email. None of it carries case content: each alert says only
/// that something is waiting in Reconcile.
public struct NotificationChoices: Sendable, Equatable {
    /// A new referral in one of `areas` (every area when empty).
    public var newReferral: Bool
    /// A family replied on a case assigned to them.
    public var familyReply: Bool
    /// Acknowledgements overdue: one email a day at most.
    public var overdue: Bool
    /// Nothing as it happens: one padded digest a day, sent whether or not anything happened, so neither the
    /// time nor the size of a message says when a referral arrived.
    public var digestOnly: Bool
    public var areas: [String]

    public init(newReferral: Bool, familyReply: Bool, overdue: Bool, digestOnly: Bool = false, areas: [String] = []) {
        (self.newReferral, self.familyReply, self.overdue, self.digestOnly, self.areas) = (newReferral, familyReply, overdue, digestOnly, areas)
    }

    /// Before anyone chooses: leads hear of new referrals and overdue acknowledgements; everyone who works
    /// cases hears of replies on their own cases.
    public static func defaults(for role: StaffRole) -> NotificationChoices {
        NotificationChoices(newReferral: role == .lead, familyReply: role.mayWorkCases, overdue: role == .lead)
    }
}

/// What a family has chosen: a neutral email when staff write to them, and whether it may name the service.
public struct FamilyNoticeChoice: Sendable, Equatable, Encodable {
    public var notifyByEmail: Bool
    public var namesService: Bool
    /// Whether the case holds an email address at all (a notice cannot be chosen without one).
    public var hasEmail: Bool

    public init(notifyByEmail: Bool, namesService: Bool, hasEmail: Bool) {
        (self.notifyByEmail, self.namesService, self.hasEmail) = (notifyByEmail, namesService, hasEmail)
    }
}

public enum NotificationChoiceError: Error, Equatable {
    /// An area that is not one of `areas.council_areas`.
    case unknownArea
    /// A family asked for email notices but gave no email address.
    case noEmailAddress
}

extension AppDatabase {
    static func notificationChoices(_ db: Database, staffID: String, role: StaffRole) throws -> NotificationChoices {
        guard let row = try db.fetchRowCached(sql: "SELECT * FROM staff_notification WHERE staff_id = ?", arguments: [staffID]) else {
            return .defaults(for: role)
        }
        let areas = (try? JSONDecoder().decode([String].self, from: Data((try row.value("areas", as: String.self)).utf8))) ?? []
        return NotificationChoices(newReferral: try row.value("new_referral"), familyReply: try row.value("family_reply"), overdue: try row.value("overdue"),
                                   digestOnly: try row.value("digest_only"), areas: areas)
    }

    /// Inside the caller's transaction (the intake can call this in the referral's own savepoint).
    static func setFamilyNotice(_ db: Database, caseID: CaseID, notifyByEmail: Bool, namesService: Bool, keys: KeyRing, at now: Date) throws {
        let current = try Self.portalCase(db, caseID: caseID)
        let hasEmail = try Bool.fetchOne(db, sql: "SELECT contact_email IS NOT NULL FROM referral_case WHERE id = ?", arguments: [caseID]) ?? false
        if notifyByEmail && !hasEmail { throw NotificationChoiceError.noEmailAddress }
        try db.execute(sql: "UPDATE referral_case SET notify_by_email = ?, notice_names_service = ? WHERE id = ?",
                       arguments: [notifyByEmail, notifyByEmail && namesService, caseID])
        try Self.recordFamilyEvent(db, current, action: .familyNotice, audit: .portalNotice, to: current.stage,
                                   detail: "notify_by_email=\(notifyByEmail),names_service=\(notifyByEmail && namesService)",
                                   keys: keys, at: now)
    }
}

extension MailStore {
    /// The staff member's choices, or their role's defaults.
    public func notificationChoices(for actor: StaffActor) async throws -> NotificationChoices {
        try await reader.read { db in try AppDatabase.notificationChoices(db, staffID: actor.id, role: actor.role) }
    }

    /// Stores the staff member's choices, all of them.
    public func setNotificationChoices(_ choices: NotificationChoices, for actor: StaffActor, councilAreas: [String], now: Date = Date()) async throws {
        try await changeNotificationChoices(for: actor, councilAreas: councilAreas, now: now) { _ in choices }
    }

    /// Changes the staff member's choices from what is stored, read in the same write transaction, so two partial
    /// changes sent at once both last (neither writes back a value the other had just changed).
    public func changeNotificationChoices(for actor: StaffActor, councilAreas: [String], now: Date = Date(),
                                          _ change: @escaping @Sendable (NotificationChoices) -> NotificationChoices) async throws {
        try await writer.write { db in
            let choices = change(try AppDatabase.notificationChoices(db, staffID: actor.id, role: actor.role))
            let areas = Array(Set(choices.areas)).sorted()
            guard areas.allSatisfy(councilAreas.contains) else { throw NotificationChoiceError.unknownArea }
            let json = String(decoding: try JSONEncoder().encode(areas), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO staff_notification (staff_id, new_referral, family_reply, overdue, digest_only, areas, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (staff_id) DO UPDATE SET new_referral = excluded.new_referral, family_reply = excluded.family_reply,
                    overdue = excluded.overdue, digest_only = excluded.digest_only, areas = excluded.areas, updated_at = excluded.updated_at
                """, arguments: [actor.id, choices.newReferral, choices.familyReply, choices.overdue, choices.digestOnly, json, now])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .staffNotifications, caseID: nil,
                                                detail: "new_referral=\(choices.newReferral),family_reply=\(choices.familyReply),"
                                                    + "overdue=\(choices.overdue),digest_only=\(choices.digestOnly),areas=\(areas.count)"),
                                 at: now, keys: keys)
        }
    }

    /// The family's notice choice for a case.
    public func familyNoticeChoice(caseID: CaseID) async throws -> FamilyNoticeChoice {
        try await reader.read { db in
            _ = try AppDatabase.portalCase(db, caseID: caseID)
            guard let row = try Row.fetchOne(db, sql: """
                SELECT notify_by_email, notice_names_service, contact_email IS NOT NULL AS has_email FROM referral_case WHERE id = ?
                """, arguments: [caseID]) else { throw StoreError.caseNotFound }
            return FamilyNoticeChoice(notifyByEmail: try row.value("notify_by_email"), namesService: try row.value("notice_names_service"),
                                      hasEmail: try row.value("has_email"))
        }
    }

    /// Sets the family's choice (from the portal, or from intake once it asks); nil leaves that part as it is, read in
    /// the same write transaction, so two partial changes sent at once both last. Turning the notice on needs an email
    /// address on the case; turning it off always works.
    public func setFamilyNotice(caseID: CaseID, notifyByEmail: Bool?, namesService: Bool?, now: Date = Date()) async throws {
        try await writer.write { db in
            let stored = try Row.fetchOne(db, sql: "SELECT notify_by_email, notice_names_service FROM referral_case WHERE id = ?",
                                          arguments: [caseID])
            let on = try notifyByEmail ?? (stored?.value("notify_by_email") ?? false)
            let named = try namesService ?? (stored?.value("notice_names_service") ?? false)
            try AppDatabase.setFamilyNotice(db, caseID: caseID, notifyByEmail: on, namesService: named, keys: keys, at: now)
        }
    }
}
