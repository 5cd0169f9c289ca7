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
        let record = try await IntakeStore(db, keys).createCase(referral, reference: Fixtures.reference(), passphraseHash: "$argon2id$x",
                                       receivedAt: Date())
        let back = try IntakeStore(db, keys).decryptedReferral(caseID: record.id)
        #expect(back.contact == referral.contact)
        #expect(back.story == referral.story)
        let stored = try #require(try IntakeStore(db, keys).caseRecord(id: record.id))
        #expect(!(stored.story ?? Data()).contains(referral.story!))
        #expect(!(stored.contactName ?? Data()).contains(referral.contact.name!))
        #expect(stored.harm == [.sexualAssault, .onlineOrImageBased], "statistical fields stay plain")
    }

    @Test func ciphertextMovedToAnotherCaseFailsToOpen() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        let b = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET story = (SELECT story FROM referral_case WHERE id = ?) WHERE id = ?",
                           arguments: [a.id, b.id])
        }
        #expect(throws: StoreError.undecryptable(field: "story")) { try IntakeStore(db, keys).decryptedReferral(caseID: b.id) }
        #expect(try IntakeStore(db, keys).decryptedReferral(caseID: a.id).story != nil, "the source case is untouched")
    }

    @Test func ciphertextMovedToAnotherFieldFailsToOpen() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET contact_name = contact_address WHERE id = ?", arguments: [a.id])
        }
        #expect(throws: StoreError.undecryptable(field: "contact_name")) { try IntakeStore(db, keys).decryptedReferral(caseID: a.id) }
    }

    @Test func wrappedKeyMovedToAnotherCaseFailsToOpen() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        let b = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        try await db.writer.write { db in
            try db.execute(sql: "UPDATE case_key SET wrapped_key = (SELECT wrapped_key FROM case_key WHERE case_id = ?) WHERE case_id = ?",
                           arguments: [a.id, b.id])
        }
        #expect(throws: StoreError.undecryptable(field: "case_key")) { try IntakeStore(db, keys).decryptedReferral(caseID: b.id) }
        #expect(try await db.casesWithUnopenableKeys(keys: keys) == [b.id])
    }

    @Test func anotherMasterKeyCannotOpenCases() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(throws: (any Error).self) { try IntakeStore(db, KeyRing.ephemeral()).decryptedReferral(caseID: a.id) }
    }

    @Test func deletingTheCaseKeyShredsThePersonalData() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        try await db.writer.write { db in try db.execute(sql: "DELETE FROM case_key WHERE case_id = ?", arguments: [a.id]) }
        #expect(throws: StoreError.erased) { try IntakeStore(db, keys).decryptedReferral(caseID: a.id) }
    }

    @Test func duplicatesAreLinkedByBlindIndexNotRefused() async throws {
        let db = try AppDatabase.inMemory()
        var first = Fixtures.referral()
        first.contact.email = "Ann.Smith@Example.org"
        first.contact.phone = "07700 900123"
        let a = try await IntakeStore(db, keys).createCase(first, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        var second = Fixtures.referral()
        second.contact.email = "  ann.smith@example.ORG "
        second.contact.phone = nil
        let b = try await IntakeStore(db, keys).createCase(second, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        var third = Fixtures.referral()
        third.contact.email = nil
        third.contact.phone = "+44 7700 900123"
        let c = try await IntakeStore(db, keys).createCase(third, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        // A number of its own, so this test does not lean on the fixture's numbers being apart from 07700 900123.
        var fourth = Fixtures.referral()
        fourth.contact.phone = "07700 900456"
        let unrelated = try await IntakeStore(db, keys).createCase(fourth, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(try IntakeStore(db, keys).caseRecord(id: b.id)?.duplicateOf == a.id)
        #expect(try IntakeStore(db, keys).caseRecord(id: c.id)?.duplicateOf == a.id)
        #expect(try IntakeStore(db, keys).caseRecord(id: unrelated.id)?.duplicateOf == nil)
        #expect(try IntakeStore(db, keys).caseRecord(id: a.id)?.emailIndex != nil)
        #expect(try await IntakeStore(db, keys).caseCount() == 4)
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
        var ids: [CaseID] = []
        for i in 0..<30 {
            let record = try await IntakeStore(db, keys).createCase(byEmail, reference: Fixtures.reference(), passphraseHash: "h",
                                                 receivedAt: start + Double(i) * 60)
            ids.append(record.id)
        }
        #expect(try IntakeStore(db, keys).caseRecord(id: ids[29])?.duplicateOf == ids[28], "the one before, not the first")
        let phoneCase = try await IntakeStore(db, keys).createCase(byPhone, reference: Fixtures.reference(), passphraseHash: "h",
                                                receivedAt: start + 31 * 60)
        var both = Fixtures.referral()
        both.contact.email = "FAMILY@example.org"
        both.contact.phone = "+44 7700 900555"
        let latest = try await IntakeStore(db, keys).createCase(both, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: start + 40 * 60)
        #expect(try IntakeStore(db, keys).caseRecord(id: latest.id)?.duplicateOf == phoneCase.id, "the phone's case is newer than the email's")
        both.contact.phone = "07700 900999"
        let emailOnly = try await IntakeStore(db, keys).createCase(both, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: start + 50 * 60)
        #expect(try IntakeStore(db, keys).caseRecord(id: emailOnly.id)?.duplicateOf == latest.id)
    }

    @Test func schemaRefusesValuesOutsideTheFixedLists() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(throws: DatabaseError.self) {
            try db.writer.write { db in try db.execute(sql: "UPDATE referral_case SET setting = 'nursery' WHERE id = ?", arguments: [a.id]) }
        }
        #expect(throws: DatabaseError.self) {
            try db.writer.write { db in try db.execute(sql: "UPDATE referral_case SET reference = 'RS-1' WHERE id = ?", arguments: [a.id]) }
        }
        #expect(try IntakeStore(db, keys).caseRecord(id: a.id)?.setting == .secondary)
    }
}
