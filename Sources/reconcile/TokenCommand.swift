import ArgumentParser
import ReconcileStore

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Council API tokens.", subcommands: [Add.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a revocable API token for a council account; prints its id and the token (shown once).")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(help: "The council account's email address.") var email: String

        func run() async throws {
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            do {
                let issued = try await StaffStore(database, keyRing).addCouncilToken(email: email)
                // The token is a secret: printed once for the officer to store; only its hash is kept.
                print("\(issued.id) \(issued.token)")
            } catch let error as CouncilTokenError {
                throw CommandFailure(error.description)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a council API token at once.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(help: "The token's id, as printed by `token add`.") var id: String

        func run() async throws {
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            do {
                try await StaffStore(database, keyRing).revokeCouncilToken(id: id)
            } catch let error as CouncilTokenError {
                throw CommandFailure(error.description)
            }
            print("token revoked")
        }
    }
}
