import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// Every use of the index key goes through its own subkey; rows stored before that are moved or still
/// recognised; a resent form's passphrase is kept only for its own minutes.
@Suite struct KeyUseTests {
    static func indexes(_ db: AppDatabase, _ id: CaseID) throws -> (email: Data?, phone: Data?, version: Int) {
        try db.reader.read { conn in
            let row = try #require(try Row.fetchOne(conn, sql: "SELECT email_index, phone_index, contact_index_version FROM referral_case WHERE id = ?",
                                                    arguments: [id]))
            return (row["email_index"], row["phone_index"], row["contact_index_version"])
        }
    }

    @Test func eachUseOfTheIndexKeyHasItsOwnSubkey() throws {
        let keys = KeyRing.ephemeral()
        let email = ContactNormaliser.email("Ann@Example.org")
        #expect(try keys.blindIndex(email, kind: "email") != keys.legacyBlindIndex(email, kind: "email"))
        let claim = try IdempotencyClaim(key: "k", body: [1, 2], keys: keys)
        #expect(claim.keyHash != claim.legacyKeyHash && claim.requestHash != claim.legacyRequestHash)
        // No two uses share a key: the blind index of a value is not the idempotency hash of the same bytes.
        let subkeys = [keys.contactIndexKey, keys.idempotencyKey, keys.sessionKey, keys.auditKey, keys.passphraseVerifierKey,
                       keys.csrfKey, keys.indexKey].map { Data($0.copyBytes()) }
        #expect(Set(subkeys).count == 7)
        // Each is the libsodium derivation its context names (stored values depend on these never changing).
        #expect(Data(keys.auditKey.copyBytes()) == Data(try KeyDerivation.deriveSubkey(from: keys.indexKey, id: 1, context: "auditlog").copyBytes()))
        #expect(Data(keys.sessionKey.copyBytes()) == Data(try KeyDerivation.deriveSubkey(from: keys.indexKey, id: 1, context: "sessions").copyBytes()))
    }

    @Test func blindIndexesStoredUnderTheIndexKeyItselfAreMovedAndMatchAgain() async throws {
        let db = try AppDatabase.inMemory()
        let keys = KeyRing.ephemeral()
        let referral = Fixtures.referral()
        let old = try await IntakeStore(db, keys).createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        let erased = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(try Self.indexes(db, old.id).version == 2, "new rows are version 2")
        // As stored by the release before: version 1, under the index key itself.
        let email = try keys.legacyBlindIndex(ContactNormaliser.email(referral.contact.email!), kind: "email")
        let phone = try keys.legacyBlindIndex(ContactNormaliser.phone(referral.contact.phone!), kind: "phone")
        try await db.writer.write { conn in
            try conn.execute(sql: "UPDATE referral_case SET email_index = ?, phone_index = ?, contact_index_version = 1 WHERE id = ?",
                             arguments: [email, phone, old.id])
            try conn.execute(sql: "UPDATE referral_case SET contact_index_version = 1, erased_at = ? WHERE id = ?", arguments: [Date(), erased.id])
            try conn.execute(sql: "DELETE FROM case_key WHERE case_id = ?", arguments: [erased.id])
        }
        #expect(try await db.contactIndexesAwaitingUpgrade() == 2)

        #expect(try await db.upgradeContactIndexes(keys: keys, batch: 1) == 2, "batches carry on to the end")
        #expect(try await db.contactIndexesAwaitingUpgrade() == 0)
        let moved = try Self.indexes(db, old.id)
        let expected = try keys.blindIndex(ContactNormaliser.email(referral.contact.email!), kind: "email")
        #expect(moved.version == 2 && moved.email == expected)
        let gone = try Self.indexes(db, erased.id)
        #expect(gone.email == nil && gone.phone == nil && gone.version == 2, "an erased case keeps no index")
        #expect(try await db.upgradeContactIndexes(keys: keys) == 0, "running it again changes nothing")

        // The same family referring again is linked to the earlier case, as before the move.
        let again = try await IntakeStore(db, keys).createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(again.duplicateOf == old.id)
    }

    @Test func aRetrySpanningTheUpgradeStillFindsItsReferral() async throws {
        let db = try AppDatabase.inMemory()
        let keys = KeyRing.ephemeral()
        let body = Array("the body".utf8)
        let claim = try IdempotencyClaim(key: "retry", body: body, keys: keys)
        let first = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: claim)
        // As stored before the subkeys.
        try await db.writer.write { conn in
            try conn.execute(sql: "UPDATE idempotency_key SET key_hash = ?, request_hash = ?", arguments: [claim.legacyKeyHash, claim.legacyRequestHash])
        }
        let again = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: claim)
        #expect(again.replayed && again.reference == first.reference)
        await #expect(throws: IntakeError.idempotencyKeyReused) {
            try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: try IdempotencyClaim(key: "retry", body: [9], keys: keys))
        }
        #expect(try await IntakeStore(db, keys).caseCount() == 1)
    }

    @Test func aFormCopyIsKeptForItsMinutesThenTheResendIsRecognisedButNotShown() async throws {
        let db = try AppDatabase.inMemory()
        let keys = KeyRing.ephemeral()
        let t0 = Date()
        let form = try IdempotencyClaim(key: "form", body: [1], keys: keys, passphraseKeptFor: 600)
        let api = try IdempotencyClaim(key: "api", body: [2], keys: keys)
        let first = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: form, now: t0)
        _ = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: api, now: t0)

        let within = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: form, now: t0.addingTimeInterval(599))
        #expect(within.replayed && within.passphrase == first.passphrase)
        // Past the minutes, even before the purge runs: recognised (nothing stored twice), passphrase not shown.
        await #expect(throws: IntakeError.alreadyReceived) {
            try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: form, now: t0.addingTimeInterval(601))
        }
        try await IntakeStore(db, keys).purgeExpiredIdempotencyKeys(now: t0.addingTimeInterval(601))
        let copies = try await db.reader.read { conn in
            try Row.fetchAll(conn, sql: "SELECT passphrase IS NOT NULL AS kept FROM idempotency_key ORDER BY passphrase_until").map { $0["kept"] as Bool }
        }
        #expect(copies == [false, true], "the form's sealed copy is cleared; the API's 24-hour copy is kept")
        await #expect(throws: IntakeError.alreadyReceived) {
            try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: form, now: t0.addingTimeInterval(3600))
        }
        let apiAgain = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: api, now: t0.addingTimeInterval(23 * 3600))
        #expect(apiAgain.replayed)
        #expect(try await IntakeStore(db, keys).caseCount() == 2)
    }

    @Test func theMigrationKeepsRememberedKeysAndMarksOldIndexes() async throws {
        let queue = try DatabaseQueue()
        var migrator = AppDatabase.migrator
        try migrator.migrate(queue, upTo: "v9-answer-bits")
        let keys = KeyRing.ephemeral()
        let created = Date(timeIntervalSince1970: 1_790_000_000)
        try await queue.write { db in
            // insertCase reads key_state, which v9 lacks: lend it one for the insert.
            try db.execute(sql: "CREATE TABLE key_state (id INTEGER PRIMARY KEY, master_version INTEGER NOT NULL); INSERT INTO key_state VALUES (1, 1)")
            defer { try? db.execute(sql: "DROP TABLE key_state") }
            let record = try AppDatabase.insertCase(db, Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h",
                                                    receivedAt: created, keys: keys)
            try db.execute(sql: "INSERT INTO idempotency_key (key_hash, request_hash, case_id, passphrase, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Data([1]), Data([2]), record.id, Data([3]), created])
        }
        migrator = AppDatabase.migrator
        try migrator.migrate(queue)
        try await queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT passphrase, passphrase_until, created_at FROM idempotency_key"))
            #expect(row["passphrase"] == Data([3]))
            #expect(abs((row["passphrase_until"] as Date).timeIntervalSince(created) - 24 * 3600) < 0.01)
            #expect(try Int.fetchOne(db, sql: "SELECT contact_index_version FROM referral_case") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT master_version FROM key_state") == 1)
        }
    }
}
