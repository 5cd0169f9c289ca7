import ArgumentParser
import Foundation
import ReconcileStore

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database with SQLite's online backup API (safe while the service runs).",
        discussion: """
            Writes one self-contained SQLite file, mode 0600, checked with PRAGMA integrity_check, and never
            overwrites an existing file. Personal data in it is ciphertext; the keys are not in it, so back the
            key directory up separately (a backup cannot be read without it).
            Prints one line: backup written: FILE (N cases, schema vX).
            """)
    @OptionGroup var data: DataDirOption
    @Option(help: "The new backup file (must not exist).") var to: String

    func run() async throws {
        let database = try openDatabase(data, migrate: false)
        do {
            let result = try database.backup(to: URL(fileURLWithPath: to))
            print("backup written: \(result.url.path) (\(result.cases) cases, schema \(result.schema))")
        } catch let error as BackupError {
            throw CommandFailure("backup: \(error.description)")
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a data directory (stop the service first).",
        discussion: """
            Refuses a file that is not a SQLite database, fails PRAGMA integrity_check, or has a schema newer than
            this program, and refuses to replace an existing database unless --force is given (the old one is then
            kept as reconcile.sqlite.before-restore-<time>). An older backup is migrated forward.
            Afterwards run `reconcile check` with the key directory: it proves every case key opens.
            Prints one line.
            """)
    @OptionGroup var data: DataDirOption
    @Option(help: "The backup file.") var from: String
    @Flag(help: "Replace an existing database, keeping it as reconcile.sqlite.before-restore-<time>.") var force = false

    func run() async throws {
        do {
            let result = try AppDatabase.restore(from: URL(fileURLWithPath: from), dataDirectory: data.url, force: force)
            var line = "restored \(URL(fileURLWithPath: from).standardizedFileURL.path) into \(result.databaseURL.path) "
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
