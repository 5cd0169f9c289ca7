import Foundation
import GRDB
import ReconcileCore
import Sodium

/// What the family is given once, after a referral is durably stored.
public struct IntakeReceipt: Sendable, Equatable {
    public let caseID: CaseID
    public let reference: String
    public let passphrase: String
    /// True when an `Idempotency-Key` retry returned the referral stored earlier.
    public let replayed: Bool
}

/// A client-chosen key that makes a retried submission return the first one's receipt.
public struct IdempotencyClaim: Sendable {
    /// Keyed hash of the client's key (the raw key is never stored).
    let keyHash: Data
    /// Keyed hash of the exact request body: the same key with a different body is refused.
    let requestHash: Data
    /// The same two under the index key itself, as stored before it had subkeys. Such rows live 24 hours, so
    /// this only lets a retry that spans the upgrade find its referral; remove it in the release after.
    let legacyKeyHash: Data, legacyRequestHash: Data
    /// How long the sealed passphrase is kept for a replay: 24 hours for the JSON API, minutes for the form
    /// (`limits.form_replay_minutes`). The key itself is remembered for 24 hours either way.
    let passphraseKeptFor: TimeInterval

    public init(key: String, body: [UInt8], keys: KeyRing, passphraseKeptFor: TimeInterval = AppDatabase.idempotencyWindow) throws {
        let label = Array("idempotency\u{0}\(key)".utf8)
        keyHash = Data(try GenericHash.hash(label, key: keys.idempotencyKey))
        requestHash = Data(try GenericHash.hash(body, key: keys.idempotencyKey))
        legacyKeyHash = Data(try GenericHash.hash(label, key: keys.indexKey))
        legacyRequestHash = Data(try GenericHash.hash(body, key: keys.indexKey))
        self.passphraseKeptFor = min(max(passphraseKeptFor, 0), AppDatabase.idempotencyWindow)
    }
}

public enum IntakeError: Error, Equatable {
    /// The Idempotency-Key was used before for a different submission.
    case idempotencyKeyReused
    /// The group-commit queue is full (a flood): answered 503 + Retry-After at once, never a long wait.
    case busy
    /// The service is shutting down: what was queued is being committed, nothing new is taken.
    case closing
    /// A resend of a referral stored earlier, after its passphrase stopped being kept: it is not stored again,
    /// and the passphrase cannot be shown again.
    case alreadyReceived
}

extension AppDatabase {
    /// How long a retry with the same Idempotency-Key returns the same referral.
    public static let idempotencyWindow: TimeInterval = 24 * 3600

    /// Stores one referral inside the current write transaction (the batcher wraps it in a savepoint).
    static func storeReferral(_ db: Database, _ item: PendingReferral) throws -> IntakeReceipt {
        let now = item.receivedAt, keys = item.keys
        // A concurrent retry with the same key may have committed meanwhile, or be earlier in this batch.
        if let idempotency = item.idempotency, let earlier = try replay(db, idempotency, keys: keys, now: now) { return earlier }
        let record = try insertWithFreshReference(db, item.referral, caseID: item.caseID, passphraseVerifier: item.passphraseVerifier,
                                                  receivedAt: now, keys: keys)
        if let staff = item.enteredBy { try recordEntry(db, caseID: record.id, channel: item.referral.channel, by: staff, keys: keys, at: now) }
        // The family's own choice of a neutral notice, in the same savepoint as the referral it belongs to.
        if item.referral.notifyByEmail {
            try setFamilyNotice(db, caseID: record.id, notifyByEmail: true, namesService: false, keys: keys, at: now)
        }
        // In the referral's own savepoint: the alert exists exactly when the referral does.
        try queueNewReferralAlerts(db, area: record.councilArea, at: now)
        if let idempotency = item.idempotency {
            try purgeExpiredIdempotencyKeys(db, now: now)
            // The passphrase is kept for the replay window only, sealed with the case's own key.
            let sealed = try caseCipher(db, caseID: record.id, keys: keys).seal(item.passphrase, field: "idempotent_passphrase")
            try db.executeCached(sql: """
                INSERT INTO idempotency_key (key_hash, request_hash, case_id, passphrase, passphrase_until, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [idempotency.keyHash, idempotency.requestHash, record.id, sealed,
                                 now.addingTimeInterval(idempotency.passphraseKeptFor), now])
        }
        return IntakeReceipt(caseID: record.id, reference: record.reference, passphrase: item.passphrase, replayed: false)
    }

    /// Who entered a referral taken by phone, post or in person: the case row, an event on its timeline and
    /// an audit row, all in the transaction that stores it.
    fileprivate static func recordEntry(_ db: Database, caseID: CaseID, channel: ReferralChannel, by staff: StaffActor,
                                    keys: KeyRing, at: Date) throws {
        let assignee = staff.role == .practitioner ? staff.id : nil
        try db.execute(sql: "UPDATE referral_case SET entered_by = ?, assigned_to = ? WHERE id = ?", arguments: [staff.id, assignee, caseID])
        let detail = "channel=\(channel.rawValue)" + (assignee == nil ? "" : ",assigned=self")
        try CaseEventRecord(id: newID(), caseId: caseID, at: at, actor: staff.id, action: CaseEvent.entered.rawValue,
                            fromStage: .received, toStage: .received, detail: detail, note: nil).insert(db)
        try appendAudit(db, AuditEntry(actor: staff.id, action: .caseEntered, caseID: caseID, detail: detail), at: at, keys: keys)
    }

    fileprivate static func replay(_ db: Database, _ claim: IdempotencyClaim, keys: KeyRing, now: Date = Date()) throws -> IntakeReceipt? {
        guard let row = try db.fetchRowCached(sql: """
            SELECT i.key_hash, i.request_hash, i.case_id, i.passphrase, i.passphrase_until, i.created_at, c.reference
            FROM idempotency_key i JOIN referral_case c ON c.id = i.case_id WHERE i.key_hash IN (?, ?)
            """, arguments: [claim.keyHash, claim.legacyKeyHash]) else { return nil }
        let created: Date = try row.value("created_at")
        guard created > now.addingTimeInterval(-idempotencyWindow) else { return nil }
        let legacy = (try row.value("key_hash", as: Data.self)) == claim.legacyKeyHash
        guard Sodium.constantTimeEquals([UInt8](try row.value("request_hash", as: Data.self)), [UInt8](legacy ? claim.legacyRequestHash : claim.requestHash)) else {
            throw IntakeError.idempotencyKeyReused
        }
        let until: Date = try row.value("passphrase_until")
        guard let sealed = try row.value("passphrase", as: Data?.self), until > now else { throw IntakeError.alreadyReceived }
        let caseID: CaseID = try row.value("case_id")
        let passphrase = try caseCipher(db, caseID: caseID, keys: keys).open(sealed, field: "idempotent_passphrase")
        return IntakeReceipt(caseID: caseID, reference: try row.value("reference"), passphrase: passphrase, replayed: true)
    }

    /// References are random; on the rare clash with an existing one, draw again.
    fileprivate static func insertWithFreshReference(
        _ db: Database, _ referral: Referral, caseID: CaseID, passphraseVerifier: String, receivedAt: Date, keys: KeyRing
    ) throws -> CaseRecord {
        for _ in 0..<8 {
            let reference = ReferenceGenerator.generate()
            if try db.fetchOneCached(Bool.self, sql: "SELECT EXISTS (SELECT 1 FROM referral_case WHERE reference = ?)", arguments: [reference]) == true { continue }
            return try insertCase(db, referral, reference: reference, passphraseHash: passphraseVerifier, receivedAt: receivedAt,
                                  keys: keys, id: caseID)
        }
        throw StoreError.integrity("could not draw an unused reference")
    }

    static func purgeExpiredIdempotencyKeys(_ db: Database, now: Date) throws {
        try db.executeCached(sql: "UPDATE idempotency_key SET passphrase = NULL WHERE passphrase IS NOT NULL AND passphrase_until <= ?",
                             arguments: [now])
        try db.executeCached(sql: "DELETE FROM idempotency_key WHERE created_at < ?", arguments: [now.addingTimeInterval(-idempotencyWindow)])
    }
}

extension IntakeStore {
    /// Stores a referral and returns its reference and one-time passphrase. The transaction commits with
    /// `synchronous = FULL` before this returns, so a receipt the family sees is on disk.
    ///
    /// Referrals submitted concurrently share one transaction (group commit, `IntakeBatcher`): each is stored
    /// in its own savepoint, and every caller is answered only after that transaction has committed.
    /// No slow hashing happens here: the passphrase is random, so its keyed verifier (`PassphraseVerifier`)
    /// is enough. When the group-commit queue is full this throws `IntakeError.busy` at once.
    ///
    /// `enteredBy`: a practitioner or lead who took the referral by phone, post or in person. It goes through the
    /// same validation, encryption and group commit; the case records who entered it (audited in the same
    /// transaction), and a practitioner's own entry is assigned to them, since they can only work assigned cases.
    public func submitReferral(
        _ referral: Referral, idempotency: IdempotencyClaim?, enteredBy: StaffActor? = nil, now: Date = Date()
    ) async throws -> IntakeReceipt {
        if let idempotency, let earlier = try await reader.read({ db in try AppDatabase.replay(db, idempotency, keys: keys, now: now) }) {
            return earlier
        }
        let caseID = CaseID.mint()
        let passphrase = Passphrase.generate()
        let verifier = try PassphraseVerifier.make(caseID: caseID, passphrase: Passphrase.normalise(passphrase), keys: keys)
        let item = PendingReferral(referral: referral, idempotency: idempotency, caseID: caseID, passphrase: passphrase,
                                   passphraseVerifier: verifier, keys: keys, receivedAt: now, enteredBy: enteredBy)
        return try await database.intakeBatcher.submit(item, writer: writer)
    }

    /// Clears each sealed passphrase as its replay window ends, and forgets keys older than 24 hours (the
    /// sealed-copy purge service runs this every minute; each keyed submission too).
    public func purgeExpiredIdempotencyKeys(now: Date = Date()) async throws {
        try await writer.write { db in try AppDatabase.purgeExpiredIdempotencyKeys(db, now: now) }
    }
}

/// Random `RS-XXXX-XXXX` references from the unambiguous alphabet (29^8 ≈ 5×10^11).
public enum ReferenceGenerator {
    public static func generate() -> String {
        let alphabet = ReferenceFormat.alphabet
        let part = { String((0..<4).map { _ in alphabet[Int(Random.uniform(UInt32(alphabet.count)))] }) }
        return "RS-\(part())-\(part())"
    }
}

/// Six random words (60 bits) joined by hyphens: easy to write down and read back over the phone.
public enum Passphrase {
    public static func generate() -> String {
        (0..<6).map { _ in PassphraseWords.all[Int(Random.uniform(UInt32(PassphraseWords.all.count)))] }.joined(separator: "-")
    }

    /// Lower-cases and turns spaces or other separators into single hyphens, so "Maple river  Lantern" works.
    public static func normalise(_ typed: String) -> String {
        typed.lowercased().split(whereSeparator: { !$0.isLetter }).joined(separator: "-")
    }
}
