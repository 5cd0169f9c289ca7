import Foundation
import GRDB
import ReconcileCore
import Sodium

// The family's return visits (SPEC "People and roles"): sign in with reference + passphrase, read and send
// messages, see the stage in plain words, withdraw. Erasure and export live in Erasure.swift and
// CaseExport.swift. The family is never a staff actor: events they cause are recorded with actor "family",
// audit rows with actor "family:<case id>".

extension AppDatabase {
    // MARK: - Shared steps (inside the caller's transaction)

    /// The case as the portal may act on it: `caseNotFound`, or `erased` once its personal data is gone.
    static func portalCase(_ db: Database, caseID: CaseID) throws -> PortalCase {
        guard let row = try Row.fetchOne(db, sql: "SELECT reference, stage, close_reason, erased_at FROM referral_case WHERE id = ?",
                                         arguments: [caseID]) else {
            throw StoreError.caseNotFound
        }
        if row.holdsValue("erased_at") { throw StoreError.erased }
        guard let stage = Stage(rawValue: (try row.value("stage", as: String?.self)) ?? "") else {
            throw StoreError.integrity("case \(caseID) has an unknown stage")
        }
        let reason: String? = try row.value("close_reason")
        return PortalCase(id: caseID, reference: try row.value("reference"), stage: stage,
                          closeReason: reason.flatMap(CloseReason.init(rawValue:)))
    }

    /// A `case_event` with actor "family" (no note: the family's words live in their messages) and the
    /// matching audit row with actor "family:<case id>".
    static func recordFamilyEvent(_ db: Database, _ current: PortalCase, action: CaseEvent, audit: AuditAction, to: Stage,
                                  detail: String?, keys: KeyRing, at: Date) throws {
        try CaseEventRecord(id: newID(), caseId: current.id, at: at, actor: "family", action: action.rawValue,
                            fromStage: current.stage, toStage: to, detail: detail, note: nil).insert(db)
        let stages = current.stage == to ? "stage=\(to.rawValue)" : "stage=\(current.stage.rawValue)->\(to.rawValue)"
        try appendAudit(db, AuditEntry(actor: "family:\(current.id)", action: audit, caseID: current.id,
                                       detail: [detail, stages].compactMap { $0 }.joined(separator: ",")),
                        at: at, keys: keys)
    }

    /// Keyed hash of a portal token: the staff session hashing key, with a domain prefix so a portal token
    /// and a staff token can never share a hash.
    static func portalTokenHash(_ token: String, keys: KeyRing) throws -> Data {
        try StaffSecrets.tokenHash("portal\u{0}\(token)", keys: keys)
    }
}

extension PortalStore {
    // MARK: - Sessions

    /// Reference + passphrase, then a new portal session. Both are normalised first (`RS-7k3m q9xd` and
    /// `Maple river  Lantern …` work). The passphrase is checked against its keyed verifier (microseconds, no
    /// stretching: see `PassphraseVerifier`); a verifier still stored as Argon2id from before is checked on
    /// `pool` and replaced by a keyed one in the same transaction as the session. A reference that cannot be
    /// one is refused before any hashing. Every attempt is audited: "portal.sign_in" (actor
    /// "family:<case id>") or "portal.sign_in_failed" with a reason code.
    public func portalSignIn(reference: String, passphrase: String, policy: PortalSessionPolicy = .init(),
                             pool: SlowWorkPool = .shared, now: Date = Date()) async throws -> PortalSignIn {
        let reference = ReferenceFormat.normalise(reference)
        let typed = Passphrase.normalise(passphrase)

        func refuse(actor: String, caseID: CaseID?, reason: String) async throws -> Never {
            try await AuditStore(database, keys).recordAudit(AuditEntry(actor: actor, action: .portalSignInFailed, caseID: caseID, detail: reason),
                                  at: now)
            throw PortalAuthError.invalidCredentials
        }
        guard ReferenceFormat.isValid(reference), typed.utf8.count <= 512 else {
            try await refuse(actor: "unknown", caseID: nil, reason: "malformed_reference")
        }
        let found = try await reader.read { db -> PortalCaseFound? in
            try Row.fetchOne(db, sql: "SELECT id, passphrase_hash, erased_at FROM referral_case WHERE reference = ?",
                             arguments: [reference]).map {
                PortalCaseFound(id: try $0.value("id"), hash: try $0.value("passphrase_hash"), erased: $0.holdsValue("erased_at"))
            }
        }
        guard let found, !found.erased else {
            // The same keyed hash as a real check, so timing does not reveal which references exist.
            _ = try PassphraseVerifier.make(caseID: found?.id ?? CaseID("unknown"), passphrase: typed, keys: keys)
            if let found { try await refuse(actor: "family:\(found.id)", caseID: found.id, reason: "erased") }
            try await refuse(actor: "unknown", caseID: nil, reason: "unknown_reference")
        }
        let replacement: String?
        if PassphraseVerifier.isLegacyArgon2(found.hash) {
            let stored = found.hash
            guard try await pool.run({ PasswordHash.verify(typed, against: stored) }) else {
                try await refuse(actor: "family:\(found.id)", caseID: found.id, reason: "passphrase")
            }
            replacement = try PassphraseVerifier.make(caseID: found.id, passphrase: typed, keys: keys)
        } else {
            replacement = nil
        }
        if replacement == nil, try !PassphraseVerifier.matches(found.hash, caseID: found.id, passphrase: typed, keys: keys) {
            try await refuse(actor: "family:\(found.id)", caseID: found.id, reason: "passphrase")
        }

        let token = StaffSecrets.newToken()
        let tokenHash = try AppDatabase.portalTokenHash(token, keys: keys)
        let signedIn = try await writer.write { db -> Bool in
            // Re-read: the case may have been erased since the read above.
            guard let row = try Row.fetchOne(db, sql: "SELECT passphrase_hash, erased_at FROM referral_case WHERE id = ?",
                                             arguments: [found.id]),
                  !row.holdsValue("erased_at"), (try row.value("passphrase_hash", as: String.self)) == found.hash else {
                try AppDatabase.appendAudit(db, AuditEntry(actor: "family:\(found.id)", action: .portalSignInFailed,
                                                    caseID: found.id, detail: "erased"), at: now, keys: keys)
                return false
            }
            if let replacement {
                try db.execute(sql: "UPDATE referral_case SET passphrase_hash = ? WHERE id = ?", arguments: [replacement, found.id])
            }
            try SessionTable.family.start(db, tokenHash: tokenHash, ownerID: found.id.rawValue, lifetime: policy, now: now)
            try AppDatabase.carryReissueNotice(db, caseID: found.id, tokenHash: tokenHash)
            try AppDatabase.appendAudit(db, AuditEntry(actor: "family:\(found.id)", action: .portalSignIn, caseID: found.id),
                                 at: now, keys: keys)
            return true
        }
        guard signedIn else { throw PortalAuthError.invalidCredentials }
        return PortalSignIn(token: token, caseID: found.id)
    }

    /// The case a portal token opens, or nil if the token is unknown, revoked, idle longer than
    /// `policy.idle`, older than `policy.absolute`, or its case has been erased. Checked with a read;
    /// `last_seen_at` is written at most about once a minute (as `staffSession`).
    public func portalSession(token: String, policy: PortalSessionPolicy = .init(),
                              now: Date = Date()) async throws -> CaseID? {
        guard StaffSecrets.isPlausibleToken(token) else { return nil }
        let tokenHash = try AppDatabase.portalTokenHash(token, keys: keys)
        return try await SessionTable.family.live(tokenHash: tokenHash, lifetime: policy, now: now, in: database) { db, caseID in
            let erased = try Bool.fetchOne(db, sql: "SELECT erased_at IS NOT NULL FROM referral_case WHERE id = ?", arguments: [caseID])
            return erased == false ? CaseID(caseID) : nil
        }
    }

    /// Ends the portal session (sets `revoked_at`). Unknown or already ended tokens are ignored.
    public func portalSignOut(token: String, now: Date = Date()) async throws {
        guard StaffSecrets.isPlausibleToken(token) else { return }
        let tokenHash = try AppDatabase.portalTokenHash(token, keys: keys)
        try await writer.write { db in
            guard let caseID = try SessionTable.family.end(db, tokenHash: tokenHash, now: now).map(CaseID.init(_:)) else { return }
            try AppDatabase.appendAudit(db, AuditEntry(actor: "family:\(caseID)", action: .portalSignOut, caseID: caseID),
                                 at: now, keys: keys)
        }
    }

    // MARK: - The family's page

    /// The stage in plain words and every message both ways, oldest first, decrypted. Reading does not mark
    /// the partner's messages read (`read_at` tracks only the family's replies, for staff).
    public func portalView(caseID: CaseID, now: Date = Date()) async throws -> PortalView {
        try await reader.read { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let messages = try CaseMessageRecord.filter(CaseMessageRecord.Columns.caseId == caseID)
                .order(CaseMessageRecord.Columns.sentAt, Column.rowID).fetchAll(db)
            var view = PortalView(
                reference: current.reference, stage: current.stage, closeReason: current.closeReason,
                stageText: StageText.forFamily(current.stage, closeReason: current.closeReason),
                messages: try messages.map { m in
                    PortalMessage(from: m.sender == .family ? "you" : "partner",
                                  body: try cipher.open(m.body, field: WorkflowField.messageBody(m.id)), at: m.sentAt)
                },
                erasure: try AppDatabase.erasureStatus(db, caseID: caseID))
            let row = try Row.fetchOne(db, sql: "SELECT come_back_requested_at, language FROM referral_case WHERE id = ?", arguments: [caseID])
            view.comeBackRequestedAt = row?["come_back_requested_at"]
            view.language = (row?["language"] as String?).flatMap(FamilyLanguage.init(rawValue:))
            view.closureSummary = try AppDatabase.closureSummary(db, caseID: caseID, cipher: cipher)
            view.continuesIn = try AppDatabase.continuedIn(db, caseID: caseID)?.reference
            view.meetings = try Row.fetchAll(db, sql: "SELECT party, status, held_on FROM case_meeting WHERE case_id = ? ORDER BY requested_at, rowid",
                                             arguments: [caseID]).compactMap { row in
                guard let party = MeetingParty(rawValue: try row.value("party")), let status = MeetingStatus(rawValue: try row.value("status"))
                else { return nil }
                return PortalMeeting(party: party, status: status, heldOn: try row.value("held_on"))
            }
            view.appointments = try AppDatabase.portalAppointments(db, caseID: caseID, now: now)
            return view
        }
    }

    /// A message from the family to the partner, sealed like staff messages. Allowed at every stage: a family
    /// may write after closure (the partner sees it as unread in the work list). Returns the message id.
    /// At most `perDay` a London day (0: no bound), counted in this transaction (`FamilyDailyBound.messages`).
    public func familyMessage(caseID: CaseID, body: String, perDay: Int = 0, now: Date = Date()) async throws -> String {
        let body = try AppDatabase.cleanMessage(body)
        return try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            try AppDatabase.checkFamilyDailyBound(db, caseID: caseID, .messages, perDay: perDay, now: now)
            let id = AppDatabase.newID()
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            try CaseMessageRecord(
                id: id, caseId: caseID, sender: .family, author: nil, sentAt: now,
                body: try cipher.seal(body, field: WorkflowField.messageBody(id)), readAt: nil
            ).insert(db)
            try AppDatabase.recordFamilyEvent(db, current, action: .familyMessage, audit: .portalMessage, to: current.stage,
                                       detail: "message=\(id)", keys: keys, at: now)
            try AppDatabase.queueFamilyReplyAlert(db, caseID: caseID, at: now)
            return id
        }
    }

    /// The family withdraws: the case closes as `withdrawn` (refused with `TransitionRefused` if already closed).
    public func withdraw(caseID: CaseID, now: Date = Date()) async throws {
        try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            let action = CaseAction.close(.withdrawn)
            let next = try CaseLifecycle.stage(after: action, from: current.stage)
            try db.execute(sql: "UPDATE referral_case SET stage = ?, close_reason = ?, closed_at = ? WHERE id = ? AND stage = ?",
                           arguments: [next.rawValue, CloseReason.withdrawn.rawValue, now, caseID, current.stage.rawValue])
            guard db.changesCount == 1 else { throw StoreError.integrity("case \(caseID) changed stage concurrently") }
            try AppDatabase.cancelLiveAppointments(db, caseID: caseID, by: "family", at: now)
            try AppDatabase.recordFamilyEvent(db, current, action: action.event, audit: .portalWithdraw, to: next,
                                       detail: "reason=\(CloseReason.withdrawn.rawValue)", keys: keys, at: now)
        }
    }
}

/// The case a reference names, as sign-in reads it before checking the passphrase.
private struct PortalCaseFound: Sendable {
    let id: CaseID
    let hash: String
    let erased: Bool
}
