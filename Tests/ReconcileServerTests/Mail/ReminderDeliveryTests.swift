import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The reminder of an appointment through the mail service's daily pass and a real SMTP relay (as
/// `MailDeliveryTests`): it reaches the family who asked, once, and says nothing of when, what or with whom.
@Suite(.serialized) struct ReminderDeliveryTests {
    @Test func theDailyPassSendsOneContentFreeReminderTheDayBefore() async throws {
        let relay = try SMTPRelayProcess()
        try await relay.start()
        defer { relay.stop() }
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@partner.example", role: .lead)
        let canary = Sample.canary()
        let start = AppointmentTests.tomorrow(hour: 15)
        let family = try await harness.app().test(.router) { client in
            let body = Sample.json(Sample.referral(canary: canary, overrides: ["notify_by_email": true]))
            let reference = try #require(try await client.refer(body).json?["reference"] as? String)
            let id = try #require(try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM referral_case WHERE reference = ?", arguments: [reference])
            })
            let token = try await client.signIn(lead)
            let booked = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token,
                                               body: ["starts_at": AppointmentTests.rfc(start), "duration_minutes": 60, "modality": "in_person",
                                                      "note": "Meet at the library \(canary)"])
            #expect(booked.status == .created)
            return reference
        }
        var configuration = AppConfiguration(settings: relay.settings(harness.settings), database: harness.database, keys: harness.keys,
                                             directory: try Harness.directory(), logger: harness.logs.logger)
        configuration.familyNotice = try FamilyNoticePolicy.load(from: Harness.policies.appendingPathComponent("notifications.json"))
        let sender = try mailService(configuration)
        // The afternoon before (London), twice: one reminder.
        let previous = try #require(WorkingDays.day(-1, after: WorkingDays.londonDate(start)))
        let dayBefore = try #require(WorkingDays.day(previous)).addingTimeInterval(14 * 3600)
        await sender.queueDailyIfDue(dayBefore)
        await sender.queueDailyIfDue(dayBefore.addingTimeInterval(60))
        #expect(await sender.sendDue(now: dayBefore.addingTimeInterval(120)) >= 1)
        let toFamily = try relay.messages().filter { $0.to.first?.lowercased().hasPrefix(canary.lowercased()) == true }
        #expect(toFamily.count == 1)
        let message = try #require(toFamily.first)
        #expect(message.tls && message.text.contains("Subject: A reminder is waiting for you"))
        // The relay hands over the decoded text.
        #expect(message.text.contains("A reminder is waiting for you.") && message.text.contains("https://reconcile.partner.example/portal"))
        let withoutAddress = message.text.components(separatedBy: "\r\n").filter { !$0.hasPrefix("To: ") }.joined(separator: "\n")
        for secret in [canary, family, LondonTime.clockTime(start), WorkingDays.londonDate(start), "person", "library", lead.email] {
            #expect(!withoutAddress.lowercased().contains(secret.lowercased()), "\(secret) in the reminder")
        }
        #expect(!harness.logs.text.contains(canary))
    }
}
