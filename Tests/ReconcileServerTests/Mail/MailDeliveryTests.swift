import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Notices through a real SMTP relay (aiosmtpd, STARTTLS with a self-signed certificate, AUTH) that the test
/// starts: what reaches a mailbox carries nothing from the case, the family hears only when they chose to, and a
/// relay that was down delivers everything once it is back.
@Suite(.serialized) struct MailDeliveryTests {
    /// The outbox sender, pointed at `relay`. The harness's own application runs with mail off, so that this is the
    /// only sender and the test counts what it sent.
    func sender(_ harness: Harness, _ relay: SMTPRelayProcess) throws -> MailService {
        var configuration = AppConfiguration(settings: relay.settings(harness.settings), database: harness.database, keys: harness.keys,
                                             directory: try Harness.directory(), logger: harness.logs.logger)
        configuration.familyNotice = try FamilyNoticePolicy.load(from: Harness.policies.appendingPathComponent("notifications.json"))
        return try mailService(configuration)
    }

    func waiting(_ harness: Harness) async throws -> Int { try await harness.stores.mail.mailHealth().waiting }

    @Test func canariesPlantedInACaseNeverReachAMessageAndTheFamilyHearsOnlyWhenTheyChose() async throws {
        let relay = try SMTPRelayProcess()
        try await relay.start()
        defer { relay.stop() }
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@partner.example", role: .lead)
        let canary = Sample.canary(), quietCanary = Sample.canary()
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: canary)
            let quiet = try await PortalAPITests.refer(client, harness, canary: quietCanary)
            let familyToken = try #require(try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase)
                .json?["token"] as? String)
            let chose = try await client.json("/api/v1/portal/notifications", .patch, token: familyToken, body: ["notify_by_email": true])
            #expect(chose.status == .ok && chose.json?["notify_by_email"] as? Bool == true && chose.json?["names_service"] as? Bool == false)
            let staff = try await client.signIn(lead)
            for id in [family.caseID, quiet.caseID] {
                let assigned = try await client.json("/api/v1/cases/\(id)/assign", .post, token: staff, body: ["practitioner": lead.email])
                #expect(assigned.status == .ok)
                let sent = try await client.json("/api/v1/cases/\(id)/messages", .post, token: staff, body: ["body": "Hello \(canary) \(quietCanary)"])
                #expect(sent.status == .created)
            }
            let reply = try await client.json("/api/v1/portal/messages", .post, token: familyToken, body: ["body": "Thanks \(canary)"])
            #expect(reply.status == .created)
        }
        let kinds = try await harness.database.reader.read { db in try String.fetchAll(db, sql: "SELECT kind FROM mail_outbox ORDER BY kind") }
        #expect(kinds == ["family_notice", "family_reply", "new_referral", "new_referral"],
                "two new referrals and a reply for the lead, one notice for the family who chose it")
        #expect(try await sender(harness, relay).sendDue() == 4)
        #expect(try await waiting(harness) == 0)

        let messages = try relay.messages()
        #expect(messages.count == 4)
        #expect(messages.allSatisfy { $0.tls }, "every message went over STARTTLS")
        let references = try await harness.database.reader.read { db in try String.fetchAll(db, sql: "SELECT reference FROM referral_case") }
        for message in messages {
            // The family's own address is the one thing from the case a notice must carry, in its To header.
            let text = message.text.components(separatedBy: "\r\n").filter { !$0.hasPrefix("To: ") }.joined(separator: "\n").lowercased()
            for planted in [canary, quietCanary] {
                #expect(!text.contains(planted.lowercased()), "no name, story, message or contact in any message")
            }
            for reference in references { #expect(!message.text.contains(reference), "no reference in any message") }
        }
        let toLead = messages.filter { $0.to == [lead.email] }
        #expect(toLead.filter { $0.text.contains("Subject: A new referral is waiting in Reconcile") }.count == 2)
        #expect(toLead.filter { $0.text.contains("Subject: A reply is waiting in Reconcile") }.count == 1)
        #expect(toLead.allSatisfy { $0.text.contains("https://reconcile.partner.example/staff/cases") })
        // The family's notice: to the address they gave (its recipient is the only place it appears), neutral.
        let familyAddress = "\(canary.lowercased())@example.org"
        let notices = messages.filter { $0.to != [lead.email] }
        #expect(notices.count == 1)
        let notice = try #require(notices.first)
        #expect(notice.to.map { $0.lowercased() } == [familyAddress] || notice.to.first?.lowercased().hasPrefix(canary.lowercased()) == true)
        #expect(notice.text.contains("Subject: A message is waiting for you"))
        #expect(notice.text.contains("From: Notifications <notifications@partner.example>"))
        #expect(!notice.text.lowercased().contains("reconciliation"), "no service name: the family did not agree to it")
        #expect(notice.text.contains("https://reconcile.partner.example/portal"))
        #expect(!messages.contains { $0.to.contains { $0.lowercased().hasPrefix(quietCanary.lowercased()) } },
                "the family who did not choose a notice gets none")
        #expect(!harness.logs.text.lowercased().contains(canary.lowercased()), "nor does any log line")
    }

    @Test func aRelayThatIsDownThenBackDeliversEverythingQueuedOnce() async throws {
        let relay = try SMTPRelayProcess()
        try await relay.start()
        let port = relay.port
        relay.stop()
        let harness = try Harness()
        _ = try await harness.addStaff("lead@partner.example", role: .lead)
        try await harness.app().test(.router) { client in
            for _ in 0..<5 { _ = try await client.newCase(harness) }
        }
        let sender = try sender(harness, relay)
        #expect(try await sender.sendDue() == 0, "the relay is down")
        let health = try await harness.stores.mail.mailHealth()
        #expect(health.waiting == 5 && health.failingSince != nil)
        #expect(MailHealthCheck.alert(health, alertAfter: 0, now: Date().addingTimeInterval(1)) != nil, "past the setting, readyz and check say so")
        try await relay.start()
        #expect(relay.port == port)
        try await Task.sleep(for: .milliseconds(1_100))  // mail.retry_max_seconds = 1
        #expect(try await sender.sendDue() == 5)
        #expect(try await sender.sendDue() == 0, "nothing twice")
        #expect(try relay.messages().count == 5)
        #expect(try await harness.stores.mail.mailHealth().failingSince == nil)
        relay.stop()
    }

    @Test func aRelayWithoutStartTLSOrWithTheWrongPasswordIsRefusedAndNothingIsMarkedSent() async throws {
        let relay = try SMTPRelayProcess()
        try await relay.start()
        defer { relay.stop() }
        var settings = relay.settings()
        let wrong = relay.directory.url.appendingPathComponent("wrong")
        try Data("not the password".utf8).write(to: wrong)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrong.path)
        settings.mail.passwordFile = wrong.path
        await #expect(throws: SMTPError.refused(stage: "auth", code: 535)) { try await sendTestMail(settings: settings, to: "x@example.org") }
        settings.mail.passwordFile = relay.passwordFile.path
        settings.mail.tlsCaFile = ""
        await #expect(throws: SMTPError.tls, "a certificate the system does not trust") { try await sendTestMail(settings: settings, to: "x@example.org") }
        settings.mail.tlsCaFile = relay.certificate.path
        try await sendTestMail(settings: settings, to: "x@example.org")
        #expect(try relay.messages().count == 1)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: relay.passwordFile.path)
        #expect(throws: SettingsError.self, "a password file others can read stops serve") { try checkMailSettings(settings.mail) }
    }
}
