import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileStore
import Sodium

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage staff and council accounts.",
                                                    subcommands: [Add.self, Disable.self, ResetMFA.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account; prints its otpauth:// provisioning URI.",
            discussion: """
                The password is read from the first line of standard input (--password-stdin); it is never taken
                as an argument, where it would be visible to other users and kept in shell history.
                The printed URI holds the account's TOTP secret: give it only to the account holder.
                """)
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var config: ConfigOption
        @Option(help: "The account holder's work email address (their sign-in name).") var email: String
        @Option(help: "practitioner, lead, admin or council.") var role: String
        @Option(name: .customLong("council-area"), help: "Council accounts only: the one area they may see reports for.")
        var councilArea: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func run() async throws {
            guard passwordStdin else {
                throw CommandFailure("give the password on standard input with --password-stdin; it is never taken as an argument")
            }
            guard let staffRole = StaffRole(rawValue: role) else {
                throw CommandFailure("--role must be one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let settings = try config.load()
            guard let cost = PasswordHash.Limits.named(settings.security.passwordHashCost.rawValue) else {
                throw CommandFailure("security.password_hash_cost must be moderate, interactive or minimum")
            }
            guard let password = readLine(strippingNewline: true) else {
                throw CommandFailure("no password on standard input")
            }
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            do {
                let (_, uri) = try await StaffStore(database, keyRing).addStaff(
                    email: email, role: staffRole, councilArea: councilArea, password: password,
                    councilAreas: settings.areas.councilAreas, passwordCost: cost)
                print(uri)
            } catch let error as StaffAccountError {
                throw CommandFailure(error.description)
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account and end its sessions.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(help: "The account's email address.") var email: String

        func run() async throws {
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            do {
                try await StaffStore(database, keyRing).disableStaff(email: email)
            } catch let error as StaffAccountError {
                throw CommandFailure(error.description)
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
            print("account disabled; its sessions have ended")
        }
    }

    struct ResetMFA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-mfa",
            abstract: "Issue a new TOTP secret, end the account's sessions, and print the new otpauth:// URI.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(help: "The account's email address.") var email: String

        func run() async throws {
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            do {
                print(try await StaffStore(database, keyRing).resetMFA(email: email))
            } catch let error as StaffAccountError {
                throw CommandFailure(error.description)
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }
}
