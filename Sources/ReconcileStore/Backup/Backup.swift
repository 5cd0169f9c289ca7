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

    /// Restores a backup into `dataDirectory/reconcile.sqlite`. Stop the service first.
    ///
    /// Refuses, touching nothing, a file that is not a SQLite database, fails `PRAGMA integrity_check`, is not a
    /// Reconcile database, or has a migration this program does not know (a newer schema); and refuses to replace
    /// an existing database unless `force`, in which case the old database is checkpointed and renamed to
    /// `reconcile.sqlite.before-restore-<UTC time>`. Refuses (`BackupError.inUse`) while another process has the
    /// existing database open.
    ///
    /// The backup is copied with the online backup API into a staging file in the data directory, checked again,
    /// migrated forward if it is older than this program, and only then renamed into place; stale -wal/-shm files
    /// of the replaced database are moved aside or removed so they can never be applied to the restored one.
    public static func restore(from source: URL, dataDirectory: URL, force: Bool, now: Date = Date()) async throws -> RestoreResult {
        try await FileWork.run { try restoreNow(from: source, dataDirectory: dataDirectory, force: force, now: now) }
    }

    /// `restore(from:dataDirectory:force:now:)` on the calling thread.
    static func restoreNow(from source: URL, dataDirectory: URL, force: Bool, now: Date) throws -> RestoreResult {
        let source = source.standardizedFileURL
        let backupSchema = try inspectBackup(at: source)

        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw BackupError.io("cannot create the data directory \(dataDirectory.path)")
        }
        let target = databaseURL(in: dataDirectory)
        let targetExists = pathExists(target.path)
        if targetExists, !force { throw BackupError.databaseExists(target.path) }
        // Replacing files under a running service would lose its writes or corrupt the new database. This also
        // checkpoints the old database, so it is set aside as one file.
        if targetExists { try ensureNotInUse(dataDirectory: dataDirectory) }

        // Stage the copy beside the target, so the final step is a rename on one filesystem.
        let staging = dataDirectory.appendingPathComponent("reconcile.sqlite.restoring")
        removeDatabaseFiles(staging)  // left by an interrupted restore
        try createPrivateFile(staging)
        var placed = false
        defer {
            if !placed { removeDatabaseFiles(staging) }
        }
        let migrated: (schema: String, cases: Int)
        do {
            let copy = try DatabaseQueue(path: staging.path, configuration: configuration())
            try readingBackup(at: source) { from in try from.backup(to: copy) }
            try copy.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
            if let problem = try copy.read({ db in try integrityCheck(db) }) {
                throw BackupError.damaged(source.path, problem)
            }
            let database = try AppDatabase(copy, migrate: true)
            migrated = try database.reader.read { db in (try schemaName(appliedInOrder(db)), try CaseRecord.fetchCount(db)) }
            try copy.close()
        } catch let error as DatabaseError {
            throw BackupError.io("restore failed: \(describe(error)); nothing was changed")
        } catch let error as StoreError {
            throw BackupError.io("restore failed: \(error.description); nothing was changed")
        }
        try fsync(path: staging.path)

        var aside: URL?
        if targetExists {
            let stamp = timestamp(now)
            var candidate = dataDirectory.appendingPathComponent("reconcile.sqlite.before-restore-\(stamp)")
            var n = 2
            while pathExists(candidate.path) {
                candidate = dataDirectory.appendingPathComponent("reconcile.sqlite.before-restore-\(stamp)-\(n)")
                n += 1
            }
            try move(target, to: candidate)
            // Normally checkpointed away above; if the old database could not be opened (damaged), its -wal may
            // hold committed transactions: it goes with it, under the name SQLite looks for.
            if pathExists(target.path + "-wal") {
                try move(URL(fileURLWithPath: target.path + "-wal"), to: URL(fileURLWithPath: candidate.path + "-wal"))
            }
            aside = candidate
        }
        // Never let an old -wal or -shm meet the restored file.
        for suffix in ["-wal", "-shm", "-journal"] where pathExists(target.path + suffix) {
            guard unlink(target.path + suffix) == 0 else {
                throw BackupError.io("cannot remove the stale \(target.path + suffix)")
            }
        }
        try move(staging, to: target)
        placed = true
        try fsync(path: dataDirectory.path)

        // Reopen as the service will (WAL, pragmas) to prove the result is usable.
        let restored: AppDatabase
        do {
            restored = try AppDatabase.open(dataDirectory: dataDirectory, migrate: false)
        } catch {
            throw BackupError.io("the restored database does not open: \(error)")
        }
        return RestoreResult(databaseURL: target, cases: try restored.reader.read { db in try CaseRecord.fetchCount(db) }, backupSchema: backupSchema,
                             schema: migrated.schema, movedAside: aside)
    }

    /// Checks a backup file without changing it; returns its schema (newest known migration applied).
    static func inspectBackup(at url: URL) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw BackupError.sourceMissing(url.path)
        }
        // Garbage is refused from its first bytes, before SQLite is involved.
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw BackupError.io("cannot read \(url.path)") }
        let header = (try? handle.read(upToCount: 16)) ?? nil
        try? handle.close()
        guard header == Data("SQLite format 3\u{0}".utf8) else { throw BackupError.notADatabase(url.path) }
        do {
            return try readingBackup(at: url) { queue in try queue.read { db in
                if let problem = try integrityCheck(db) { throw BackupError.damaged(url.path, problem) }
                guard try db.tableExists("grdb_migrations") else { throw BackupError.notReconcile(url.path) }
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                let known = migrator.migrations
                if let unknown = applied.subtracting(known).sorted().first {
                    throw BackupError.newerSchema(url.path, unknown)
                }
                return schemaName(known.filter(applied.contains))
            } }
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB { throw BackupError.notADatabase(url.path) }
            throw BackupError.damaged(url.path, describe(error))
        }
    }

    /// Refuses with `BackupError.inUse` when another connection (a running service, a backup in progress) has
    /// the database in `dataDirectory` open; otherwise checkpoints its WAL into the main file. Done by taking
    /// SQLite's exclusive locking mode, which needs every other connection to be closed. A database that cannot
    /// be opened at all (damaged) is left for the caller to move aside as it is.
    static func ensureNotInUse(dataDirectory: URL) throws {
        let target = databaseURL(in: dataDirectory)
        guard pathExists(target.path) else { return }
        var config = GRDB.Configuration()
        config.busyMode = .immediateError
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
        do {
            let queue = try DatabaseQueue(path: target.path, configuration: config)
            defer { try? queue.close() }
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                try db.execute(sql: "COMMIT")
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" {
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw BackupError.inUse(target.path)
        } catch is DatabaseError {
            return
        }
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

/// POSIX file steps, outside `AppDatabase` so its own `open` does not hide the C function.
enum BackupFiles {
    /// Whether anything (even a dangling symbolic link) is at `path`.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Creates an empty file with O_EXCL and mode 0600, so the copy is never readable by anyone else.
    static func createPrivate(_ url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw BackupError.destinationExists(url.path) }
            throw BackupError.io("cannot create \(url.path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw BackupError.io("cannot set 0600 on \(url.path)") }
    }

    static func removeDatabaseFiles(_ url: URL) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(url.path + suffix) }
    }

    static func move(_ from: URL, to: URL) throws {
        guard rename(from.path, to.path) == 0 else {
            throw BackupError.io("cannot rename \(from.path) to \(to.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Hard-links `from` at `to`, failing if `to` exists; where the filesystem has no hard links, a rename
    /// after checking that `to` is free.
    static func linkNoReplace(_ from: URL, to: URL) throws {
        if link(from.path, to.path) == 0 {
            unlink(from.path)
            return
        }
        let code = errno
        if code == EEXIST { throw BackupError.destinationExists(to.path) }
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV else {
            throw BackupError.io("cannot create \(to.path): \(String(cString: strerror(code)))")
        }
        if exists(to.path) { throw BackupError.destinationExists(to.path) }
        try move(from, to: to)
    }

    /// fsync of a file or a directory (a directory entry is durable only once its directory is synced).
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError.io("cannot open \(path) to sync it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BackupError.io("cannot sync \(path)") }
    }
}
