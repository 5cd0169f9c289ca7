import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// What the family is given at intake, and how a retried submission is recognised.
@Suite struct IntakeStoreTests {
    @Test func theWordListHas1024DistinctPlainWords() {
        #expect(PassphraseWords.all.count == 1024, "six words must carry 60 bits")
        #expect(Set(PassphraseWords.all).count == 1024)
        #expect(PassphraseWords.all.allSatisfy { (3...9).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isLowercase } })
    }

    @Test func passphrasesAreSixListedWordsAndDiffer() {
        let list = Set(PassphraseWords.all)
        let drawn = (0..<200).map { _ in Passphrase.generate() }
        #expect(Set(drawn).count == 200)
        for phrase in drawn {
            let words = phrase.split(separator: "-").map(String.init)
            #expect(words.count == 6 && words.allSatisfy(list.contains))
        }
        #expect(Passphrase.normalise("  Maple river  LANTERN, moss.") == "maple-river-lantern-moss")
    }

    @Test func referencesUseOnlyTheUnambiguousAlphabet() {
        for _ in 0..<500 {
            let reference = ReferenceGenerator.generate()
            #expect(ReferenceFormat.isValid(reference), "\(reference)")
            #expect(!reference.dropFirst(3).contains { "01ILOUV".contains($0) })
        }
        #expect(ReferenceFormat.normalise(" rs-7k3m-q9xd ") == "RS-7K3M-Q9XD")
        #expect(!ReferenceFormat.isValid("RS-7K3M-Q9X0"))
    }

    @Test func aRetryWithinTheWindowReturnsTheSameReceiptAndAfterItANewOne() async throws {
        let db = try AppDatabase.inMemory()
        let keys = KeyRing.ephemeral()
        let referral = Fixtures.referral()
        let body = Array("same body".utf8)
        let claim = try IdempotencyClaim(key: "k-1", body: body, keys: keys)
        let longAgo = Date().addingTimeInterval(-25 * 3600)
        let first = try await IntakeStore(db, keys).submitReferral(referral, idempotency: claim, now: longAgo)
        #expect(!first.replayed)
        let fresh = try await IntakeStore(db, keys).submitReferral(referral, idempotency: claim)
        #expect(!fresh.replayed && fresh.reference != first.reference, "a key older than 24 hours no longer replays")
        let again = try await IntakeStore(db, keys).submitReferral(referral, idempotency: claim)
        #expect(again == IntakeReceipt(caseID: fresh.caseID, reference: fresh.reference, passphrase: fresh.passphrase, replayed: true))
        // The remembered passphrase is sealed, never plain, and the expired one is gone.
        let stored = try await db.reader.read { db in try Data.fetchAll(db, sql: "SELECT passphrase FROM idempotency_key") }
        #expect(stored.count == 1)
        #expect(stored[0].range(of: Data(fresh.passphrase.utf8)) == nil)
    }

    @Test func theRememberedPassphraseOpensOnlyForItsOwnCase() async throws {
        let db = try AppDatabase.inMemory()
        let keys = KeyRing.ephemeral()
        let a = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: try IdempotencyClaim(key: "a", body: [1], keys: keys))
        let b = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: try IdempotencyClaim(key: "b", body: [2], keys: keys))
        // Move a's sealed passphrase onto b's row: replaying b must now fail rather than hand out a's passphrase.
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE idempotency_key SET passphrase = (SELECT passphrase FROM idempotency_key WHERE case_id = ?) WHERE case_id = ?",
                           arguments: [a.caseID, b.caseID])
        }
        await #expect(throws: StoreError.undecryptable(field: "idempotent_passphrase")) {
            try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: try IdempotencyClaim(key: "b", body: [2], keys: keys))
        }
    }
}
