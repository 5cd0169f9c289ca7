import Foundation
import GRDB
import ReconcileCore
import Sodium

// Partner staff and council accounts (SPEC "People and roles"): Argon2id password and a TOTP second factor.
//
// What is stored (table `staff_account`, migration "v4-staff"):
// - the email, trimmed and lower-cased, in plain: it is a work address and the sign-in name;
// - the password as a libsodium Argon2id string only;
// - the TOTP secret sealed with XChaCha20-Poly1305 under a subkey of the master key version named in
//   `totp_key_version`; the associated data binds it to the account id, so a secret copied onto another
//   account's row does not open;
// - `totp_last_step`, the last time step a code was accepted for, so no code is ever accepted twice.
// Passwords, codes, secrets and session tokens never appear in errors, audit rows or logs.

/// A staff or council account, as the rest of the service sees it (no secrets).
public struct StaffAccount: Sendable, Equatable {
    public let id: String
    public let email: String
    public let role: StaffRole
    /// Set for council accounts only: the one council area whose reports they may reach.
    public let councilArea: String?
    public let disabled: Bool

    public init(id: String, email: String, role: StaffRole, councilArea: String?, disabled: Bool) {
        self.id = id
        self.email = email
        self.role = role
        self.councilArea = councilArea
        self.disabled = disabled
    }

    /// Who store writes are done by.
    public var actor: StaffActor { StaffActor(id: id, role: role) }
}

/// Account management refused. Messages name the rule, never the value given.
public enum StaffAccountError: Error, Equatable, CustomStringConvertible {
    case invalidEmail, weakPassword, emailTaken, councilAreaRequired, councilAreaNotAllowed, unknownCouncilArea, noSuchAccount

    public var description: String {
        switch self {
        case .invalidEmail: "the email address is not valid"
        case .weakPassword: "the password must be \(StaffPolicy.passwordLength.lowerBound) to \(StaffPolicy.passwordLength.upperBound) characters"
        case .emailTaken: "an account with this email address already exists"
        case .councilAreaRequired: "a council account needs a council area"
        case .councilAreaNotAllowed: "only council accounts have a council area"
        case .unknownCouncilArea: "the council area is not one of the configured council areas"
        case .noSuchAccount: "there is no account with this email address"
        }
    }
}

extension PasswordHash.Limits {
    /// The Argon2id cost named by the `security.password_hash_cost` setting ("moderate", "interactive",
    /// "minimum"); nil for any other name.
    public static func named(_ name: String) -> PasswordHash.Limits? {
        switch name {
        case "moderate": .moderate
        case "interactive": .interactive
        case "minimum": .minimum
        default: nil
        }
    }
}

/// Rules for accounts that are not settings.
enum StaffPolicy {
    /// Counted in Characters (what a person typed), not bytes.
    static let passwordLength = 12...1024
    /// The issuer shown in authenticator apps.
    static let totpIssuer = "Reconcile"

    /// Trimmed and lower-cased, or nil when it is not shaped like an email address. Deliberately simple and
    /// ASCII-only: these are work addresses typed by an administrator.
    static func normaliseEmail(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard (3...254).contains(email.utf8.count), email.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~.-")
        guard (1...64).contains(local.count), local.allSatisfy(localAllowed.contains),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let domainAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard labels.count >= 2,
              labels.allSatisfy({ (1...63).contains($0.count) && $0.allSatisfy(domainAllowed.contains)
                  && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else { return nil }
        return email
    }
}

/// Keys and sealed formats for account secrets. Changing anything here makes existing secrets and sessions
/// unreadable; a new format needs a new format byte or domain tag.
enum StaffSecrets {
    /// `crypto_kdf` context and id for the TOTP-sealing subkey of a master key version.
    static let totpContext = "totpseal"
    static let totpSubkeyID: UInt64 = 1
    /// Stored TOTP secret: format byte, then `nonce || ciphertext || tag`.
    static let totpFormat: UInt8 = 1

    static func totpAD(accountID: String, masterVersion: Int) -> [UInt8] {
        Array("reconcile/totp-secret/v1\u{0}account=\(accountID)\u{0}mk=\(masterVersion)".utf8)
    }

    static func totpKey(_ keys: KeyRing, version: Int) throws -> SecretKey {
        let master = try keys.masterKey(version: version)
        return try KeyDerivation.deriveSubkey(from: master, id: totpSubkeyID, context: totpContext, length: AEAD.keyLength)
    }

    /// Seals a TOTP secret under the current master key version.
    static func seal(_ totp: TOTP, accountID: String, keys: KeyRing) throws -> (version: Int, sealed: Data) {
        let version = keys.currentMasterVersion
        var secret = totp.secret.copyBytes()
        defer { Sodium.zero(&secret) }
        var out = Data([totpFormat])
        out.append(contentsOf: try AEAD.seal(secret, key: totpKey(keys, version: version),
                                             associatedData: totpAD(accountID: accountID, masterVersion: version)))
        return (version, out)
    }

    /// `StoreError.undecryptable` if the secret does not open for this account (altered, or copied from
    /// another row); `StoreError.keyUnavailable` if its master key version is missing.
    static func open(_ sealed: Data, accountID: String, version: Int, keys: KeyRing) throws -> TOTP {
        let key = try totpKey(keys, version: version)
        guard sealed.first == totpFormat else { throw StoreError.undecryptable(field: "totp_secret") }
        var secret: [UInt8]
        do {
            secret = try AEAD.open(Array(sealed.dropFirst()), key: key,
                                   associatedData: totpAD(accountID: accountID, masterVersion: version))
        } catch {
            throw StoreError.undecryptable(field: "totp_secret")
        }
        defer { Sodium.zero(&secret) }
        guard secret.count >= 16 else { throw StoreError.undecryptable(field: "totp_secret") }
        return TOTP(secret: SecretKey(bytes: secret))
    }

    /// Keyed BLAKE2b-256 of the token text under the `sessions` subkey (`KeyRing`); only this is stored, so a
    /// copied database opens no session.
    static func tokenHash(_ token: String, keys: KeyRing) throws -> Data {
        Data(try GenericHash.hash(Array(token.utf8), key: keys.sessionKey, length: 32))
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func newToken() -> String {
        var bytes = Random.bytes(count: 32)
        defer { Sodium.zero(&bytes) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `token` could be one of ours; anything else is refused before hashing.
    static func isPlausibleToken(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
    }
}

/// One `staff_account` row, secrets included; never leaves the store.
struct StaffRow: Sendable {
    let id: String
    let email: String
    let role: StaffRole
    let councilArea: String?
    let passwordHash: String
    let totpSecret: Data
    let totpKeyVersion: Int
    let totpLastStep: Int64?
    let disabledAt: Date?

    static let columns = "id, email, role, council_area, password_hash, totp_secret, totp_key_version, totp_last_step, disabled_at"

    init(_ row: Row) throws {
        id = try row.value("id")
        email = try row.value("email")
        guard let role = StaffRole(rawValue: try row.value("role")) else {
            throw StoreError.integrity("staff account \(try row.value("id", as: String.self)) has an unknown role")
        }
        self.role = role
        councilArea = try row.value("council_area")
        passwordHash = try row.value("password_hash")
        totpSecret = try row.value("totp_secret")
        totpKeyVersion = try row.value("totp_key_version")
        totpLastStep = try row.value("totp_last_step")
        disabledAt = try row.value("disabled_at")
    }

    var account: StaffAccount {
        StaffAccount(id: id, email: email, role: role, councilArea: councilArea, disabled: disabledAt != nil)
    }

    static func fetch(_ db: Database, email: String) throws -> StaffRow? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM staff_account WHERE email = ?", arguments: [email]).map(StaffRow.init)
    }

    static func fetch(_ db: Database, id: String) throws -> StaffRow? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM staff_account WHERE id = ?", arguments: [id]).map(StaffRow.init)
    }
}

extension AppDatabase {
    static func revokeSessions(_ db: Database, accountID: String, now: Date) throws {
        try db.execute(sql: "UPDATE staff_session SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                       arguments: [now, accountID])
    }
}

extension StaffStore {
    /// Creates an account and returns it with its `otpauth://` provisioning URI. The URI holds the TOTP
    /// secret: show it once to the person it is for, never log it.
    public func addStaff(
        email: String, role: StaffRole, councilArea: String?, password: String, councilAreas: [String], passwordCost: PasswordHash.Limits, now: Date = Date()
    ) async throws -> (account: StaffAccount, provisioningURI: String) {
        guard let email = StaffPolicy.normaliseEmail(email) else { throw StaffAccountError.invalidEmail }
        switch (role, councilArea) {
        case (.council, nil): throw StaffAccountError.councilAreaRequired
        case (.council, let area?): guard councilAreas.contains(area) else { throw StaffAccountError.unknownCouncilArea }
        case (_, nil): break
        case (_, .some): throw StaffAccountError.councilAreaNotAllowed
        }
        guard StaffPolicy.passwordLength.contains(password.count) else { throw StaffAccountError.weakPassword }
        // Refuse a duplicate before the slow hash; checked again inside the write.
        if try await reader.read({ db in try StaffRow.fetch(db, email: email) }) != nil { throw StaffAccountError.emailTaken }
        let passwordHash = try PasswordHash.hash(password, limits: passwordCost)
        let id = UUID().uuidString.lowercased()
        let totp = TOTP.generate()
        let (version, sealed) = try StaffSecrets.seal(totp, accountID: id, keys: keys)
        let account = StaffAccount(id: id, email: email, role: role, councilArea: councilArea, disabled: false)
        try await writer.write { db in
            guard try StaffRow.fetch(db, email: email) == nil else { throw StaffAccountError.emailTaken }
            try db.execute(sql: """
                INSERT INTO staff_account (id, email, role, council_area, password_hash, totp_secret, totp_key_version, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, email, role.rawValue, councilArea, passwordHash, sealed, version, now])
            try AppDatabase.appendAudit(db, AuditEntry(actor: "cli", action: .staffAdd, detail: role.rawValue), at: now, keys: keys)
        }
        return (account, totp.provisioningURI(issuer: StaffPolicy.totpIssuer, account: email))
    }

    /// Disables an account and revokes every session it has, with a "staff.disable" audit row in the same
    /// transaction (hence `keys`: the audit chain's key is derived from the key ring).
    public func disableStaff(email: String, now: Date = Date()) async throws {
        guard let email = StaffPolicy.normaliseEmail(email) else { throw StaffAccountError.noSuchAccount }
        try await writer.write { db in
            guard let row = try StaffRow.fetch(db, email: email) else { throw StaffAccountError.noSuchAccount }
            try db.execute(sql: "UPDATE staff_account SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
                           arguments: [now, row.id])
            try AppDatabase.revokeSessions(db, accountID: row.id, now: now)
            try AppDatabase.appendAudit(db, AuditEntry(actor: "cli", action: .staffDisable, detail: row.role.rawValue),
                                 at: now, keys: keys)
        }
    }

    /// Issues a new TOTP secret (sealed under the current master key), forgets the last used step and revokes
    /// every session. Returns the new provisioning URI, which is a secret.
    public func resetMFA(email: String, now: Date = Date()) async throws -> String {
        guard let email = StaffPolicy.normaliseEmail(email) else { throw StaffAccountError.noSuchAccount }
        let totp = TOTP.generate()
        try await writer.write { db in
            guard let row = try StaffRow.fetch(db, email: email) else { throw StaffAccountError.noSuchAccount }
            let (version, sealed) = try StaffSecrets.seal(totp, accountID: row.id, keys: keys)
            try db.execute(sql: """
                UPDATE staff_account SET totp_secret = ?, totp_key_version = ?, totp_last_step = NULL WHERE id = ?
                """, arguments: [sealed, version, row.id])
            try AppDatabase.revokeSessions(db, accountID: row.id, now: now)
            try AppDatabase.appendAudit(db, AuditEntry(actor: "cli", action: .staffResetMFA, detail: row.role.rawValue), at: now, keys: keys)
        }
        return totp.provisioningURI(issuer: StaffPolicy.totpIssuer, account: email)
    }

    public func staffAccount(id: String) async throws -> StaffAccount? {
        try await reader.read { db in try StaffRow.fetch(db, id: id)?.account }
    }

    /// Looks an account up by email (trimmed and lower-cased as at creation); nil if none.
    public func staffAccount(email: String) async throws -> StaffAccount? {
        guard let email = StaffPolicy.normaliseEmail(email) else { return nil }
        return try await reader.read { db in try StaffRow.fetch(db, email: email)?.account }
    }
}
