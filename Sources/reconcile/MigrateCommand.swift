import ArgumentParser

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var data: DataDirOption

    func run() async throws {
        let database = try openDatabase(data, migrate: true)
        print("database at \(data.url.path) is at schema \(try await database.appliedMigrations().last ?? "none")")
    }
}
