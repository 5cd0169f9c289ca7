import Foundation
import Sodium

/// The key shipped backups are encrypted under (`backup.key` in the key directory), with the identifier written
/// into every backup so a restore can say "this needs a key you do not hold" instead of "damaged".
public struct BackupKey: Sendable {
    public let key: SecretKey
    /// Keyed BLAKE2b of a fixed label under the key: names the key without revealing anything about it.
    public let id: [UInt8]

    public init(key: SecretKey) throws {
        self.key = key
        id = try GenericHash.hash(Array("reconcile/backup-key-id/v1".utf8), key: key, length: 16)
    }

    public var idHex: String { id.map { String(format: "%02x", $0) }.joined() }
}

extension KeyDirectory {
    static let backupFile = "backup.key"

    /// The backup key, after the usual permission checks. Key directories made before shipped backups existed
    /// have none: `createIfMissing` (what `serve` does when backups are on) adds one, 0600, fsynced; commands that
    /// only read backups (`restore`, `backup verify`) never create one, since a new key opens no existing backup.
    public func backupKey(createIfMissing: Bool) throws -> BackupKey {
        try checkPermissions()
        let path = url.appendingPathComponent(Self.backupFile).path
        if !BackupFiles.exists(path) {
            guard createIfMissing else {
                throw KeyDirectoryError("no backup key in \(url.path) (\(Self.backupFile)); use the key directory the backups were made with")
            }
            try writeNew(Self.backupFile, bytes: SecretStream.generateKey())
        }
        return try BackupKey(key: read(Self.backupFile, length: SecretStream.keyLength))
    }
}
