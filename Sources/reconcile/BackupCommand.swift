import ArgumentParser
import Foundation
import ReconcileStore

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a backup now, or verify shipped backups (`serve` ships encrypted ones to backup.target_dir).",
        subcommands: [Take.self, Verify.self],
        defaultSubcommand: Take.self)

    struct Take: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "take",
            abstract: "Copy the database with SQLite's online backup API (safe while the service runs).",
            discussion: """
                Writes one self-contained SQLite file, mode 0600, checked with PRAGMA integrity_check, and never
                overwrites an existing file. Personal data in it is ciphertext; the keys are not in it, so back the
                key directory up separately (a backup cannot be read without it). `reconcile backup --to FILE` is the
                same command. Prints one line: backup written: FILE (N cases, schema vX).
                """)
        @OptionGroup var data: DataDirOption
        @Option(help: "The new backup file (must not exist).") var to: String

        func run() async throws {
            let database = try openDatabase(data, migrate: false)
            do {
                let result = try await database.backup(to: URL(fileURLWithPath: to))
                print("backup written: \(result.url.path) (\(result.cases) cases, schema \(result.schema))")
            } catch let error as BackupError {
                throw CommandFailure("backup: \(error.description)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decrypt and integrity-check every shipped backup in DIR.",
            discussion: """
                One line per backup, newest first: `ok   NAME (N cases, schema vX)` or `FAIL NAME: reason`, then a
                summary. Needs the key directory's backup.key. Exits non-zero when any backup fails or there is none.
                """)
        @OptionGroup var keys: KeyDirOption
        @Argument(help: "The backup directory (backup.target_dir).") var directory: String

        func run() async throws {
            let key = try keys.backupKey()
            let results: [BackupVerification]
            do {
                results = try await ShippedBackups(directory: URL(fileURLWithPath: directory)).verifyAll(key: key, keyDirectory: keys.directory.url)
            } catch let error as BackupError {
                throw CommandFailure("backup verify: \(error.description)")
            }
            var failed = 0
            for result in results {
                switch result.outcome {
                case .success(let summary): print("ok   \(result.name) (\(summary.cases) cases, schema \(summary.schema))")
                case .failure(let error):
                    failed += 1
                    print("FAIL \(result.name): \(error.description)")
                }
            }
            guard !results.isEmpty else { throw CommandFailure("backup verify: no backups (reconcile-*.sqlite.enc) in \(directory)") }
            guard failed == 0 else { throw CommandFailure("backup verify: \(failed) of \(results.count) backups failed") }
            print("all \(results.count) backups decrypt and pass the integrity check")
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a data directory (stop the service first).",
        discussion: """
            FILE is a shipped backup (reconcile-<time>.sqlite.enc, decrypted with backup.key from --key-dir; one made
            under a key you do not hold is refused) or a plain one from `reconcile backup --to`.
            Refuses a file that is not a SQLite database, fails PRAGMA integrity_check, or has a schema newer than
            this program, and refuses to replace an existing database unless --force is given (the old one is then
            kept as reconcile.sqlite.before-restore-<time>). An older backup is migrated forward.
            Afterwards run `reconcile check` with the key directory: it proves every case key opens.
            Prints one line.
            """)
    @OptionGroup var data: DataDirOption
    @OptionGroup var keys: KeyDirOption
    @Option(help: "The backup file.") var from: String
    @Flag(help: "Replace an existing database, keeping it as reconcile.sqlite.before-restore-<time>.") var force = false

    func run() async throws {
        let source = URL(fileURLWithPath: from)
        do {
            let result: RestoreResult
            if AppDatabase.isEncryptedBackup(source) {
                result = try await AppDatabase.restore(fromEncrypted: source, key: try keys.backupKey(), keyDirectory: keys.directory.url,
                                                 dataDirectory: data.url, force: force)
            } else {
                result = try await AppDatabase.restore(from: source, dataDirectory: data.url, force: force)
            }
            var line = "restored \(source.standardizedFileURL.path) into \(result.databaseURL.path) "
                + "(\(result.cases) cases, schema \(result.schema)"
            if result.backupSchema != result.schema { line += ", migrated from \(result.backupSchema)" }
            line += ")"
            if let aside = result.movedAside { line += "; previous database kept as \(aside.path)" }
            print(line)
        } catch let error as BackupError {
            throw CommandFailure("restore: \(error.description)")
        }
    }
}

extension KeyDirOption {
    /// The backup key for reading backups: never created here (a new key opens no existing backup).
    func backupKey() throws -> BackupKey {
        do { return try directory.backupKey(createIfMissing: false) } catch let error as KeyDirectoryError {
            throw CommandFailure(error.description)
        }
    }
}
