import Foundation
import GRDB
import ReconcileCore
import Sodium

/// A successful sign-in: the session token to hand to the client (once) and the account.
public struct StaffSignIn: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// 32 random bytes, base64url without padding. Only its keyed hash is stored.
    public let token: String
    public let account: StaffAccount

    public var description: String { "StaffSignIn(account \(account.id), token redacted)" }
    public var debugDescription: String { description }
}

/// Every sign-in failure looks the same to the caller — unknown email, wrong password, wrong or reused code,
/// disabled account — so an attacker learns nothing about which accounts exist. The audit log says which.
public enum StaffAuthError: Error, Equatable {
    case invalidCredentials
}

/// How long a staff session lasts.
public struct StaffSessionPolicy: Sendable {
    /// A session unused for longer than this has ended.
    public var idle: TimeInterval = 30 * 60
    /// A session older than this has ended however busy it was.
    public var absolute: TimeInterval = 12 * 3600

    public init() {}

    public init(idle: TimeInterval, absolute: TimeInterval) {
        self.idle = idle
        self.absolute = absolute
    }
}

/// The dummy Argon2id hash verified against when an email (or a portal reference) is unknown, one per cost,
/// made once per process, so an unknown account takes as long as a known one with a wrong password.
final class DummyPasswordHashes: @unchecked Sendable {
    static let shared = DummyPasswordHashes()
    private let lock = NSLock()
    private var hashes: [String: String] = [:]

    func hash(for limits: PasswordHash.Limits) throws -> String {
        let name = "\(limits.operations)/\(limits.memoryBytes)"
        if let hash = lock.withLock({ hashes[name] }) { return hash }
        // A random password nobody knows: the dummy can never verify.
        let hash = try PasswordHash.hash(Data(Random.bytes(count: 32)).base64EncodedString(), limits: limits)
        return lock.withLock {
            if let existing = hashes[name] { return existing }
            hashes[name] = hash
            return hash
        }
    }
}

extension AppDatabase {
    fileprivate enum SignInOutcome: Sendable {
        case signedIn(StaffAccount)
        case refused
    }
}

extension StaffStore {
    /// Password, then TOTP code, then a new session. The code's step is stored in the same transaction that
    /// creates the session, so a code is accepted at most once even by concurrent sign-ins. Every attempt is
    /// audited ("staff.sign_in" or "staff.sign_in_failed" with a reason code); the password and code never are.
    /// When the stored hash used another cost than the hasher's, it is re-hashed (cost upgrades on sign-in).
    /// Argon2id runs on the hasher's bounded pool (throws `SlowWorkPoolFull` when it has no room); an email
    /// that cannot be one is refused before any hashing.
    public func signIn(
        email: String, password: String, totp: String, hasher: PasswordHasher,
        policy: StaffSessionPolicy = .init(), now: Date = Date()
    ) async throws -> StaffSignIn {
        guard let normalised = StaffPolicy.normaliseEmail(email), password.utf8.count <= 1024 else {
            try await AuditStore(database, keys).recordAudit(AuditEntry(actor: "unknown", action: .staffSignInFailed, detail: "malformed"),
                                  at: now)
            throw StaffAuthError.invalidCredentials
        }
        let found = try await reader.read { db in try StaffRow.fetch(db, email: normalised) }
        guard let found else {
            // Same work as a wrong password, so timing does not reveal which emails have accounts.
            try await hasher.verifyDummy(password)
            try await AuditStore(database, keys).recordAudit(AuditEntry(actor: "unknown", action: .staffSignInFailed, detail: "unknown_email"),
                                  at: now)
            throw StaffAuthError.invalidCredentials
        }
        // Argon2id is slow on purpose: verify (and re-hash) on the pool, before taking the write lock.
        let (passwordMatches, upgradedHash) = try await hasher.verifyAndUpgrade(password, against: found.passwordHash)
        let token = StaffSecrets.newToken()
        let tokenHash = try StaffSecrets.tokenHash(token, keys: keys)

        let outcome = try await writer.write { db -> AppDatabase.SignInOutcome in
            func refuse(_ actor: String, _ reason: String) throws -> AppDatabase.SignInOutcome {
                try AppDatabase.appendAudit(db, AuditEntry(actor: actor, action: .staffSignInFailed, detail: reason), at: now, keys: keys)
                return .refused
            }
            // Re-read: the account may have been disabled, reset or re-hashed since the read above.
            guard let row = try StaffRow.fetch(db, id: found.id) else { return try refuse("unknown", "unknown_email") }
            guard passwordMatches else { return try refuse(row.id, "password") }
            // The password was changed since it was verified: never hash inside the write lock; ask again.
            guard row.passwordHash == found.passwordHash else { return try refuse(row.id, "password_changed") }
            guard row.disabledAt == nil else { return try refuse(row.id, "disabled") }
            let generator: TOTP
            do {
                generator = try StaffSecrets.open(row.totpSecret, accountID: row.id, version: row.totpKeyVersion, keys: keys)
            } catch StoreError.undecryptable {
                return try refuse(row.id, "totp_secret_unreadable")
            }
            guard let step = generator.verify(totp, at: now, lastUsedStep: row.totpLastStep) else {
                return try refuse(row.id, "totp")
            }
            try db.execute(sql: "UPDATE staff_account SET totp_last_step = ? WHERE id = ?", arguments: [step, row.id])
            if let upgradedHash {
                try db.execute(sql: "UPDATE staff_account SET password_hash = ? WHERE id = ?", arguments: [upgradedHash, row.id])
            }
            try SessionTable.staff.start(db, tokenHash: tokenHash, ownerID: row.id, lifetime: policy, now: now)
            try AppDatabase.appendAudit(db, AuditEntry(actor: row.id, action: .staffSignIn, detail: row.role.rawValue), at: now, keys: keys)
            return .signedIn(row.account)
        }
        switch outcome {
        case .signedIn(let account): return StaffSignIn(token: token, account: account)
        case .refused: throw StaffAuthError.invalidCredentials
        }
    }

    /// `signIn` with Argon2id at `passwordCost` on the process-wide pool (command-line tools and tests).
    public func signIn(
        email: String, password: String, totp: String, passwordCost: PasswordHash.Limits,
        policy: StaffSessionPolicy = .init(), now: Date = Date()
    ) async throws -> StaffSignIn {
        try await signIn(email: email, password: password, totp: totp,
                         hasher: PasswordHasher(cost: passwordCost), policy: policy, now: now)
    }

    /// The account a session token belongs to, or nil if the token is unknown, revoked, idle longer than
    /// `policy.idle`, older than `policy.absolute`, or its account is disabled. A live session's
    /// `last_seen_at` is moved to `now`.
    public func staffSession(
        token: String, policy: StaffSessionPolicy = .init(), now: Date = Date()
    ) async throws -> StaffAccount? {
        guard StaffSecrets.isPlausibleToken(token) else { return nil }
        let tokenHash = try StaffSecrets.tokenHash(token, keys: keys)
        return try await SessionTable.staff.live(tokenHash: tokenHash, lifetime: policy, now: now, in: database) { db, accountID in
            guard let row = try StaffRow.fetch(db, id: accountID), row.disabledAt == nil else { return nil }
            return row.account
        }
    }

    /// Ends the session (sets `revoked_at`). Unknown or already ended tokens are ignored.
    public func signOut(token: String, now: Date = Date()) async throws {
        guard StaffSecrets.isPlausibleToken(token) else { return }
        let tokenHash = try StaffSecrets.tokenHash(token, keys: keys)
        try await writer.write { db in
            guard let accountID = try SessionTable.staff.end(db, tokenHash: tokenHash, now: now) else { return }
            try AppDatabase.appendAudit(db, AuditEntry(actor: accountID, action: .staffSignOut), at: now, keys: keys)
        }
    }
}
