import ArgumentParser
import Foundation
import ReconcileStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the key directory (master, blind-index and report-signing keys).",
        subcommands: [Init.self, Rotate.self, Public.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the key directory (0700) and keys (0600). Never overwrites.")
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            do { try keys.directory.initialise() } catch let error as KeyDirectoryError { throw CommandFailure(error.description) }
            print("keys created in \(keys.directory.url.path); back this directory up separately from the database")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a master key version and re-wrap every per-case key with it.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            throw notBuiltYet("keys rotate", lands: "Operations")
        }
    }

    struct Public: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the report-signing public key, base64.")
        @OptionGroup var keys: KeyDirOption

        func run() async throws {
            print(Data(try keys.load().signing.publicKey).base64EncodedString())
        }
    }
}
