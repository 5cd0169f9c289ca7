import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

// Backups and restores (SPEC "Reliability and security": the SQLite online backup API; restore is tested).
//
// A backup is one self-contained SQLite file (rollback-journal mode, no -wal beside it), mode 0600, copied
// page by page inside one read transaction of the running service's database, so it is a consistent snapshot
// however busy the service is. Personal fields in it are ciphertext under per-case keys that are themselves
// wrapped by the master keys; the keys are NOT in the backup. A backup without the key directory is unreadable,
// and the key directory must be backed up separately (ops/RUNBOOKS.md).

/// A backup or restore refused or failed. Messages name paths and migration ids, never data.
public enum BackupError: Error, Equatable, CustomStringConvertible {
    case destinationExists(String)
    case sourceMissing(String)
    case notADatabase(String)
    case notReconcile(String)
    case damaged(String, String)
    case newerSchema(String, String)
    case databaseExists(String)
    case inUse(String)
    case keyNotHeld(String, String)
    case undecryptable(String)
    case io(String)

    public var description: String {
        switch self {
        case .destinationExists(let path): "\(path) already exists; refusing to overwrite it (choose a new file name)"
        case .sourceMissing(let path): "no backup file at \(path)"
        case .notADatabase(let path): "\(path) is not a SQLite database"
        case .notReconcile(let path): "\(path) is a SQLite database but not a Reconcile database (no migrations table)"
        case .damaged(let path, let why): "\(path) fails the integrity check: \(why)"
        case .newerSchema(let path, let id): "\(path) has schema \(id), newer than this program; restore it with a newer reconcile"
        case .databaseExists(let path): "\(path) already exists; refusing to replace it without --force (it would be kept as reconcile.sqlite.before-restore-<time>)"
        case .inUse(let path): "\(path) is in use by another process (is the service running? stop it first)"
        case .keyNotHeld(let path, let keys): "\(path) was encrypted under a backup key that is not in \(keys); use the key directory it was made with"
        case .undecryptable(let path): "\(path) does not decrypt: it is damaged, cut short or altered (or not a Reconcile backup)"
        case .io(let why): why
        }
    }
}

/// What `backup` wrote.
public struct BackupResult: Sendable, Equatable {
    public let url: URL
    public let cases: Int
    /// The newest migration applied in the copy, e.g. "v7-reports".
    public let schema: String
}

/// What `restore` did.
public struct RestoreResult: Sendable, Equatable {
    public let databaseURL: URL
    public let cases: Int
    /// The schema the backup had, and the schema after migrating it forward (equal when nothing was pending).
    public let backupSchema: String
    public let schema: String
    /// Where the database that was replaced now lives (only with `force`).
    public let movedAside: URL?
}

extension AppDatabase {
    /// Copies the database into a new file at `destination` with SQLite's online backup API, while the service
    /// may be running: the copy is made inside one read transaction (WAL), so writers carry on and the copy is
    /// a consistent snapshot. The copy is written to a temporary file beside `destination` (mode 0600 from
    /// creation), switched to rollback-journal mode so it is one self-contained file, checked with
    /// `PRAGMA integrity_check`, fsynced, and only then linked into place; an existing `destination` is never
    /// overwritten, and a failed backup leaves nothing at `destination`.
    public func backup(to destination: URL) async throws -> BackupResult {
        try await FileWork.run { [self] in try writeBackup(to: destination) }
    }

    /// `backup(to:)`, on the calling thread (already off the cooperative ones: the backup cycle's file work).
    func writeBackup(to destination: URL) throws -> BackupResult {
        let destination = destination.standardizedFileURL
        if Self.pathExists(destination.path) { throw BackupError.destinationExists(destination.path) }
        let parent = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw BackupError.io("cannot create the directory \(parent.path)")
        }
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString.lowercased())")
        try Self.createPrivateFile(temporary)
        var linked = false
        defer {
            if !linked { Self.removeDatabaseFiles(temporary) }
        }

        let result: (cases: Int, schema: String)
        do {
            let copy = try DatabaseQueue(path: temporary.path, configuration: Self.configuration())
            try reader.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // The source is WAL; the backup file must stand alone.
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
            if let problem = try copy.read({ db in try Self.integrityCheck(db) }) {
                throw BackupError.damaged(temporary.path, problem)
            }
            let checked = try AppDatabase(copy, migrate: false)
            result = try checked.reader.read { db in (try CaseRecord.fetchCount(db), try Self.schemaName(Self.appliedInOrder(db))) }
            try copy.close()
        } catch let error as DatabaseError {
            throw BackupError.io("backup failed: \(Self.describe(error))")
        }
        try Self.fsync(path: temporary.path)
        // link(2) fails with EEXIST rather than replacing a file that appeared meanwhile.
        try BackupFiles.linkNoReplace(temporary, to: destination)
        linked = true
        try Self.fsync(path: parent.path)
        return BackupResult(url: destination, cases: result.cases, schema: result.schema)
    }

    // MARK: helpers

    /// Opens a backup file read-only for `body`. A file whose header says WAL (a copied live database rather
    /// than one of our backups) makes SQLite create -wal and -shm beside it even read-only; those it created
    /// are removed again, so a backup file is only ever read. Ones that were already there are left alone.
    static func readingBackup<T>(at url: URL, _ body: (DatabaseQueue) throws -> T) throws -> T {
        let companions = ["-wal", "-shm"].map { url.path + $0 }.filter { !pathExists($0) }
        defer {
            for path in companions {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
                if path.hasSuffix("-shm") || size == 0 { unlink(path) }
            }
        }
        let queue = try DatabaseQueue(path: url.path, configuration: configuration(readonly: true))
        defer { try? queue.close() }
        return try body(queue)
    }

    /// The first problem `PRAGMA integrity_check` or `PRAGMA foreign_key_check` reports, or nil when healthy.
    static func integrityCheck(_ db: Database) throws -> String? {
        if let problem = try String.fetchAll(db, sql: "PRAGMA integrity_check").first(where: { $0 != "ok" }) {
            return problem
        }
        if let row = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
            return "foreign key broken in table \((try row.value(at: 0, as: String?.self)) ?? "?")"
        }
        return nil
    }

    static func schemaName(_ applied: [String]) -> String {
        migrator.migrations.last(where: applied.contains) ?? "none"
    }

    /// SQLite's words for a failure, without the SQL or arguments.
    static func describe(_ error: DatabaseError) -> String {
        error.message ?? "SQLite error \(error.resultCode.rawValue)"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func pathExists(_ path: String) -> Bool { BackupFiles.exists(path) }
    static func createPrivateFile(_ url: URL) throws { try BackupFiles.createPrivate(url) }
    static func removeDatabaseFiles(_ url: URL) { BackupFiles.removeDatabaseFiles(url) }
    static func move(_ from: URL, to: URL) throws { try BackupFiles.move(from, to: to) }
    static func fsync(path: String) throws { try BackupFiles.sync(path) }
}
