import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// What `backup verify` found for one file.
public struct BackupVerification: Sendable, Equatable {
    public let name: String
    /// The schema and case count of a good backup, or why it is not one.
    public let outcome: Result<Summary, BackupError>

    public struct Summary: Sendable, Equatable {
        public let schema: String
        public let cases: Int
    }
}

extension ShippedBackups {
    /// Decrypts and integrity-checks every backup in the directory, newest first (`reconcile backup verify`).
    public func verifyAll(key: BackupKey, keyDirectory: URL) async throws -> [BackupVerification] {
        try await FileWork.run { [self] in try verifyEach(key: key, keyDirectory: keyDirectory) }
    }

    private func verifyEach(key: BackupKey, keyDirectory: URL) throws -> [BackupVerification] {
        try list().map { backup in
            let outcome: Result<BackupVerification.Summary, BackupError>
            do {
                outcome = .success(try Self.withDecrypted(backup.url, key: key, keyDirectory: keyDirectory, in: nil) { plain in
                    let schema = try AppDatabase.inspectBackup(at: plain)
                    let cases = try AppDatabase.readingBackup(at: plain) { queue in try queue.read { db in try CaseRecord.fetchCount(db) } }
                    return .init(schema: schema, cases: cases)
                })
            } catch let error as BackupError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(.io("\(backup.url.path): \(type(of: error))"))
            }
            return BackupVerification(name: backup.url.lastPathComponent, outcome: outcome)
        }
    }

    /// Decrypts `source` to a private file (in `directory`, or a fresh 0700 temporary directory), runs `body`
    /// on it, and removes it whatever happens. Refusals name `source`, never the temporary file.
    static func withDecrypted<T>(_ source: URL, key: BackupKey, keyDirectory: URL, in directory: URL?,
                                 _ body: (URL) throws -> T) throws -> T {
        var scratch: URL? = nil
        let folder: URL
        if let directory { folder = directory } else {
            var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-verify.XXXXXX").path.utf8CString)
            guard let made = mkdtemp(&template) else { throw BackupError.io("cannot make a private temporary directory") }
            folder = URL(fileURLWithPath: String(cString: made))
            scratch = folder
        }
        let plain = folder.appendingPathComponent(".decrypted-\(UUID().uuidString.lowercased()).sqlite")
        defer {
            BackupFiles.removeDatabaseFiles(plain)
            if let scratch { rmdir(scratch.path) }
        }
        try EncryptedBackupFile.decrypt(source, to: plain, key: key, keyDirectory: keyDirectory)
        do {
            return try body(plain)
        } catch let error as BackupError {
            throw error.naming(source.path, insteadOf: plain.path)
        }
    }
}

extension AppDatabase {
    /// Whether `url` is a shipped (encrypted) backup rather than a plain SQLite one.
    public static func isEncryptedBackup(_ url: URL) -> Bool { EncryptedBackupFile.isEncrypted(url) }

    /// Restores an encrypted backup: decrypts it into the data directory (0600, removed afterwards) and restores
    /// that as `restore(from:dataDirectory:force:)` does, with the same refusals. A backup made under another
    /// backup key is refused before anything is written (`BackupError.keyNotHeld`).
    public static func restore(fromEncrypted source: URL, key: BackupKey, keyDirectory: URL, dataDirectory: URL,
                               force: Bool, now: Date = Date()) async throws -> RestoreResult {
        try await FileWork.run {
            try restoreNow(fromEncrypted: source, key: key, keyDirectory: keyDirectory, dataDirectory: dataDirectory, force: force, now: now)
        }
    }

    private static func restoreNow(fromEncrypted source: URL, key: BackupKey, keyDirectory: URL, dataDirectory: URL,
                                   force: Bool, now: Date) throws -> RestoreResult {
        let source = source.standardizedFileURL
        guard BackupFiles.exists(source.path) else { throw BackupError.sourceMissing(source.path) }
        try EncryptedBackupFile.checkKey(source, key: key, keyDirectory: keyDirectory)
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw BackupError.io("cannot create the data directory \(dataDirectory.path)")
        }
        return try ShippedBackups.withDecrypted(source, key: key, keyDirectory: keyDirectory, in: dataDirectory) { plain in
            try restoreNow(from: plain, dataDirectory: dataDirectory, force: force, now: now)
        }
    }
}

extension BackupError {
    /// The same error about `path` instead of `temporary`.
    func naming(_ path: String, insteadOf temporary: String) -> BackupError {
        switch self {
        case .notADatabase(temporary): .notADatabase(path)
        case .notReconcile(temporary): .notReconcile(path)
        case .damaged(temporary, let why): .damaged(path, why)
        case .newerSchema(temporary, let id): .newerSchema(path, id)
        case .sourceMissing(temporary): .sourceMissing(path)
        default: self
        }
    }
}
