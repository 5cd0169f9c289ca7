import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

@Suite struct FieldEncryptionTests {
    let keys = KeyRing.ephemeral()

    @Test func personalFieldsRoundTripAndAreStoredAsCiphertext() async throws {
        let db = try AppDatabase.inMemory()
        let referral = Fixtures.referral()
        let record = try await db.createCase(referral, reference: Fixtures.reference(), passphraseHash: "$argon2id$x",
                                       receivedAt: Date(), keys: keys)
        let back = try db.decryptedReferral(caseID: record.id, keys: keys)
        #expect(back.contact == referral.contact)
        #expect(back.story == referral.story)
        let stored = try #require(try db.caseRecord(id: record.id))
        #expect(!(stored.story ?? Data()).contains(referral.story!))
        #expect(!(stored.contactName ?? Data()).contains(referral.contact.name!))
        #expect(stored.harm == [.sexualAssault, .onlineOrImageBased], "statistical fields stay plain")
    }

    @Test func ciphertextMovedToAnotherCaseFailsToOpen() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        let b = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET story = (SELECT story FROM referral_case WHERE id = ?) WHERE id = ?",
                           arguments: [a.id, b.id])
        }
        #expect(throws: StoreError.undecryptable(field: "story")) { try db.decryptedReferral(caseID: b.id, keys: keys) }
        #expect(try db.decryptedReferral(caseID: a.id, keys: keys).story != nil, "the source case is untouched")
    }

    @Test func ciphertextMovedToAnotherFieldFailsToOpen() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET contact_name = contact_address WHERE id = ?", arguments: [a.id])
        }
        #expect(throws: StoreError.undecryptable(field: "contact_name")) { try db.decryptedReferral(caseID: a.id, keys: keys) }
    }

    @Test func wrappedKeyMovedToAnotherCaseFailsToOpen() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        let b = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE case_key SET wrapped_key = (SELECT wrapped_key FROM case_key WHERE case_id = ?) WHERE case_id = ?",
                           arguments: [a.id, b.id])
        }
        #expect(throws: StoreError.undecryptable(field: "case_key")) { try db.decryptedReferral(caseID: b.id, keys: keys) }
        #expect(try await db.casesWithUnopenableKeys(keys: keys) == [b.id])
    }

    @Test func anotherMasterKeyCannotOpenCases() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        #expect(throws: (any Error).self) { try db.decryptedReferral(caseID: a.id, keys: KeyRing.ephemeral()) }
    }

    @Test func deletingTheCaseKeyShredsThePersonalData() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        try await db.writer.write { db in try db.execute(sql: "DELETE FROM case_key WHERE case_id = ?", arguments: [a.id]) }
        #expect(throws: StoreError.erased) { try db.decryptedReferral(caseID: a.id, keys: keys) }
    }

    @Test func duplicatesAreLinkedByBlindIndexNotRefused() async throws {
        let db = try AppDatabase.inMemory()
        var first = Fixtures.referral()
        first.contact.email = "Ann.Smith@Example.org"
        first.contact.phone = "07700 900123"
        let a = try await db.createCase(first, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        var second = Fixtures.referral()
        second.contact.email = "  ann.smith@example.ORG "
        second.contact.phone = nil
        let b = try await db.createCase(second, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        var third = Fixtures.referral()
        third.contact.email = nil
        third.contact.phone = "+44 7700 900123"
        let c = try await db.createCase(third, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        let unrelated = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        #expect(try db.caseRecord(id: b.id)?.duplicateOf == a.id)
        #expect(try db.caseRecord(id: c.id)?.duplicateOf == a.id)
        #expect(try db.caseRecord(id: unrelated.id)?.duplicateOf == nil)
        #expect(try db.caseRecord(id: a.id)?.emailIndex != nil)
        #expect(try await db.caseCount() == 4)
    }

    /// The newest earlier case wins, whether it matched by email or by phone, however many earlier ones share it.
    @Test func aRepeatedContactLinksToTheNewestEarlierCase() async throws {
        let db = try AppDatabase.inMemory()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var byEmail = Fixtures.referral()
        byEmail.contact.email = "family@example.org"
        byEmail.contact.phone = nil
        var byPhone = Fixtures.referral()
        byPhone.contact.email = nil
        byPhone.contact.phone = "07700 900555"
        var ids: [String] = []
        for i in 0..<30 {
            let record = try await db.createCase(byEmail, reference: Fixtures.reference(), passphraseHash: "h",
                                                 receivedAt: start + Double(i) * 60, keys: keys)
            ids.append(record.id)
        }
        #expect(try db.caseRecord(id: ids[29])?.duplicateOf == ids[28], "the one before, not the first")
        let phoneCase = try await db.createCase(byPhone, reference: Fixtures.reference(), passphraseHash: "h",
                                                receivedAt: start + 31 * 60, keys: keys)
        var both = Fixtures.referral()
        both.contact.email = "FAMILY@example.org"
        both.contact.phone = "+44 7700 900555"
        let latest = try await db.createCase(both, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: start + 40 * 60, keys: keys)
        #expect(try db.caseRecord(id: latest.id)?.duplicateOf == phoneCase.id, "the phone's case is newer than the email's")
        both.contact.phone = "07700 900999"
        let emailOnly = try await db.createCase(both, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: start + 50 * 60, keys: keys)
        #expect(try db.caseRecord(id: emailOnly.id)?.duplicateOf == latest.id)
    }

    @Test func schemaRefusesValuesOutsideTheFixedLists() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date(), keys: keys)
        #expect(throws: DatabaseError.self) {
            try db.writer.write { db in try db.execute(sql: "UPDATE referral_case SET setting = 'nursery' WHERE id = ?", arguments: [a.id]) }
        }
        #expect(throws: DatabaseError.self) {
            try db.writer.write { db in try db.execute(sql: "UPDATE referral_case SET reference = 'RS-1' WHERE id = ?", arguments: [a.id]) }
        }
        #expect(try db.caseRecord(id: a.id)?.setting == .secondary)
    }
}
