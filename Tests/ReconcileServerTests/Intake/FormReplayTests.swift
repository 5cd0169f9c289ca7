import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import Logging
import ReconcileCore
import ServiceLifecycle
import Testing
@testable import ReconcileServer
@testable import ReconcileStore

/// The passphrase is "shown once" truthfully: a resent form shows it again only in the same browser and
/// within `limits.form_replay_minutes`; sealed copies do not outlive their window.
@Suite struct FormReplayTests {
    static func passphrase(in html: String) -> String? {
        html.firstMatch(of: /id="passphrase">([a-z-]+)</).map { String($0.output.1) }
    }

    @Test func aResentFormShowsThePassphraseOnlyInTheSameBrowserAndWithinTheWindow() async throws {
        var settings = Harness.fastSettings()
        settings.limits.formReplayMinutes = 1
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let form = try await IntakeFormTests.open(client)
            let fields = IntakeFormTests.fields(canary: Sample.canary(), form)
            let first = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            let shown = try #require(Self.passphrase(in: first.text))
            #expect(first.text.contains("within 1 minutes") || first.text.contains("within 1 minute"))

            // Refresh in the same browser, inside the window: the same answer.
            let again = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            #expect(Self.passphrase(in: again.text) == shown)

            // The same submission id from another browser (its own cookie and token) never gets this passphrase.
            let other = try await IntakeFormTests.open(client)
            let copied = fields.map { $0.0 == "csrf_token" ? ("csrf_token", other.csrfToken) : $0 }
            let elsewhere = try await IntakeFormTests.post(client, IntakeFormTests.encode(copied), cookie: other.cookie)
            #expect(Self.passphrase(in: elsewhere.text) != shown)

            // The sealed copy is kept for the form's minutes only, not the API's day.
            let until = try await harness.database.reader.read { db in
                try Date.fetchOne(db, sql: "SELECT passphrase_until FROM idempotency_key ORDER BY created_at LIMIT 1")
            }
            #expect(try #require(until).timeIntervalSinceNow <= 60)
            // Past the window (the first answer moved 2 minutes back): the page says it was received, nothing more.
            try await harness.database.writer.write { db in
                try db.execute(sql: """
                    UPDATE idempotency_key SET created_at = ?, passphrase_until = ? WHERE rowid = (SELECT MIN(rowid) FROM idempotency_key)
                    """, arguments: [Date().addingTimeInterval(-120), Date().addingTimeInterval(-60)])
            }
            let late = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            #expect(late.status == .conflict && late.text.contains("already received"))
            #expect(Self.passphrase(in: late.text) == nil && !late.text.contains(shown))
            #expect(late.text.firstMatch(of: /RS-[0-9A-Z]{4}-[0-9A-Z]{4}/) == nil, "not even the reference")
        }
        #expect(try await harness.stores.intake.caseCount() == 2)
    }

    @Test func theSealedCopyPurgeDeletesCopiesPastTheirWindow() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for key in ["old-key", "new-key"] {
                let r = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())), headers: [.idempotencyKey: key])
                #expect(r.status == .created)
            }
        }
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE idempotency_key SET created_at = ? WHERE rowid = (SELECT MIN(rowid) FROM idempotency_key)",
                           arguments: [Date().addingTimeInterval(-25 * 3600)])
        }
        let count = { try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency_key")! } }
        #expect(try await count() == 2)
        let purge = SealedCopyPurge(stores: harness.stores, logger: Logger(label: "test"), interval: .seconds(3600))
        let group = ServiceGroup(services: [purge], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for _ in 0..<250 {
                if try await count() < 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await count() == 1, "the copy past 24 hours is gone, the fresh one kept")
    }
}
