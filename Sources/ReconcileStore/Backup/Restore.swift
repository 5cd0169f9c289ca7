import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

// Restoring a backup (Backup.swift says what a backup is): every check before anything is replaced.
extension AppDatabase {
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
}
