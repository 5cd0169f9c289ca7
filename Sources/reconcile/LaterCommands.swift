import ArgumentParser

// Commands named in the automation contract whose features land in later issues. Each accepts its
// documented options, says it is not built yet, and exits non-zero.

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Council API tokens.", subcommands: [Add.self, Revoke.self])
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a revocable API token for a council user.")
        @OptionGroup var data: DataDirOption
        @Option var email: String
        func run() async throws { throw notBuiltYet("token add", lands: "Council feedback") }
    }
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a council API token.")
        @OptionGroup var data: DataDirOption
        @Option var id: String
        func run() async throws { throw notBuiltYet("token revoke", lands: "Council feedback") }
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Quarterly council reports.",
                                                    subcommands: [Build.self, Release.self, Verify.self])
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build a quarter's report without releasing it.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(name: .customLong("council-area")) var councilArea: String
        @Option var quarter: String
        @Option var format: String = "json"
        func run() async throws { throw notBuiltYet("report build", lands: "Council feedback") }
    }
    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release (freeze and sign) a quarter's report.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(name: .customLong("council-area")) var councilArea: String
        @Option var quarter: String
        func run() async throws { throw notBuiltYet("report release", lands: "Council feedback") }
    }
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a downloaded report against its detached signature.")
        @Option var report: String
        @Option var signature: String
        @Option(name: .customLong("public-key")) var publicKey: String
        func run() async throws { throw notBuiltYet("report verify", lands: "Council feedback") }
    }
}

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Retention and erasure.", subcommands: [Run.self])
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Crypto-shred personal data that is due for deletion.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option(help: "Pretend the time is this ISO 8601 instant.") var now: String?
        func run() async throws { throw notBuiltYet("retention run", lands: "Operations") }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy the database with SQLite's online backup API.")
    @OptionGroup var data: DataDirOption
    @Option var to: String
    func run() async throws { throw notBuiltYet("backup", lands: "Operations") }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restore a backup into a data directory.")
    @OptionGroup var data: DataDirOption
    @Option var from: String
    func run() async throws { throw notBuiltYet("restore", lands: "Operations") }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Synthetic data for trying the service.", subcommands: [Seed.self])
    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create synthetic cases worked through realistic stages.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @Option var cases: Int
        @Option(name: .customLong("council-area")) var councilArea: String?
        @Option var quarter: String?
        @Option var seed: UInt64?
        func run() async throws { throw notBuiltYet("demo seed", lands: "Council feedback") }
    }
}
