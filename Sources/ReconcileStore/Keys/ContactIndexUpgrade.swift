import Foundation
import GRDB
import ReconcileCore

extension AppDatabase {
    /// Recomputes version-1 blind indexes (under the index key itself) as version 2 (under its `contacts`
    /// subkey), decrypting each case's email and phone. `serve` runs it at start, before it listens, so
    /// duplicate detection never compares the two versions. Batches of 500 in their own transactions: a stop
    /// part way leaves every row at one version or the other, and the next start carries on. Returns how many
    /// rows moved.
    @discardableResult
    public func upgradeContactIndexes(keys: KeyRing, batch: Int = 500) async throws -> Int {
        var moved = 0
        while true {
            let done = try await writer.write { db -> Int in
                let records = try CaseRecord.fetchAll(db, sql: "SELECT * FROM referral_case WHERE contact_index_version = 1 LIMIT ?",
                                                      arguments: [batch])
                for record in records {
                    var email: Data?, phone: Data?
                    if record.erasedAt == nil, let cipher = try? Self.caseCipher(db, caseID: record.id, keys: keys) {
                        let contact = try Self.decryptReferral(record, cipher: cipher).contact
                        email = try contact.email.map { try keys.blindIndex(ContactNormaliser.email($0), kind: "email") }
                        phone = try contact.phone.map { try keys.blindIndex(ContactNormaliser.phone($0), kind: "phone") }
                    }  // an erased case keeps no index: nothing may match it
                    try db.execute(sql: "UPDATE referral_case SET email_index = ?, phone_index = ?, contact_index_version = 2 WHERE id = ?",
                                   arguments: [email, phone, record.id])
                }
                return records.count
            }
            moved += done
            if done < batch { return moved }
        }
    }

    /// Cases whose blind indexes still wait for `upgradeContactIndexes` (for `reconcile check`).
    public func contactIndexesAwaitingUpgrade() async throws -> Int {
        try await reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM referral_case WHERE contact_index_version = 1") ?? 0 }
    }
}
