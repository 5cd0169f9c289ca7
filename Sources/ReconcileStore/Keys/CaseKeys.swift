import Foundation
import GRDB
import ReconcileCore
import Sodium

extension AppDatabase {
    /// Creates and stores a fresh wrapped data key for a new case; returns its cipher.
    /// A new data key for a case and its wrapped row, not yet inserted (the case row must come first).
    static func newCaseKey(_ db: Database, caseID: CaseID, keys: KeyRing) throws -> (CaseCipher, CaseKeyRecord) {
        // After a `keys rotate` run while this service was up, wrap under the new version, not the one it started with.
        try keys.catchUp(toMasterVersion: try rotatedMasterVersion(db))
        let dataKey = AEAD.generateKey()
        let (masterVersion, wrapped) = try keys.wrap(caseKey: dataKey, caseID: caseID, dataKeyVersion: 1)
        return (CaseCipher(caseID: caseID, dataKeyVersion: 1, key: dataKey),
                CaseKeyRecord(caseId: caseID, dataKeyVersion: 1, masterKeyVersion: masterVersion, wrappedKey: Data(wrapped)))
    }

    /// The cipher for an existing case; `StoreError.erased` once its key has been destroyed.
    static func caseCipher(_ db: Database, caseID: CaseID, keys: KeyRing) throws -> CaseCipher {
        guard let record = try CaseKeyRecord.fetchOne(db, key: caseID) else { throw StoreError.erased }
        let key = try keys.unwrap([UInt8](record.wrappedKey), caseID: caseID,
                                  dataKeyVersion: record.dataKeyVersion, masterVersion: record.masterKeyVersion)
        return CaseCipher(caseID: caseID, dataKeyVersion: record.dataKeyVersion, key: key)
    }

    /// Master key versions that wrapped keys in this database depend on, with how many keys each.
    public func masterKeyVersionsInUse() async throws -> [Int: Int] {
        try await reader.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT master_key_version, COUNT(*) FROM case_key GROUP BY 1")
            return try Dictionary(uniqueKeysWithValues: rows.map { (try $0.value(at: 0, as: Int.self), try $0.value(at: 1, as: Int.self)) })
        }
    }

    /// Ids of cases whose wrapped key does not open with the given key ring (for `reconcile check`).
    public func casesWithUnopenableKeys(keys: KeyRing) async throws -> [CaseID] {
        try await reader.read { db in
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
