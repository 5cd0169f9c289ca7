import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// The outbox: each notice is queued with its event, for the people who chose it, and holds nothing from the case.
@Suite struct MailOutboxTests {
    func outbox(_ h: WorkflowHarness) throws -> [Row] {
        try h.db.reader.read { db in try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox ORDER BY created_at, id") }
    }

    func submit(_ h: WorkflowHarness, area: String = "shropshire", canary: String = "CANARY-\(UUID().uuidString.prefix(8))") async throws -> CaseID {
        try await h.stores.intake.submitReferral(Fixtures.referral(canary: canary, area: area), idempotency: nil).caseID
    }

    @Test func aNewReferralAlertsLeadsByDefaultAndThoseWhoChoseItsArea() async throws {
        let h = try WorkflowHarness()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner)
        let digestLead = try h.staff(.lead), elsewhere = try h.staff(.lead), volunteer = try h.staff(.practitioner)
        try h.staff(.lead, disabled: true)
        try await h.stores.mail.setNotificationChoices(NotificationChoices(newReferral: true, familyReply: true, overdue: true, digestOnly: true),
                                              for: digestLead, councilAreas: ["shropshire", "herefordshire"])
        try await h.stores.mail.setNotificationChoices(NotificationChoices(newReferral: true, familyReply: true, overdue: true, areas: ["herefordshire"]),
                                              for: elsewhere, councilAreas: ["shropshire", "herefordshire"])
        try await h.stores.mail.setNotificationChoices(NotificationChoices(newReferral: true, familyReply: false, overdue: false, areas: ["shropshire"]),
                                              for: volunteer, councilAreas: ["shropshire", "herefordshire"])
        _ = try await submit(h, area: "shropshire")
        let recipients = Set(try outbox(h).map { $0["staff_id"] as String })
        #expect(recipients == [lead.id, volunteer.id], "the default lead and the practitioner who chose Shropshire; not \(practitioner.id)")
        #expect(try outbox(h).allSatisfy { $0["kind"] as String == "new_referral" })
    }

    @Test func theOutboxHoldsNoAddressAndNothingFromTheCase() async throws {
        let h = try WorkflowHarness()
        let lead = try h.staff(.lead)
        let canary = "CANARY-\(UUID().uuidString.prefix(8))"
        let caseID = try await submit(h, canary: canary)
        try await h.stores.mail.setFamilyNotice(caseID: caseID, notifyByEmail: true, namesService: false)
        _ = try await h.stores.cases.assign(caseID: caseID, toPractitionerEmail: try h.email(lead), by: lead)
        _ = try await h.stores.cases.sendMessage(caseID: caseID, body: "\(canary)-message", by: lead)
        _ = try await h.stores.portal.familyMessage(caseID: caseID, body: "\(canary)-reply")
        let rows = try outbox(h)
        #expect(Set(rows.map { $0["kind"] as String }) == ["new_referral", "family_notice", "family_reply"])
        let everything = rows.flatMap { row in row.columnNames.map { "\(row[$0] ?? "")" } }.joined(separator: "|").lowercased()
        #expect(!everything.contains(canary.lowercased()), "no canary (name, email, story, message) in any outbox column")
        #expect(!everything.contains("@"), "no address, the family's or the staff member's")
        #expect(!everything.contains("rs-"), "no reference")
    }

    @Test func theFamilyNoticeIsQueuedOnlyWhenChosen() async throws {
        let h = try WorkflowHarness()
        let lead = try h.staff(.lead)
        let quiet = try await submit(h), chose = try await submit(h)
        try await h.stores.mail.setFamilyNotice(caseID: chose, notifyByEmail: true, namesService: true)
        #expect(try await h.stores.mail.familyNoticeChoice(caseID: chose) == FamilyNoticeChoice(notifyByEmail: true, namesService: true, hasEmail: true))
        for id in [quiet, chose] { _ = try await h.stores.cases.sendMessage(caseID: id, body: "Hello", by: lead) }
        let notices = try outbox(h).filter { $0["kind"] as String == "family_notice" }
        #expect(notices.map { $0["case_id"] as CaseID } == [chose])
        // Turned off in the portal: the next message sends nothing, and one still waiting is dropped, not sent.
        try await h.stores.mail.setFamilyNotice(caseID: chose, notifyByEmail: false, namesService: true)
        _ = try await h.stores.cases.sendMessage(caseID: chose, body: "Again", by: lead)
        #expect(try outbox(h).filter { $0["kind"] as String == "family_notice" }.count == 1)
        let due = try await h.stores.mail.dueMail(limit: 50, acknowledgementWorkingDays: 2)
        #expect(!due.contains { $0.kind == .familyNotice })
        #expect(try outbox(h).filter { $0["kind"] as String == "family_notice" }.isEmpty)
    }

    @Test func aNoticeCannotBeChosenWithoutAnEmailAddress() async throws {
        let h = try WorkflowHarness()
        var referral = Fixtures.referral()
        referral.contact.email = nil
        referral.contact.preference = .phone
        let caseID = try await h.stores.intake.submitReferral(referral, idempotency: nil).caseID
        await #expect(throws: NotificationChoiceError.noEmailAddress) {
            try await h.stores.mail.setFamilyNotice(caseID: caseID, notifyByEmail: true, namesService: false)
        }
        try await h.stores.mail.setFamilyNotice(caseID: caseID, notifyByEmail: false, namesService: false)
    }

    @Test func theFamilyAddressIsOpenedOnlyAtSendTimeAndErasureDropsTheNotice() async throws {
        let h = try WorkflowHarness()
        let lead = try h.staff(.lead)
        let canary = "CANARY-\(UUID().uuidString.prefix(8))"
        let caseID = try await submit(h, canary: canary)
        try await h.stores.mail.setFamilyNotice(caseID: caseID, notifyByEmail: true, namesService: false)
        _ = try await h.stores.cases.sendMessage(caseID: caseID, body: "Hello", by: lead)
        let due = try await h.stores.mail.dueMail(limit: 50, acknowledgementWorkingDays: 2)
        #expect(due.first { $0.kind == .familyNotice }?.address == "\(canary.lowercased())@example.org")
        #expect(!"\(due)".contains("@"), "printing the due mail shows no address")
        // Erased before it went: the notice goes with the case.
        _ = try await h.stores.cases.sendMessage(caseID: caseID, body: "Again", by: lead)
        try await h.db.writer.write { db in try AppDatabase.erase(db, caseID: caseID, reason: "request", keys: h.keys, at: Date()) }
        #expect(try outbox(h).filter { $0["kind"] as String == "family_notice" }.isEmpty)
    }

    @Test func aFamilyReplyAlertsTheAssignedPractitionerUnlessTheyOptedOut() async throws {
        let h = try WorkflowHarness()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner)
        let caseID = try await h.newCase()
        _ = try await h.stores.portal.familyMessage(caseID: caseID, body: "Unassigned")
        #expect(try outbox(h).isEmpty, "nobody is assigned: nobody is alerted (the case list counts unread replies)")
        _ = try await h.stores.cases.assign(caseID: caseID, toPractitionerEmail: try h.email(practitioner), by: lead)
        _ = try await h.stores.portal.familyMessage(caseID: caseID, body: "Hello")
        #expect(try outbox(h).map { $0["staff_id"] as String } == [practitioner.id])
        try await h.stores.mail.setNotificationChoices(NotificationChoices(newReferral: false, familyReply: false, overdue: false),
                                              for: practitioner, councilAreas: ["shropshire"])
        _ = try await h.stores.portal.familyMessage(caseID: caseID, body: "Again")
        #expect(try outbox(h).count == 1)
    }

    @Test func dailyMailIsQueuedOncePerDayHoweverOftenItRuns() async throws {
        let h = try WorkflowHarness()
        let lead = try h.staff(.lead), digest = try h.staff(.practitioner)
        try await h.stores.mail.setNotificationChoices(NotificationChoices(newReferral: true, familyReply: true, overdue: true, digestOnly: true),
                                              for: digest, councilAreas: ["shropshire"])
        // Received on Monday 9 March: overdue from Thursday 12 March (two working days).
        _ = try await h.newCase(receivedAt: WorkflowHarness.date("2026-03-09T10:00:00Z"))
        let thursday = WorkflowHarness.date("2026-03-12T08:00:00Z")
        #expect(try await h.stores.mail.queueDailyMail(acknowledgementWorkingDays: 2, now: thursday) == 2)
        #expect(try await h.stores.mail.queueDailyMail(acknowledgementWorkingDays: 2, now: thursday.addingTimeInterval(3600)) == 0)
        let kinds = try outbox(h).map { "\($0["kind"] as String):\($0["staff_id"] as String)" }.sorted()
        #expect(kinds == ["digest:\(digest.id)", "overdue:\(lead.id)"].sorted())
        // The digest always goes, with its counts read at send time.
        let due = try await h.stores.mail.dueMail(limit: 50, acknowledgementWorkingDays: 2, now: thursday.addingTimeInterval(7200))
        #expect(due.first { $0.kind == .digest }?.digest == DigestCounts(newReferrals: 0, replies: 0, overdue: 0),
                "a practitioner's overdue count is their own assigned cases")
        #expect(try await h.stores.mail.queueDailyMail(acknowledgementWorkingDays: 2, now: thursday.addingTimeInterval(86_400)) == 2, "the next day again")
    }

    @Test func failuresBackOffAndShowAsAFailingRelay() async throws {
        let h = try WorkflowHarness()
        try h.staff(.lead)
        _ = try await submit(h)
        let t0 = Date()
        let id = try #require(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2, now: t0).first?.id)
        try await h.stores.mail.markMailFailed(id: id, error: "cannot connect to the relay", permanent: false, retryMax: 900, now: t0)
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2, now: t0.addingTimeInterval(4)).isEmpty)
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2, now: t0.addingTimeInterval(5)).count == 1)
        try await h.stores.mail.markMailFailed(id: id, error: "cannot connect to the relay", permanent: false, retryMax: 900, now: t0.addingTimeInterval(5))
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2, now: t0.addingTimeInterval(14)).isEmpty, "10 s after the second")
        var health = try await h.stores.mail.mailHealth(now: t0)
        #expect(health.waiting == 1 && health.failingSince != nil)
        try await h.stores.mail.markMailSent(id: id, now: t0.addingTimeInterval(20))
        health = try await h.stores.mail.mailHealth(now: t0)
        #expect(health.waiting == 0 && health.failingSince == nil)
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2, now: t0.addingTimeInterval(100)).isEmpty, "sent once")
    }

    @Test func aMessageTakenByOnePassIsNotTakenByAnotherUntilAKilledProcessIsReplaced() async throws {
        let h = try WorkflowHarness()
        try h.staff(.lead)
        _ = try await submit(h)
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2).count == 1)
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2).isEmpty, "claimed by the first pass")
        try await h.stores.mail.releaseMailClaims()  // a new process starts: the dead one's claims go
        #expect(try await h.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2).count == 1)
    }
}
