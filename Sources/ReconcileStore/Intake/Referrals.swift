import Foundation
import GRDB
import ReconcileCore

/// A referral read back and decrypted, for the people allowed to see it.
public struct DecryptedReferral: Sendable, Equatable {
    public var caseID: CaseID
    public var reference: String
    public var contact: ContactDetails
    public var story: String?
}

/// Personal field names, as bound into each ciphertext's associated data.
enum PersonalField {
    static let name = "contact_name", email = "contact_email", phone = "contact_phone"
    static let address = "contact_address", preference = "contact_preference"
    static let safeToLeaveMessage = "contact_safe_to_leave_message", safeTimes = "contact_safe_times"
    static let story = "story", accessNeeds = "access_needs"
}

extension AppDatabase {
    static func insertCase(
        _ db: Database, _ referral: Referral, reference: String, passphraseHash: String, receivedAt: Date, keys: KeyRing,
        id: CaseID = .mint()
    ) throws -> CaseRecord {
        // One INSERT of the whole row, then its key (the key's foreign key needs the row): the fields are sealed
        // under a key made in memory first, instead of inserting a bare row and rewriting it.
        let (cipher, caseKey) = try newCaseKey(db, caseID: id, keys: keys)
        var record = CaseRecord(
            id: id, reference: reference, stage: .received, closeReason: nil,
            councilArea: referral.councilArea, referrerRole: referral.referrerRole, setting: referral.setting,
            harm: referral.harm, whenAgo: referral.howLongAgo, toldBefore: referral.toldBefore, wishes: referral.wishes,
            harmBits: Harm.answerBits(referral.harm), toldBeforeBits: ToldBefore.answerBits(referral.toldBefore),
            wishesBits: Wish.answerBits(referral.wishes),
            consentContactAt: receivedAt, consentStatistics: referral.consentToStatistics,
            consentStatisticsAt: receivedAt, receivedAt: receivedAt, passphraseHash: passphraseHash,
            emailIndex: try referral.contact.email.map { try keys.blindIndex(ContactNormaliser.email($0), kind: "email") },
            phoneIndex: try referral.contact.phone.map { try keys.blindIndex(ContactNormaliser.phone($0), kind: "phone") })
        let c = referral.contact
        record.contactName = try cipher.sealIfPresent(c.name, field: PersonalField.name)
        record.contactEmail = try cipher.sealIfPresent(c.email, field: PersonalField.email)
        record.contactPhone = try cipher.sealIfPresent(c.phone, field: PersonalField.phone)
        record.contactAddress = try cipher.sealIfPresent(c.address, field: PersonalField.address)
        record.contactPreference = try cipher.seal(c.preference.rawValue, field: PersonalField.preference)
        record.contactSafeToLeaveMessage = try cipher.seal(c.safeToLeaveMessage ? "yes" : "no",
                                                           field: PersonalField.safeToLeaveMessage)
        record.contactSafeTimes = try cipher.sealIfPresent(c.safeTimes, field: PersonalField.safeTimes)
        record.story = try cipher.sealIfPresent(referral.story, field: PersonalField.story)
        record.duplicateOf = try latestCase(db, emailIndex: record.emailIndex, phoneIndex: record.phoneIndex)
        try record.insert(db, extra: try intakeAnswers(db, referral, cipher: cipher))
        try caseKey.insertCached(db)
        return record
    }

    /// The most recent earlier case with the same email or phone (linked, never refused). Each side is one seek
    /// into its `(index, received_at)` index, so a family that writes a hundred times costs no more than one
    /// that writes once (an OR of the two, sorted, read every earlier match).
    static func latestCase(_ db: Database, emailIndex: Data?, phoneIndex: Data?) throws -> CaseID? {
        var newest: (id: CaseID, at: Date)?
        for (column, value) in [("email_index", emailIndex), ("phone_index", phoneIndex)] {
            guard let value else { continue }
            guard let row = try db.fetchRowCached(sql: """
                SELECT id, received_at FROM referral_case WHERE \(column) = ? ORDER BY received_at DESC LIMIT 1
                """, arguments: [value]) else { continue }
            let at: Date = try row.value("received_at")
            if newest.map({ at > $0.at }) ?? true { newest = (try row.value("id"), at) }
        }
        return newest?.id
    }

    /// The v12 answers and v17's language, columns of the same INSERT but kept out of `CaseRecord` like v11's, so
    /// that a record can still be written to a database migrated only so far (the migration tests do).
    static func intakeAnswers(_ db: Database, _ referral: Referral, cipher: CaseCipher) throws
        -> [(column: String, value: (any DatabaseValueConvertible)?)] {
        // Only a database migrated to before v17 lacks the newest column, and `serve` refuses to open one (tests
        // build such databases on purpose, all before v12). GRDB caches the schema per connection, so this costs no
        // query per referral.
        guard try db.columns(in: CaseRecord.databaseTableName).contains(where: { $0.name == "language" }) else { return [] }
        let accessNeeds = try referral.accessNeeds.map { needs in
            try cipher.seal(String(decoding: try JSONEncoder().encode(needs), as: UTF8.self), field: PersonalField.accessNeeds)
        }
        return [("involvement", referral.involvement.rawValue), ("age_band", referral.ageBand?.rawValue),
                ("parent_knows", referral.parentKnows?.rawValue), ("heard_from", referral.heardFrom?.rawValue),
                ("pattern_bits", IncidentPattern.answerBits(referral.pattern)), ("child_sex", referral.childSex?.rawValue),
                ("special_needs", referral.specialNeeds?.rawValue), ("channel", referral.channel.rawValue),
                ("access_needs", accessNeeds), ("language", referral.language?.rawValue)]
    }
}

extension IntakeStore {
    /// Stores a new case for `referral` with its own data key, in one transaction. The personal fields are
    /// encrypted before they reach SQLite; the blind indexes let the partner see possible duplicates.
    public func createCase(
        _ referral: Referral, reference: String, passphraseHash: String, receivedAt: Date
    ) async throws -> CaseRecord {
        try await writer.write { db in try AppDatabase.insertCase(db, referral, reference: reference,
                                                      passphraseHash: passphraseHash, receivedAt: receivedAt, keys: keys) }
    }

    /// Reads and decrypts the personal fields of one case. Callers record who read it.
    func decryptedReferral(caseID: CaseID) throws -> DecryptedReferral {
        try reader.read { db in
            guard let record = try CaseRecord.fetchOne(db, key: caseID) else { throw StoreError.caseNotFound }
            if record.erasedAt != nil { throw StoreError.erased }
            return try AppDatabase.decryptReferral(record, cipher: try AppDatabase.caseCipher(db, caseID: caseID, keys: keys))
        }
    }

    /// Whether a case already holds `reference` (references are drawn at random; the demo draws its own).
    public func referenceInUse(_ reference: String) async throws -> Bool {
        try await reader.read { db in try CaseRecord.filter(CaseRecord.Columns.reference == reference).fetchCount(db) > 0 }
    }

    func caseRecord(id: CaseID) throws -> CaseRecord? {
        try reader.read { db in try CaseRecord.fetchOne(db, key: id) }
    }

    /// The case's stage, read on GRDB's own queue (async handlers never block the cooperative executor).
    public func caseCount() async throws -> Int {
        try await reader.read { db in try CaseRecord.fetchCount(db) }
    }
}
