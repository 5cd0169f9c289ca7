import Foundation
import GRDB
import Sodium

extension AppDatabase {
    /// Creates and stores a fresh wrapped data key for a new case; returns its cipher.
    static func createCaseKey(_ db: Database, caseID: String, keys: KeyRing) throws -> CaseCipher {
        // After a `keys rotate` run while this service was up, wrap under the new version, not the one it started with.
        try keys.catchUp(toMasterVersion: try rotatedMasterVersion(db))
        let dataKey = AEAD.generateKey()
        let (masterVersion, wrapped) = try keys.wrap(caseKey: dataKey, caseID: caseID, dataKeyVersion: 1)
        try CaseKeyRecord(caseId: caseID, dataKeyVersion: 1, masterKeyVersion: masterVersion, wrappedKey: Data(wrapped))
            .insert(db)
        return CaseCipher(caseID: caseID, dataKeyVersion: 1, key: dataKey)
    }

    /// The cipher for an existing case; `StoreError.erased` once its key has been destroyed.
    static func caseCipher(_ db: Database, caseID: String, keys: KeyRing) throws -> CaseCipher {
        guard let record = try CaseKeyRecord.fetchOne(db, key: caseID) else { throw StoreError.erased }
        let key = try keys.unwrap([UInt8](record.wrappedKey), caseID: caseID,
                                  dataKeyVersion: record.dataKeyVersion, masterVersion: record.masterKeyVersion)
        return CaseCipher(caseID: caseID, dataKeyVersion: record.dataKeyVersion, key: key)
    }

    /// Master key versions that wrapped keys in this database depend on, with how many keys each.
    public func masterKeyVersionsInUse() throws -> [Int: Int] {
        try reader.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT master_key_version, COUNT(*) FROM case_key GROUP BY 1")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as Int, $0[1] as Int) })
        }
    }

    /// Ids of cases whose wrapped key does not open with the given key ring (for `reconcile check`).
    public func casesWithUnopenableKeys(keys: KeyRing) throws -> [String] {
        try reader.read { db in
            try CaseKeyRecord.fetchAll(db).compactMap { record in
                do {
                    _ = try keys.unwrap([UInt8](record.wrappedKey), caseID: record.caseId,
                                        dataKeyVersion: record.dataKeyVersion, masterVersion: record.masterKeyVersion)
                    return nil
                } catch {
                    return record.caseId
                }
            }
        }
    }
}
