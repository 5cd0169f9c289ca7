import Foundation
import ReconcileCore
import Sodium

/// The keys a running service holds in memory. Its description never shows key material.
///
/// Every use of the index key goes through a subkey of its own (`crypto_kdf`, a context per use), so a value
/// computed for one purpose (a contact's blind index, an idempotency key, a session token, the CSRF token, the
/// audit chain, a passphrase verifier) can never be replayed as another's.
public struct KeyRing: Sendable, CustomStringConvertible {
    /// Shared by every copy of this ring, so a reload after `keys rotate` reaches every holder at once.
    let masters: MasterKeySet
    public let indexKey: SecretKey
    public let signing: SigningKeyPair
    /// Blind indexes of normalised contact values (duplicate detection); index version 2.
    let contactIndexKey: SecretKey
    /// Keyed hashes of `Idempotency-Key` values and the bodies sent with them.
    let idempotencyKey: SecretKey
    /// Keyed hashes of staff and portal session tokens.
    let sessionKey: SecretKey
    /// The audit log's hash chain.
    let auditKey: SecretKey
    /// Family passphrase verifiers.
    let passphraseVerifierKey: SecretKey
    /// CSRF tokens on forms (the server's `CSRFProtection`).
    public let csrfKey: SecretKey

    /// - Parameter reload: reads the master keys again (the key directory); nil for a fixed ring.
    public init(masterKeys: [Int: SecretKey], indexKey: SecretKey, signing: SigningKeyPair,
                reload: (@Sendable () throws -> [Int: SecretKey])? = nil) {
        precondition(!masterKeys.isEmpty)
        self.masters = MasterKeySet(masterKeys, reload: reload)
        self.indexKey = indexKey
        self.signing = signing
        // Every subkey of the index key, each under its own 8-byte context, derived once here. Derivation
        // cannot fail for a 32-byte key and an 8-byte context. Never change a context: stored values depend on it.
        func subkey(_ context: String) -> SecretKey { try! KeyDerivation.deriveSubkey(from: indexKey, id: 1, context: context) }
        self.contactIndexKey = subkey("contacts")
        self.idempotencyKey = subkey("idemkeys")
        self.sessionKey = subkey("sessions")
        self.auditKey = subkey("auditlog")
        self.passphraseVerifierKey = subkey("famverif")
        self.csrfKey = subkey("CSRFform")
    }

    /// The master keys held now (after any reload).
    public var masterKeys: [Int: SecretKey] { masters.current }

    /// The version new per-case keys are wrapped with.
    /// (0 only if a reload found no master key: wrapping under it then fails with keyUnavailable, no trap.)
    public var currentMasterVersion: Int { masterKeys.keys.max() ?? 0 }

    /// The master key of `version`, reading the key directory again once if this ring lacks it (a `keys rotate`
    /// run while the service was up re-wraps case keys under a version the service did not start with).
    func masterKey(version: Int) throws -> SecretKey {
        if let key = masters.current[version] { return key }
        if let key = try masters.reloadIfPossible()[version] { return key }
        throw StoreError.keyUnavailable("master key version \(version) is not in the key directory")
    }

    /// Makes sure new keys are wrapped under at least `version` (the database's current master version,
    /// `key_state`): reloads the key directory when a rotation has moved past this ring.
    func catchUp(toMasterVersion version: Int) throws {
        guard version > currentMasterVersion else { return }
        guard try (masters.reloadIfPossible().keys.max() ?? 0) >= version else {
            throw StoreError.keyUnavailable("the database is at master key version \(version), which is not in the key directory")
        }
    }

    /// Reads the key directory again now; returns the versions held afterwards (tests; serving reloads on an
    /// unknown version by itself).
    @discardableResult
    func reloadMasterKeys() throws -> [Int] { try masters.reloadIfPossible().keys.sorted() }

    /// A key ring of fresh random keys, for tests and throwaway demos.
    public static func ephemeral() -> KeyRing {
        KeyRing(masterKeys: [1: AEAD.generateKey()], indexKey: SecretKey.random(count: GenericHash.keyLength),
                signing: .generate())
    }

    public var description: String {
        "KeyRing(master versions \(masterKeys.keys.sorted()), keys redacted)"
    }

    /// Wraps a per-case data key with the current master key. The associated data binds the wrapped key
    /// to its case and both key versions, so a wrapped key copied to another case does not open.
    func wrap(caseKey: SecretKey, caseID: CaseID, dataKeyVersion: Int) throws -> (masterVersion: Int, wrapped: [UInt8]) {
        let version = currentMasterVersion
        let wrapped = try caseKey.withUnsafeBytes { bytes in
            try AEAD.seal(Array(bytes), key: try masterKey(version: version),
                          associatedData: Self.wrapAD(caseID: caseID, dataKeyVersion: dataKeyVersion, masterVersion: version))
        }
        return (version, wrapped)
    }

    func unwrap(_ wrapped: [UInt8], caseID: CaseID, dataKeyVersion: Int, masterVersion: Int) throws -> SecretKey {
        let master = try masterKey(version: masterVersion)
        var bytes: [UInt8]
        do {
            bytes = try AEAD.open(wrapped, key: master,
                                  associatedData: Self.wrapAD(caseID: caseID, dataKeyVersion: dataKeyVersion, masterVersion: masterVersion))
        } catch {
            throw StoreError.undecryptable(field: "case_key")
        }
        defer { Sodium.zero(&bytes) }
        // A case's data key lives for one request; the master keys that wrap them stay locked in memory.
        return SecretKey(bytes: bytes, lockedInMemory: false)
    }

    static func wrapAD(caseID: CaseID, dataKeyVersion: Int, masterVersion: Int) -> [UInt8] {
        Array("reconcile/case-key/v1\u{0}case=\(caseID.rawValue)\u{0}dk=\(dataKeyVersion)\u{0}mk=\(masterVersion)".utf8)
    }

    /// Keyed BLAKE2b of a normalised contact value, so duplicates can be found without storing the value.
    public func blindIndex(_ normalised: String, kind: String) throws -> Data {
        Data(try GenericHash.hash(Array("\(kind)\u{0}\(normalised)".utf8), key: contactIndexKey, length: 32))
    }

    /// The version-1 blind index, under the index key itself (before it had subkeys); only to recognise
    /// rows stored then.
    func legacyBlindIndex(_ normalised: String, kind: String) throws -> Data {
        Data(try GenericHash.hash(Array("\(kind)\u{0}\(normalised)".utf8), key: indexKey, length: 32))
    }
}

/// The master keys behind a ring, replaced as a whole on reload.
final class MasterKeySet: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [Int: SecretKey]
    private let reload: (@Sendable () throws -> [Int: SecretKey])?

    init(_ keys: [Int: SecretKey], reload: (@Sendable () throws -> [Int: SecretKey])?) {
        self.keys = keys
        self.reload = reload
    }

    var current: [Int: SecretKey] { lock.withLock { keys } }

    /// Reads the key directory again (a handful of small files, only when a version is missing). A reload
    /// never drops a version already held: a key file removed under a running service must not make it fail.
    func reloadIfPossible() throws -> [Int: SecretKey] {
        guard let reload else { return current }
        let fresh = try reload()
        return lock.withLock {
            keys.merge(fresh) { held, _ in held }
            return keys
        }
    }
}
