import Foundation
import ReconcileCore
import Sodium

/// What the service keeps of a family's passphrase: a keyed BLAKE2b of the case id and the normalised
/// passphrase, under a subkey of the index key used for nothing else.
///
/// Why no Argon2id: the service draws the passphrase itself (six words from 1,024, 60 random bits).
/// Stretching protects a secret a person chose from a dictionary attack; for a uniformly random 60-bit secret
/// the keyed hash already does that job. Without the key directory an offline attacker cannot test a single
/// guess, and with it they can decrypt every case anyway. Stretching would only put ~1 s of CPU and 256 MiB
/// on every referral, which let a flood of referrals take the service away from everyone.
/// Binding the case id means a verifier copied to another case's row does not open that case.
enum PassphraseVerifier {
    /// Marks the stored form, so verifiers of an older kind (`$argon2id$…`) are recognised and upgraded.
    static let prefix = "kb2v1$"

    static func make(caseID: CaseID, passphrase normalised: String, keys: KeyRing) throws -> String {
        prefix + Data(try digest(caseID: caseID, passphrase: normalised, keys: keys)).base64EncodedString()
    }

    /// Constant-time comparison of the stored verifier with one computed from what was typed.
    static func matches(_ stored: String, caseID: CaseID, passphrase normalised: String, keys: KeyRing) throws -> Bool {
        let computed = try digest(caseID: caseID, passphrase: normalised, keys: keys)
        guard stored.hasPrefix(prefix), let expected = Data(base64Encoded: String(stored.dropFirst(prefix.count))),
              expected.count == computed.count else { return false }
        return Sodium.constantTimeEquals([UInt8](expected), computed)
    }

    /// A verifier written before keyed verifiers existed; still checked (on the slow-work pool) and replaced.
    static func isLegacyArgon2(_ stored: String) -> Bool { stored.hasPrefix("$argon2id$") }

    fileprivate static func digest(caseID: CaseID, passphrase: String, keys: KeyRing) throws -> [UInt8] {
        try GenericHash.hash(Array("reconcile/passphrase/v1\u{0}\(caseID)\u{0}\(passphrase)".utf8), key: keys.passphraseVerifierKey, length: 32)
    }
}
