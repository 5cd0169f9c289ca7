import ArgumentParser
import Foundation
import ReconcileStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the key directory (master, blind-index and report-signing keys).",
        subcommands: [Init.self, Rotate.self, Public.self, BackupKeyCommand.self, RotateBackup.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the key directory (0700) and keys (0600). Never overwrites.")
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            do { try keys.directory.initialise() } catch let error as KeyDirectoryError { throw CommandFailure(error.description) }
            print("keys created in \(keys.directory.url.path); back this directory up separately from the database")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a master key version and re-wrap every per-case key with it.",
            discussion: """
                Checks that every case key and staff TOTP secret opens, writes master-v(N+1).key (0600), then in one
                transaction re-wraps every per-case key and re-seals every TOTP secret under it. Personal data is
                not re-encrypted. Old master key files are kept, so older backups still restore; the highest
                version is current. The service may keep running: it reads the new version from the key directory
                when it meets a case key wrapped under it, or before it wraps a new one (no restart, no SIGHUP).
                If the transaction fails, the new key file stays but nothing uses it; re-running is safe.
                Prints one line.
                """)
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            _ = try keys.load()  // permissions and presence, before the database is opened
            let database = try openDatabase(data, migrate: false)
            do {
                let result = try await database.rotateMasterKey(directory: keys.directory)
                print("master key v\(result.masterVersion) is current: re-wrapped \(result.caseKeys) case keys and "
                      + "re-sealed \(result.totpSecrets) TOTP secrets; back up \(keys.directory.url.path) now "
                      + "(master-v\(result.masterVersion).key is needed to read the database from now on)")
            } catch let error as KeyRotationError {
                throw CommandFailure("keys rotate: \(error.description)")
            } catch let error as KeyDirectoryError {
                throw CommandFailure("keys rotate: \(error.description)")
            } catch let error as StoreError {
                throw CommandFailure("keys rotate: \(error.description)")
            }
        }
    }

    struct Public: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the report-signing public key, base64.")
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            print(Data(try keys.load().signing.publicKey).base64EncodedString())
        }
    }

    struct RotateBackup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-backup",
            abstract: "Start a new backup key; the old one is kept so the backups it made still restore.",
            discussion: """
                Keeps backup.key as backup-retired-<id>.key (0600) and writes a new backup.key. `restore` and
                `backup verify` open a backup with whichever key it names. A running `serve` keeps shipping under the
                old key until it is restarted. Copy the key directory to its backup place afterwards. Prints one line.
                """)
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            do {
                let (retired, current) = try keys.directory.rotateBackupKey()
                print("backup key \(current.idHex) is current; \(retired.idHex) kept as backup-retired-\(retired.idHex).key "
                      + "for older backups; restart serve to ship under the new key, and back up \(keys.directory.url.path) now")
            } catch let error as KeyDirectoryError {
                throw CommandFailure("keys rotate-backup: \(error.description)")
            }
        }
    }

    struct BackupKeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup-key",
            abstract: "Create backup.key (0600) in a key directory made before shipped backups, or show its id.",
            discussion: """
                `keys init` creates it, and `serve` creates it on first use when backup.target_dir is set; run this
                where the service may only read the key directory (the shipped systemd unit). Prints one line.
                """)
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            do {
                let key = try keys.directory.backupKey(createIfMissing: true)
                print("backup key \(key.idHex) in \(keys.directory.url.path); back this directory up (restores need it)")
            } catch let error as KeyDirectoryError {
                throw CommandFailure(error.description)
            }
        }
    }
}
