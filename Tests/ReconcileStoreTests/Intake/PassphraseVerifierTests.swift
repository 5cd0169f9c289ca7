import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// The family passphrase is kept as a keyed BLAKE2b verifier bound to its case, not stretched; verifiers
/// stored as Argon2id before still work once and are replaced.
@Suite struct PassphraseVerifierTests {
    let db: AppDatabase
    let keys = KeyRing.ephemeral()

    init() throws { db = try AppDatabase.inMemory() }

    func stored(_ caseID: CaseID) async throws -> String {
        try await db.reader.read { db in try String.fetchOne(db, sql: "SELECT passphrase_hash FROM referral_case WHERE id = ?", arguments: [caseID])! }
    }

    func setStored(_ caseID: CaseID, _ value: String) async throws {
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET passphrase_hash = ? WHERE id = ?", arguments: [value, caseID])
        }
    }

    @Test func intakeKeepsAKeyedVerifierThatOpensOnlyWithThePassphrase() async throws {
        let receipt = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
        let verifier = try await stored(receipt.caseID)
        #expect(verifier.hasPrefix(PassphraseVerifier.prefix))
        #expect(!verifier.contains(receipt.passphrase) && !verifier.hasPrefix("$argon2id$"))
        _ = try await PortalStore(db, keys).portalSignIn(reference: receipt.reference, passphrase: receipt.passphrase)
        // Typed loosely (capitals, spaces) it still works; one word wrong does not.
        _ = try await PortalStore(db, keys).portalSignIn(reference: receipt.reference,
                                      passphrase: receipt.passphrase.uppercased().replacingOccurrences(of: "-", with: "  "))
        var words = receipt.passphrase.split(separator: "-").map(String.init)
        words[5] = words[5] == "maple" ? "river" : "maple"
        await #expect(throws: PortalAuthError.invalidCredentials) {
            try await PortalStore(db, keys).portalSignIn(reference: receipt.reference, passphrase: words.joined(separator: "-"))
        }
    }

    @Test func aVerifierMovedToAnotherCaseOpensNeither() async throws {
        let a = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
        let b = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
        try await setStored(b.caseID, try await stored(a.caseID))
        for passphrase in [a.passphrase, b.passphrase] {
            await #expect(throws: PortalAuthError.invalidCredentials) {
                try await PortalStore(db, keys).portalSignIn(reference: b.reference, passphrase: passphrase)
            }
        }
        // Another key directory's verifier does not match either: the key is part of it.
        let other = KeyRing.ephemeral()
        await #expect(throws: PortalAuthError.invalidCredentials) {
            try await PortalStore(db, other).portalSignIn(reference: a.reference, passphrase: a.passphrase)
        }
    }

    @Test func anArgon2idVerifierFromBeforeStillWorksAndIsReplacedAtSignIn() async throws {
        let receipt = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
        let legacy = try PasswordHash.hash(receipt.passphrase, limits: .minimum)
        try await setStored(receipt.caseID, legacy)
        // A wrong passphrase changes nothing.
        await #expect(throws: PortalAuthError.invalidCredentials) {
            try await PortalStore(db, keys).portalSignIn(reference: receipt.reference, passphrase: "wrong-words-here-and-there-too")
        }
        #expect(try await stored(receipt.caseID) == legacy)
        _ = try await PortalStore(db, keys).portalSignIn(reference: receipt.reference, passphrase: receipt.passphrase)
        let upgraded = try await stored(receipt.caseID)
        #expect(upgraded.hasPrefix(PassphraseVerifier.prefix))
        _ = try await PortalStore(db, keys).portalSignIn(reference: receipt.reference, passphrase: receipt.passphrase)
    }

    @Test func aMalformedReferenceIsRefusedWithoutHashing() async throws {
        let pool = SlowWorkPool(workers: 1, queueLimit: 0)
        for reference in ["", "RS-", "not a reference", String(repeating: "RS-AAAA-AAAA", count: 100)] {
            await #expect(throws: PortalAuthError.invalidCredentials) {
                try await PortalStore(db, keys).portalSignIn(reference: reference, passphrase: "a-b-c-d-e-f", pool: pool)
            }
        }
        #expect(pool.peakConcurrency == 0, "nothing reached the hashing pool")
    }
}
