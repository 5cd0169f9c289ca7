import Foundation
import Hummingbird
import HTTPTypes
import RouterTesting
import Logging
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileServer

/// The backup service inside `serve`, and how `/readyz` and `/metrics` report it.
@Suite struct BackupServiceTests {
    /// `/metrics` answers only with its token presented.
    static let metricsToken = "backup-service-test-metrics-token"

    func router(health: BackupHealth?) throws -> some ApplicationProtocol {
        var settings = Settings()
        settings.metrics.token = Self.metricsToken
        let configuration = AppConfiguration(settings: settings, database: try AppDatabase.inMemory(), keys: KeyRing.ephemeral(),
                                             directory: try Harness.directory(), logger: Logger(label: "test"))
        return Application(router: try buildRouter(configuration: configuration, backupHealth: health))
    }

    func readyz(_ app: some ApplicationProtocol) async throws -> (HTTPResponse.Status, String) {
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { ($0.status, String(buffer: $0.body)) }
        }
    }

    func metrics(_ app: some ApplicationProtocol) async throws -> String {
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.metricsToken)"]) {
                String(buffer: $0.body)
            }
        }
    }

    @Test func anOverdueBackupIsAWarningOnReadyzAndAnAlertInMetricsButStill200() async throws {
        let health = BackupHealth(interval: 300)
        health.recordGood(at: Date().addingTimeInterval(-601))
        let app = try router(health: health)
        let (status, body) = try await readyz(app)
        #expect(status == .ok, "a load balancer must not take the service out: intake still works")
        #expect(body.hasPrefix("ready\nwarning: backup overdue: the last good backup is "))
        let text = try await metrics(app)
        #expect(text.contains("reconcile_backup_overdue 1"))
        let age = text.split(separator: "\n").first { $0.hasPrefix("reconcile_backup_last_good_age_seconds ") }
            .flatMap { Double($0.split(separator: " ")[1]) }
        #expect(age.map { $0 >= 601 } == true)
    }

    @Test func aFreshBackupOrNoneSinceAShortStartIsNoWarning() async throws {
        let fresh = BackupHealth(interval: 300)
        fresh.recordGood(at: Date().addingTimeInterval(-300))   // 300 s inside the 600 s limit, for a loaded machine
        let ready = try await readyz(router(health: fresh))
        #expect(ready.0 == .ok && ready.1 == "ready\n")
        #expect(try await metrics(router(health: fresh)).contains("reconcile_backup_overdue 0"))
        #expect(try await readyz(router(health: BackupHealth(interval: 300))).1 == "ready\n", "just started")
        let stuck = BackupHealth(interval: 1, started: Date().addingTimeInterval(-5))
        #expect(try await readyz(router(health: stuck)).1.contains("warning: backup overdue: no good backup since the service started"))
        // Backups off: nothing about them at all.
        #expect(try await readyz(router(health: nil)).1 == "ready\n")
        #expect(!(try await metrics(router(health: nil))).contains("reconcile_backup"))
    }

    @Test func theServiceShipsOnStartThenOnlyAfterChangesAndRecordsHealth() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("backup-service-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let keys = KeyDirectory(url: root.appendingPathComponent("keys"))
        try keys.initialise()
        let ring = try keys.load()
        let database = try AppDatabase.open(dataDirectory: root.appendingPathComponent("data"), migrate: true)
        let target = root.appendingPathComponent("offsite")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let health = BackupHealth(interval: 1)
        let logs = LogCapture()
        let service = BackupService(database: database, target: ShippedBackups(directory: target),
                                    key: try keys.backupKey(createIfMissing: false), ageing: BackupAgeing(keep: 10, keepDays: 30),
                                    health: health, logger: logs.logger)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        func shipped() throws -> Int { try ShippedBackups(directory: target).list().count }
        /// Polls, so a loaded machine slows the test down instead of failing it.
        func eventually(_ seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try condition()
        }
        #expect(try await eventually(300) { try shipped() == 1 && health.lastGood != nil }, "the first cycle runs at start")
        let firstGood = health.lastGood ?? Date()
        #expect(try await eventually(300) { (health.lastGood ?? firstGood) > firstGood.addingTimeInterval(0.5) },
                "an idle cycle confirms the backup is still current")
        #expect(try shipped() == 1, "but writes nothing")
        _ = try await IntakeStore(database, ring).createCase(Sample.storeReferral(canary: "CANARY-backup"), reference: ReferenceGenerator.generate(), passphraseHash: "h",
                                    receivedAt: Date())
        #expect(try await eventually(300) { try shipped() == 2 }, "a change is shipped at the next cycle")
        #expect(health.failures == 0)
        #expect(logs.text.contains("backup shipped"))
        #expect(!logs.text.contains("CANARY"), "log lines carry ids and counts, never personal values")
    }
}
