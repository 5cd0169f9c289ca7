import Foundation
import GRDB

/// Tells the backup cycle whether anything was committed since it last looked, so an idle service does not
/// ship identical backups every few minutes.
///
/// Why `PRAGMA data_version` on a connection of its own: SQLite changes that value whenever *another*
/// connection — the service's writer, or a CLI command in another process — commits, and this connection never
/// writes, so it sees every commit, updates and deletes included (an erasure, a stage change). The alternatives
/// miss changes: the largest rowids do not move on UPDATE or DELETE, and the header's file change counter is not
/// kept up to date in WAL mode. A checkpoint also moves it; that costs one redundant backup, never a missed one.
public final class ChangeWatcher: Sendable {
    private let connection: DatabaseQueue?

    init(path: String) throws {
        var config = GRDB.Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: config)
    }

    init() { connection = nil }

    /// A value that differs after any commit by another connection; nil when it cannot be known (an
    /// in-memory database), which the cycle treats as "changed".
    public func marker() async throws -> Int? {
        guard let connection else { return nil }
        return try await connection.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
    }
}

extension AppDatabase {
    /// A watcher over this database's file (see `ChangeWatcher`).
    public func changeWatcher() async throws -> ChangeWatcher {
        let path = writer.path
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory:") else { return ChangeWatcher() }
        return try await FileWork.run { try ChangeWatcher(path: path) }
    }

    /// Removes plaintext copies left in the data directory by a backup cycle that was cut off (kill -9, power).
    public func removeLeftoverBackupStaging() async {
        guard writer.path != ":memory:", !writer.path.isEmpty, !writer.path.hasPrefix("file::memory:") else { return }
        let directory = stagingDirectory
        _ = try? await FileWork.run {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            // The copy itself, and the temporary file `backup(to:)` writes beside it.
            for name in names where name.hasPrefix(Self.stagingPrefix) || name.hasPrefix("." + Self.stagingPrefix) {
                BackupFiles.removeDatabaseFiles(directory.appendingPathComponent(name))
            }
        }
    }

    static let stagingPrefix = ".backup-staging-"

    /// Where a backup's plaintext copy is staged before it is encrypted: beside the database (the data
    /// directory, 0700, on the machine), never on the backup target.
    var stagingDirectory: URL {
        let path = writer.path
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory:") else { return FileManager.default.temporaryDirectory }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }
}
