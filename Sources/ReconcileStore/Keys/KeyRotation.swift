import Foundation
import GRDB
import ReconcileCore
import Sodium

// Master key rotation (SPEC "Data held, and how": key rotation re-wraps per-case keys without re-encrypting data).
//
// `reconcile keys rotate` adds master-v(N+1).key to the key directory and then, in ONE write transaction,
// - unwraps every `case_key` row with the master version it names and wraps the same data key again under
//   N+1 (data key and data key version unchanged, so no personal field ciphertext is touched);
// - opens every staff TOTP secret with the subkey of the version in `totp_key_version` and seals it again
//   under N+1;
// - appends a "keys.rotate" audit row.
// Either every row moves or none does. Old master key files are kept: backups taken before the rotation
// still name the old versions and must still restore. The highest version in the directory is current.

/// What a rotation changed.
public struct KeyRotationResult: Sendable, Equatable {
    public let masterVersion: Int
    public let caseKeys: Int
    public let totpSecrets: Int
}

/// Rotation refused or failed. Messages name versions, counts and ids, never key material or personal data.
public enum KeyRotationError: Error, Equatable, CustomStringConvertible {
    /// Checked before any key file is written: these rows do not open with the keys in the directory.
    case unopenable(caseKeys: [CaseID], totpAccounts: [String])
    /// The new key file was written but the transaction failed: nothing uses the new version.
    case transactionFailed(newVersion: Int, reason: String)

    public var description: String {
        switch self {
        case .unopenable(let cases, let accounts):
            var parts: [String] = []
            if let first = cases.first { parts.append("\(cases.count) case keys do not open (first: case \(first))") }
            if let first = accounts.first { parts.append("\(accounts.count) staff TOTP secrets do not open (first: account \(first))") }
            return parts.joined(separator: "; ") + "; nothing was changed and no key was added (run `reconcile check`)"
        case .transactionFailed(let version, let reason):
            return "re-wrapping failed (\(reason)); nothing was changed in the database, master-v\(version).key was written but nothing uses it; re-running `keys rotate` is safe"
        }
    }
}

extension AppDatabase {
    /// Rotates the master key: checks that everything opens with the current keys, writes a new master key
    /// version into `directory`, then re-wraps every case key and re-seals every TOTP secret under it in one
    /// transaction. A running service need not stop: it reads the new version from the key directory when it
    /// meets a case key wrapped under it, or is about to wrap one (`key_state`).
    public func rotateMasterKey(directory: KeyDirectory, now: Date = Date()) async throws -> KeyRotationResult {
        let before = try directory.load()  // refuses loose permissions
        let unopenableCases = try await casesWithUnopenableKeys(keys: before)
        let unopenableAccounts = try await accountsWithUnopenableTOTP(keys: before)
        guard unopenableCases.isEmpty, unopenableAccounts.isEmpty else {
            throw KeyRotationError.unopenable(caseKeys: unopenableCases, totpAccounts: unopenableAccounts)
        }
        let version = try directory.addMasterVersion()
        let keys = try directory.load()
        guard keys.currentMasterVersion == version else {
            throw KeyRotationError.transactionFailed(newVersion: version, reason: "another master key version appeared meanwhile")
        }
        do {
            return try await rewrapAll(keys: keys, now: now)
        } catch {
            throw KeyRotationError.transactionFailed(newVersion: version, reason: Self.rotationReason(error))
        }
    }

    /// Re-wraps every case key and re-seals every TOTP secret not already under `keys.currentMasterVersion`,
    /// in one transaction with its audit row. Rows already under the current version are left as they are,
    /// so running it again changes nothing.
    public func rewrapAll(keys: KeyRing, now: Date = Date()) async throws -> KeyRotationResult {
        let current = keys.currentMasterVersion
        return try await writer.write { db in
            var caseKeys = 0
            let records = try CaseKeyRecord.filter(Column("master_key_version") != current).fetchAll(db)
            for var record in records {
                let dataKey = try keys.unwrap([UInt8](record.wrappedKey), caseID: record.caseId,
                                              dataKeyVersion: record.dataKeyVersion, masterVersion: record.masterKeyVersion)
                let (version, wrapped) = try keys.wrap(caseKey: dataKey, caseID: record.caseId, dataKeyVersion: record.dataKeyVersion)
                record.masterKeyVersion = version
                record.wrappedKey = Data(wrapped)
                try record.update(db)
                caseKeys += 1
            }
            var secrets = 0
            let rows = try Row.fetchAll(db, sql: "SELECT id, totp_secret, totp_key_version FROM staff_account WHERE totp_key_version != ?",
                                        arguments: [current])
            for row in rows {
                let id: String = try row.value("id")
                let totp = try StaffSecrets.open(try row.value("totp_secret"), accountID: id, version: try row.value("totp_key_version"), keys: keys)
                let (version, sealed) = try StaffSecrets.seal(totp, accountID: id, keys: keys)
                try db.execute(sql: "UPDATE staff_account SET totp_secret = ?, totp_key_version = ? WHERE id = ?",
                               arguments: [sealed, version, id])
                secrets += 1
            }
            // Read by running services before they wrap a new case key (`KeyRing.catchUp`).
            try db.execute(sql: "UPDATE key_state SET master_version = ? WHERE id = 1", arguments: [current])
            try Self.appendAudit(db, AuditEntry(actor: "cli", action: .keysRotate,
                                                detail: "master v\(current); \(caseKeys) case keys; \(secrets) totp secrets"),
                                 at: now, keys: keys)
            return KeyRotationResult(masterVersion: current, caseKeys: caseKeys, totpSecrets: secrets)
        }
    }

    /// Master key versions that staff TOTP secrets are sealed under, with how many secrets each.
    public func totpKeyVersionsInUse() async throws -> [Int: Int] {
        try await reader.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT totp_key_version, COUNT(*) FROM staff_account GROUP BY 1")
            return try Dictionary(uniqueKeysWithValues: rows.map { (try $0.value(at: 0, as: Int.self), try $0.value(at: 1, as: Int.self)) })
        }
    }

    /// Ids of accounts whose TOTP secret does not open with the given key ring (for `reconcile check`).
    public func accountsWithUnopenableTOTP(keys: KeyRing) async throws -> [String] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT id, totp_secret, totp_key_version FROM staff_account ORDER BY id").compactMap { row in
                let id: String = try row.value("id")
                do {
                    _ = try StaffSecrets.open(try row.value("totp_secret"), accountID: id, version: try row.value("totp_key_version"), keys: keys)
                    return nil
                } catch {
                    return id
                }
            }
        }
    }

    static func rotationReason(_ error: any Error) -> String {
        switch error {
        case let error as StoreError: error.description
        case let error as DatabaseError: error.message ?? "SQLite error \(error.resultCode.rawValue)"
        case let error as CustomStringConvertible: error.description
        default: "\(type(of: error))"
        }
    }
}
