import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ReconcileCore
import ReconcileServer
import ReconcileStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web service (stops gracefully on SIGTERM/SIGINT).")

    @OptionGroup var data: DataDirOption
    @OptionGroup var keys: KeyDirOption
    @OptionGroup var config: ConfigOption
    @OptionGroup var policies: PoliciesOption
    @Option(help: "Address to listen on (overrides server.host).") var host: String?
    @Option(help: "Port to listen on (overrides server.port).") var port: Int?
    @Flag(help: "Listen beyond loopback over plain HTTP even without an https server.public_url (not for real data).")
    var allowPlainHTTP = false

    func run() async throws {
        var settings = try config.load()
        if let host { settings.server.host = host }
        if let port { settings.server.port = port }
        if let refusal = PlainHTTPRule.refusal(host: settings.server.host, publicURL: settings.server.publicUrl,
                                               allowPlainHTTP: allowPlainHTTP) {
            throw CommandFailure(refusal)
        }
        // Keys first: a loose key file must stop the service before it touches any data.
        let keyRing = try keys.load()
        let directory = try policies.loadDirectory(councilAreas: settings.areas.councilAreas)
        let areaContacts = try policies.loadAreaContacts(councilAreas: settings.areas.councilAreas)
        let retention = try policies.retentionPolicy()
        let disclosure = try policies.disclosurePolicy()
        var tuning = DatabaseTuning(cacheMiB: settings.database.cacheMib, mmapMiB: settings.database.mmapMib)
        if let path = ProcessInfo.processInfo.environment["RECONCILE_SQL_TRACE"], !path.isEmpty {
            tuning.statementTrace = try StatementTrace(path: path)   // the test suite's query-plan check
        }
        let database = try openDatabase(data, migrate: true, tuning: tuning)
        // Blind indexes stored before the index key had subkeys are moved before anyone can submit.
        let upgraded = try await database.upgradeContactIndexes(keys: keyRing)
        if upgraded > 0 { print("moved \(upgraded) contact blind indexes to index version 2") }
        var logger = Logger(label: "reconcile")
        logger.logLevel = .info
        var configuration = AppConfiguration(settings: settings, database: database, keys: keyRing, directory: directory,
                                             retention: retention, disclosure: disclosure, logger: logger)
        configuration.runRetentionDaily = true
        configuration.areaContacts = areaContacts
        configuration.recording = try policies.recordingPolicy()
        configuration.intakePolicy = try policies.intakePolicy()
        configuration.themeLabels = try policies.themeLabels()
        configuration.levelLabels = try policies.levelLabels(councilAreas: settings.areas.councilAreas)
        configuration.familyNotice = try policies.familyNoticePolicy()
        if !settings.backup.targetDir.isEmpty {
            // Key directories made before shipped backups get their backup key here, on first use.
            do { configuration.backupKey = try keys.directory.backupKey(createIfMissing: true) } catch let error as KeyDirectoryError {
                throw CommandFailure(error.description)
            }
        }
        if settings.mail.enabled {
            // A password file readable by others, or one that is missing, stops serve here, naming it.
            do { try checkMailSettings(settings.mail) } catch { throw CommandFailure(describeMailError(error)) }
        }
        let app = try buildApplication(configuration: configuration)
        try await app.runService()
        try? await database.checkpoint()
    }
}
