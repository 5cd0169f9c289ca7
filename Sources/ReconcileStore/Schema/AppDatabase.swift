import Foundation
import GRDB

/// The one owner of the database: opens it with the pragmas the service relies on, runs migrations,
/// and offers writes named by intent.
public struct AppDatabase: Sendable {
    /// Internal: the store owns its SQL, and everyone else asks it through named reads and writes (reports
    /// too: `periodStatistics`). Tests reach them with `@testable import`.
    let reader: any DatabaseReader
    let writer: any DatabaseWriter
    /// Collects concurrent referrals into one fsynced transaction (group commit); one per database.
    let intakeBatcher = IntakeBatcher()

    /// - Parameter migrate: run pending migrations now (`migrate`, `serve`); otherwise refuse an
    ///   unmigrated or newer-schema database.
    public init(_ writer: any DatabaseWriter, migrate: Bool = true) throws {
        self.writer = writer
        self.reader = writer
        if migrate {
            try Self.migrator.migrate(writer)
        }
        try writer.read { db in
            let applied = try Self.migrator.appliedIdentifiers(db)
            let known = Set(Self.migrator.migrations)
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError.integrity("the database has schema \(unknown), newer than this program; upgrade reconcile")
            }
            if !migrate, try !Self.migrator.hasCompletedMigrations(db) {
                throw StoreError.integrity("the database needs migrating; run `reconcile migrate`")
            }
        }
    }

    /// Per-connection settings. `secure_delete` overwrites deleted content (crypto-shredding leaves no
    /// ciphertext behind in free pages); foreign keys are GRDB's default and stay on.
    static func configuration(readonly: Bool = false, tuning: DatabaseTuning = DatabaseTuning()) -> GRDB.Configuration {
        var config = GRDB.Configuration()
        config.foreignKeysEnabled = true
        config.readonly = readonly
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Negative cache_size is in KiB. Both pragmas take literals only; the values are checked integers.
            try db.execute(sql: "PRAGMA cache_size = -\(tuning.cacheMiB * 1024)")
            try db.execute(sql: "PRAGMA mmap_size = \(tuning.mmapMiB * 1_048_576)")
            if let trace = tuning.statementTrace { db.trace(options: .statement) { trace.record($0) } }
        }
        return config
    }

    /// The database file inside a data directory.
    public static func databaseURL(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("reconcile.sqlite")
    }

    /// Opens (creating if needed) the WAL database in `dataDirectory`.
    public static func open(dataDirectory: URL, migrate: Bool, tuning: DatabaseTuning = DatabaseTuning()) throws -> AppDatabase {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = databaseURL(in: dataDirectory).path
        if !migrate, !FileManager.default.fileExists(atPath: path) {
            throw StoreError.integrity("no database at \(path); run `reconcile migrate --data-dir \(dataDirectory.path)`")
        }
        let pool = try DatabasePool(path: path, configuration: configuration(tuning: tuning))
        // GRDB sets synchronous = NORMAL on the writer when it enables WAL; referrals must survive power
        // loss once acknowledged, so the writer commits with a full fsync.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return try AppDatabase(pool, migrate: migrate)
    }

    /// A private in-memory database for tests: a copy (SQLite's backup API) of one migrated once per process, since
    /// the suite opens hundreds and migrating each took about 50 ms. The migrations draw no random or time-dependent
    /// value, so every copy is what migrating it afresh would give; the migrator still checks it on open.
    public static func inMemory() throws -> AppDatabase {
        let queue = try DatabaseQueue(configuration: configuration())
        try migratedInMemory.get().backup(to: queue)
        return try AppDatabase(queue)
    }

    private static let migratedInMemory: Result<DatabaseQueue, any Error> = Result {
        let queue = try DatabaseQueue(configuration: configuration())
        try migrator.migrate(queue)
        return queue
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`; an empty array means healthy.
    public func integrityProblems() async throws -> [String] {
        try await reader.read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            problems += try fk.map { "foreign key broken in table \((try $0.value(at: 0, as: String?.self)) ?? "?")" }
            return problems
        }
    }

    /// A trivial read, proving the database file is there and readable (`/readyz`).
    public func ping() async throws {
        _ = try await reader.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// The migrations applied to this database, oldest first.
    /// Applied migrations in the order they were registered (names do not sort: v10 follows v9).
    static func appliedInOrder(_ db: Database) throws -> [String] {
        let applied = try migrator.appliedIdentifiers(db)
        return migrator.migrations.filter(applied.contains)
    }

    public func appliedMigrations() async throws -> [String] {
        try await reader.read { db in try Self.appliedInOrder(db) }
    }

    /// Ensures everything written is in the main database file (after retention erases, and on shutdown). On
    /// GRDB's writer queue, off the cooperative threads.
    public func checkpoint() async throws {
        if let pool = writer as? DatabasePool {
            try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
    }
}
