import Foundation
import GRDB
import ReconcileCore

// A new passphrase from the partner, for a family who lost theirs: without it they would send a second form,
// counted twice for the council and cut off from their thread. The practitioner confirms how they checked who is
// asking; the words are returned once, to be passed on by phone or in person, and kept nowhere (only the keyed
// verifier changes). The family is told at their next sign-in, so a reissue they did not ask for does not go unseen.

/// How the practitioner checked who was asking, by the contact the family chose at referral.
public enum IdentityCheck: String, FixedList {
    /// Called back on the phone number the family gave.
    case phone
    /// Wrote to the email address the family gave, and they answered.
    case email
    /// Met in person someone the practitioner already knows from the case.
    case inPerson = "in_person"
}

/// What the practitioner passes on: shown once, never stored.
public struct ReissuedPassphrase: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let reference: String
    public let passphrase: String
    public let issuedAt: Date
    /// How many more may be issued for this case today (London), or nil when the day has no bound.
    public let leftToday: Int?

    public var description: String { "ReissuedPassphrase(\(reference), words redacted)" }
    public var debugDescription: String { description }
}

public enum PassphraseReissueError: Error, Equatable {
    /// `limits.passphrase_reissues_per_day` already issued for this case today (London).
    case tooManyToday
    /// The case's personal data is gone: there is nothing to sign in to.
    case erased
}

/// A family's portal writes bounded per case per London day (messages, feedback), counted in the write transaction.
public enum FamilyDailyBound: Error, Equatable {
    case messages, feedback
}

extension AppDatabase {
    /// At sign-in (inside its transaction): a reissue not yet told moves from the case to this new session.
    static func carryReissueNotice(_ db: Database, caseID: CaseID, tokenHash: Data) throws {
        guard let at = try Date.fetchOne(db, sql: "SELECT passphrase_reissued_at FROM referral_case WHERE id = ?", arguments: [caseID]) else {
            return
        }
        try db.execute(sql: "UPDATE portal_session SET passphrase_reissued_at = ? WHERE token_hash = ?", arguments: [at, tokenHash])
        try db.execute(sql: "UPDATE referral_case SET passphrase_reissued_at = NULL WHERE id = ?", arguments: [caseID])
    }

    /// Refuses a family's portal write past `perDay` of its kind today (London); 0 lifts the bound. Called inside the
    /// write transaction that then stores it, so writes sent at once cannot all pass the count.
    static func checkFamilyDailyBound(_ db: Database, caseID: CaseID, _ bound: FamilyDailyBound, perDay: Int, now: Date) throws {
        guard perDay > 0 else { return }
        let since = londonStartOfDay(now)
        let sent: Int = switch bound {
        case .messages:
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_message WHERE case_id = ? AND sender = 'family' AND sent_at >= ?",
                             arguments: [caseID, since]) ?? 0
        case .feedback:
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event WHERE case_id = ? AND actor = 'family' AND action = 'feedback' AND at >= ?",
                             arguments: [caseID, since]) ?? 0
        }
        guard sent < perDay else { throw bound }
    }

    /// Midnight in London at the start of the day containing `now` (daily bounds reset then, as the family's day does).
    static func londonStartOfDay(_ now: Date) -> Date {
        WorkingDays.day(WorkingDays.londonDate(now)) ?? now
    }
}

extension PortalStore {
    /// Replaces the case's passphrase verifier with one for six new words, ends every portal session of the case,
    /// records the event (timeline) and the audit row (check used, never the words), and marks the case so the
    /// family's next sign-in is told. One write transaction: concurrent reissues are serialised and counted, so no
    /// more than `perDay` (0: no bound) pass in a London day and exactly the last one committed works.
    /// A practitioner may reissue only on their assigned cases (anything else is `CaseAccessError.notAssigned`, the
    /// same 404 as a case that does not exist); an erased case is `PassphraseReissueError.erased`.
    public func reissuePassphrase(caseID: CaseID, check: IdentityCheck, perDay: Int, by actor: StaffActor,
                                  now: Date = Date()) async throws -> ReissuedPassphrase {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        // Drawn and hashed before the transaction: the words stay in this function and its caller's answer.
        let words = Passphrase.generate()
        let verifier = try PassphraseVerifier.make(caseID: caseID, passphrase: Passphrase.normalise(words), keys: keys)
        return try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT reference, stage, assigned_to, erased_at FROM referral_case WHERE id = ?",
                                             arguments: [caseID]) else { throw StoreError.caseNotFound }
            // Who may open the case is asked first, so an erased case someone may not open is the same 404 as no case.
            guard actor.mayWork(caseAssignedTo: try row.value("assigned_to", as: String?.self)) else {
                throw actor.role == .practitioner ? CaseAccessError.notAssigned : CaseAccessError.forbidden
            }
            if row.holdsValue("erased_at") { throw PassphraseReissueError.erased }
            guard let reference = try row.value("reference", as: String?.self), let stage = Stage(rawValue: try row.value("stage", as: String?.self) ?? "") else {
                throw StoreError.integrity("case \(caseID) has no reference or an unknown stage")
            }
            let issuedToday = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM case_event WHERE case_id = ? AND action = 'passphrase_reissued' AND at >= ?
                """, arguments: [caseID, AppDatabase.londonStartOfDay(now)]) ?? 0
            guard perDay == 0 || issuedToday < perDay else { throw PassphraseReissueError.tooManyToday }

            try db.execute(sql: "UPDATE referral_case SET passphrase_hash = ?, passphrase_reissued_at = ? WHERE id = ?",
                           arguments: [verifier, now, caseID])
            // Every session of the case ends now: whoever holds the old words, or a phone left signed in, is out.
            try db.execute(sql: "UPDATE portal_session SET revoked_at = ? WHERE case_id = ? AND revoked_at IS NULL",
                           arguments: [now, caseID])
            let sessionsEnded = db.changesCount
            let current = WorkableCase(id: caseID, stage: stage, assignedTo: try row.value("assigned_to"))
            try AppDatabase.recordEvent(db, current, actor: actor, action: .passphraseReissued, to: stage,
                                 detail: "check=\(check.rawValue),sessions_ended=\(sessionsEnded)", note: nil, keys: keys, at: now)
            return ReissuedPassphrase(reference: reference, passphrase: words, issuedAt: now,
                                      leftToday: perDay == 0 ? nil : perDay - issuedToday - 1)
        }
    }

    /// When a new passphrase was issued, if the signed-in session with this token is the first sign-in since: the
    /// portal tells the family, so a reissue they did not ask for is noticed.
    public func portalReissueNotice(token: String) async throws -> Date? {
        guard StaffSecrets.isPlausibleToken(token) else { return nil }
        let tokenHash = try AppDatabase.portalTokenHash(token, keys: keys)
        return try await reader.read { db in
            try Date.fetchOne(db, sql: "SELECT passphrase_reissued_at FROM portal_session WHERE token_hash = ?", arguments: [tokenHash])
        }
    }
}
