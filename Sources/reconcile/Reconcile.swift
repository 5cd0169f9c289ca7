import ArgumentParser

@main
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Intake and triage backend of an independent reconciliation service.",
        discussion: """
            Paths default to RECONCILE_DATA_DIR / RECONCILE_KEY_DIR, then ./var/data and ./var/keys.
            Every command exits non-zero with a one-line reason on failure.
            """,
        subcommands: [
            Serve.self, Migrate.self, Keys.self, User.self, Token.self, Report.self, Retention.self,
            Backup.self, Restore.self, Check.self, Demo.self, Mail.self, RecordsCheck.self,
        ]
    )
}
