import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One backup written to the target directory.
public struct ShippedBackup: Sendable, Equatable {
    public let url: URL
    public let takenAt: Date
    public let cases: Int
    public let schema: String
    public let bytes: Int
}

/// What one backup cycle did.
public enum BackupCycleOutcome: Sendable, Equatable {
    /// A new backup is in place; `removed` are the older ones ageing deleted.
    case shipped(ShippedBackup, removed: [String])
    /// Nothing was committed since the last backup, which therefore still holds everything.
    case unchanged
}

/// The backup target directory (`backup.target_dir`, a mount of storage off this machine) and what goes on in
/// it: encrypted backups named `reconcile-<UTC time>.sqlite.enc`, ageing, and a small status file saying when
/// the newest backup was last known to hold everything. Files with other names are left alone.
public struct ShippedBackups: Sendable {
    public let directory: URL
    public static let statusFile = "reconcile-backups.status"

    public init(directory: URL) { self.directory = directory }

    /// One cycle: when `watcher` shows a commit since `lastMarker` (or nothing is known), an online backup of
    /// `database`, integrity-checked, encrypted under `key`, written to a temporary file in the target, fsynced,
    /// read back and authenticated, renamed into place, the directory fsynced; then ageing. Only then is it
    /// counted. Returns the outcome and the marker to pass next time.
    public func runCycle(_ database: AppDatabase, watcher: ChangeWatcher, lastMarker: Int?, key: BackupKey,
                         ageing: BackupAgeing, now: Date = Date()) async throws -> (BackupCycleOutcome, marker: Int?) {
        // Read before the backup: a commit after this point moves the marker, so it is never missed.
        let marker = try await watcher.marker()
        return try await FileWork.run { [self] () throws -> (BackupCycleOutcome, marker: Int?) in
            if let marker, marker == lastMarker, try newest() != nil {
                try writeStatus(confirmedAt: now)
                return (.unchanged, marker)
            }
            let shipped = try shipNow(database, key: key, now: now)
            let removed = try removeAged(ageing, now: now, sparing: shipped.url)
            try writeStatus(confirmedAt: now)
            return (.shipped(shipped, removed: removed), marker)
        }
    }

    /// Writes one encrypted backup (see `runCycle`). The plaintext copy is staged in the data directory and
    /// removed afterwards; the target only ever sees ciphertext.
    public func ship(_ database: AppDatabase, key: BackupKey, now: Date = Date()) async throws -> ShippedBackup {
        try await FileWork.run { [self] in try shipNow(database, key: key, now: now) }
    }

    private func shipNow(_ database: AppDatabase, key: BackupKey, now: Date) throws -> ShippedBackup {
        try ensureDirectory()
        // Names have one-second resolution: a backup in the same second as the last (the final one at a stop just
        // after a cycle) waits for the next second rather than fail or replace it.
        var takenAt = now
        for _ in 0..<3 where BackupFiles.exists(directory.appendingPathComponent(Self.fileName(takenAt)).path) {
            Thread.sleep(forTimeInterval: 1)
            takenAt = takenAt.addingTimeInterval(1)
        }
        let name = Self.fileName(takenAt)
        let destination = directory.appendingPathComponent(name)
        if BackupFiles.exists(destination.path) { throw BackupError.destinationExists(destination.path) }
        let staging = database.stagingDirectory.appendingPathComponent("\(AppDatabase.stagingPrefix)\(UUID().uuidString.lowercased()).sqlite")
        defer { BackupFiles.removeDatabaseFiles(staging) }
        let copy = try database.writeBackup(to: staging)

        let temporary = directory.appendingPathComponent(".\(name).partial-\(UUID().uuidString.lowercased())")
        var placed = false
        defer { if !placed { unlink(temporary.path) } }
        try Self.writeNewPrivateFile(temporary) { fd in try EncryptedBackupFile.encrypt(staging, into: fd, path: temporary.path, key: key) }
        // What the target holds is what was meant: read back, every chunk authenticated up to TAG_FINAL.
        try EncryptedBackupFile.decrypt(temporary, to: nil, key: key, keyDirectory: directory)
        try BackupFiles.linkNoReplace(temporary, to: destination)
        placed = true
        try BackupFiles.sync(directory.path)
        let size = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? NSNumber)?.intValue ?? 0
        return ShippedBackup(url: destination, takenAt: Self.date(ofFileName: name) ?? now, cases: copy.cases, schema: copy.schema, bytes: size)
    }

    /// Deletes what `ageing` does not keep, and temporary files left by a cycle that was cut off more than an
    /// hour ago. Returns the names removed.
    public func age(_ ageing: BackupAgeing, now: Date = Date()) async throws -> [String] {
        try await FileWork.run { [self] in try removeAged(ageing, now: now, sparing: nil) }
    }

    /// `age`, never removing `sparing` (the backup a cycle just wrote).
    private func removeAged(_ ageing: BackupAgeing, now: Date, sparing: URL?) throws -> [String] {
        let backups = try list()
        let doomed = Set(ageing.toDelete(backups.map(\.takenAt), now: now))
        var removed: [String] = []
        for backup in backups where doomed.contains(backup.takenAt) && backup.url.lastPathComponent != sparing?.lastPathComponent {
            if unlink(backup.url.path) == 0 { removed.append(backup.url.lastPathComponent) }
        }
        // Temporary backups and status files all start ".reconcile-"; a live cycle's are seconds old.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix(".reconcile-") {
            let path = directory.appendingPathComponent(name).path
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            if now.timeIntervalSince(modified) > 3_600 { unlink(path) }
        }
        if !removed.isEmpty { try BackupFiles.sync(directory.path) }
        return removed
    }

    /// The backups in the directory, newest first, by the time in their names. (One directory listing, left
    /// synchronous for the checks that poll it; the cycle's own listings run inside its file work.)
    public func list() throws -> [(url: URL, takenAt: Date)] {
        guard BackupFiles.exists(directory.path) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw BackupError.io("cannot list \(directory.path)")
        }
        return names.compactMap { name in Self.date(ofFileName: name).map { (directory.appendingPathComponent(name), $0) } }
            .sorted { $0.takenAt > $1.takenAt }
    }

    public func newest() throws -> (url: URL, takenAt: Date)? { try list().first }

    /// Whether the backup at `url` is ours and was encrypted under `key` (reads only its first bytes).
    public func isMade(_ url: URL, under key: BackupKey) -> Bool {
        (try? EncryptedBackupFile.checkKey(url, key: key, keyDirectory: directory)) != nil
    }

    // MARK: the status file

    /// When the newest backup was last known to hold everything committed: written by every good cycle, read by
    /// `reconcile check`. Its absence means "since the newest backup was taken".
    public func lastConfirmed() async throws -> Date? {
        try await FileWork.run { [self] in try readLastConfirmed() }
    }

    private func readLastConfirmed() throws -> Date? {
        let path = directory.appendingPathComponent(Self.statusFile)
        let stated = (try? Data(contentsOf: path))
            .flatMap { try? JSONDecoder().decode([String: String].self, from: $0) }?["confirmed_at"]
            .flatMap { ISO8601DateFormatter().date(from: $0) }
        guard let newest = try newest()?.takenAt else { return nil }
        return max(stated ?? newest, newest)
    }

    func writeStatus(confirmedAt: Date) throws {
        let body = try JSONEncoder().encode(["confirmed_at": ISO8601DateFormatter().string(from: confirmedAt)])
        let target = directory.appendingPathComponent(Self.statusFile)
        let temporary = directory.appendingPathComponent(".\(Self.statusFile).\(UUID().uuidString.lowercased())")
        var moved = false
        defer { if !moved { unlink(temporary.path) } }
        try Self.writeNewPrivateFile(temporary) { fd in try EncryptedBackupFile.writeAll(fd, [UInt8](body), path: temporary.path) }
        try BackupFiles.move(temporary, to: target)
        moved = true
        try BackupFiles.sync(directory.path)
    }

    /// Creates `url` (O_EXCL, 0600), lets `write` fill it, and fsyncs it before returning.
    static func writeNewPrivateFile(_ url: URL, _ write: (Int32) throws -> Void) throws {
        try BackupFiles.createPrivate(url)
        let fd = open(url.path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError.io("cannot open \(url.path)") }
        defer { close(fd) }
        try write(fd)
        guard fsync(fd) == 0 else { throw BackupError.io("cannot sync \(url.path)") }
    }

    // MARK: names

    static let namePrefix = "reconcile-", nameSuffix = ".sqlite.enc"

    public static func fileName(_ date: Date) -> String { namePrefix + AppDatabase.timestamp(date) + nameSuffix }

    static func date(ofFileName name: String) -> Date? {
        guard name.hasPrefix(namePrefix), name.hasSuffix(nameSuffix) else { return nil }
        let stamp = String(name.dropFirst(namePrefix.count).dropLast(nameSuffix.count))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: stamp)
    }

    private func ensureDirectory() throws {
        var isDirectory: ObjCBool = false
        // The target is a mount the operator provides (systemd's RequiresMountsFor= guards the mount itself); it is
        // never created here, so a mistyped path fails loudly instead of filling some local directory.
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BackupError.io("backup target \(directory.path) is not a directory (is the remote store mounted?)")
        }
    }
}
