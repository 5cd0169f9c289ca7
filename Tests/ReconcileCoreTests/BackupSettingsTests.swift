import Foundation
import Testing
@testable import ReconcileCore

/// The `backup` section: documented defaults, overrides, and the same strict refusals as every other section.
@Suite struct BackupSettingsTests {
    func load(_ json: String, environment: [String: String] = [:]) throws -> Settings {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Settings.load(files: [SettingsTests.shipped, url], environment: environment)
    }

    @Test func shippedDefaultsLeaveShippingOffEveryFiveMinutesThirtyDays() throws {
        let backup = try load("{}").backup
        #expect(backup.targetDir == "" && backup.intervalSeconds == 300 && backup.keep == 24 && backup.keepDays == 30)
    }

    @Test func fileAndEnvironmentSetIt() throws {
        let settings = try load(#"{"backup": {"target_dir": "/mnt/offsite", "interval_seconds": 60, "keep": 5}}"#,
                                environment: ["RECONCILE_BACKUP_KEEP_DAYS": "7", "RECONCILE_BACKUP_INTERVAL_SECONDS": "2"])
        #expect(settings.backup == .init(targetDir: "/mnt/offsite", intervalSeconds: 2, keep: 5, keepDays: 7))
    }

    @Test(arguments: [
        #"{"backup": {"keep_dayz": 5}}"#,                // typo: would silently keep the default
        #"{"backup": {"interval_seconds": "300"}}"#,     // wrong type
        #"{"backup": {"interval_seconds": 0}}"#,
        #"{"backup": {"interval_seconds": 86401}}"#,
        #"{"backup": {"keep": 0}}"#,
        #"{"backup": {"keep_days": -1}}"#,
        #"{"backup": {"target_dir": "relative/path"}}"#,
    ])
    func badBackupSettingsAreRefusedNamingTheSetting(json: String) throws {
        #expect(throws: SettingsError.self) { try load(json) }
        do { _ = try load(json) } catch let error as SettingsError { #expect(error.description.contains("backup.")) }
    }
}
