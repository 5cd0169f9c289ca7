import Foundation
import Sodium
#if canImport(Glibc)
import Glibc
#endif

/// The key shipped backups are encrypted under (`backup.key` in the key directory), with the identifier written
/// into every backup so a restore can say "this needs a key you do not hold" instead of "damaged".
public struct BackupKey: Sendable {
    public let key: SecretKey
    /// Keyed BLAKE2b of a fixed label under the key: names the key without revealing anything about it.
    public let id: [UInt8]
    /// Keys this one replaced (`keys rotate-backup`): new backups are never made under them, but the backups they
    /// made still restore and verify.
    public let retired: [BackupKey]

    public init(key: SecretKey, retired: [BackupKey] = []) throws {
        self.key = key
        id = try GenericHash.hash(Array("reconcile/backup-key-id/v1".utf8), key: key, length: 16)
        self.retired = retired
    }

    public var idHex: String { id.map { String(format: "%02x", $0) }.joined() }

    /// The key (this one or a retired one) that a backup naming `id` was made under.
    func opening(id: [UInt8]) -> BackupKey? {
        id == self.id ? self : retired.first { $0.id == id }
    }
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
        let retired = try retiredBackupKeyFiles().map { try BackupKey(key: read($0, length: SecretStream.keyLength)) }
        return try BackupKey(key: read(Self.backupFile, length: SecretStream.keyLength), retired: retired)
    }

    /// `backup-retired-<id>.key` files, oldest name first.
    func retiredBackupKeyFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasPrefix("backup-retired-") && $0.hasSuffix(".key") }.sorted()
    }

    /// Starts a new backup key (`keys rotate-backup`): the current one is kept as `backup-retired-<id>.key`, so the
    /// backups it made still restore, and a new `backup.key` is written (0600, fsynced with the directory). A
    /// running `serve` keeps shipping under the old key until it restarts. Returns the retired and the new key.
    public func rotateBackupKey() throws -> (retired: BackupKey, current: BackupKey) {
        try checkPermissions()
        let old = try backupKey(createIfMissing: false)
        let retiredName = "backup-retired-\(old.idHex).key"
        let from = url.appendingPathComponent(Self.backupFile).path, to = url.appendingPathComponent(retiredName).path
        // link then unlink, never rename: a retired file already there is refused (EEXIST) rather than replaced.
        guard link(from, to) == 0 else { throw KeyDirectoryError("cannot keep the backup key as \(to): \(String(cString: strerror(errno)))") }
        guard unlink(from) == 0 else { throw KeyDirectoryError("cannot replace \(from): \(String(cString: strerror(errno)))") }
        try writeNew(Self.backupFile, bytes: SecretStream.generateKey())   // fsyncs the file and the directory
        return (old, try backupKey(createIfMissing: false))
    }
}
