import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The family's feedback questionnaire: every answer optional but one needed, scores 1–5 only, the comment
/// sealed under the case key and never released or logged, one response per case.
@Suite struct FamilyFeedbackTests {
    static func feedbackRows(_ harness: Harness) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_feedback")! }
    }

    static func post(_ client: some TestClientProtocol, _ raw: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/portal/feedback", method: .post,
                                 headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: raw))
    }

    @Test func feedbackIsCountedTheCommentSealedAndShownOnlyToStaffOnTheCasePage() async throws {
        let dir = try TemporaryDirectory()
        let harness = try Harness(database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let (family, token) = try await PortalAPITests.signedInFamily(client, harness)
            // A refused one first (its body must not echo the comment).
            let refused = try await client.json("/api/v1/portal/feedback", .post, token: token, body: ["listened_to": 9, "comment": "x \(canary)"])
            #expect(refused.status == .unprocessableContent)
            #expect(!refused.text.contains(canary), "never quoted back")
            let given = try await client.json("/api/v1/portal/feedback", .post, token: token,
                                              body: ["listened_to": 4, "believed": 5, "comment": "Thank you \(canary)"])
            #expect(given.status == .created && given.json?["replaced"] as? Bool == false, "\(given.text)")
            let again = try await client.json("/api/v1/portal/feedback", .post, token: token,
                                              body: ["listened_to": 5, "believed": 5, "help_was_right": 4, "comment": "Thank you again \(canary)"])
            #expect(again.status == .created && again.json?["replaced"] as? Bool == true, "a later one replaces it in the same quarter")
            #expect(try await Self.feedbackRows(harness) == 1)

            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(lead).status == .seeOther)
            let page = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(page.text.contains("The family&#39;s feedback") || page.text.contains("The family's feedback"))
            #expect(page.text.contains("Thank you again \(canary)") && page.text.contains("4 of 5"))
        }
        let month = harness.settings.reporting.quarterStartMonth
        let report = try await ReportBuilder(reports: harness.stores.reports, settings: harness.settings, policy: DisclosurePolicy())
            .build(councilArea: "herefordshire", quarter: Quarter.containing(Date(), startMonth: month), now: Date())
        #expect(report.counts.table(ReportTables.feedbackListenedTo)?.counts == ["5": 1])
        #expect(report.counts.table(ReportTables.feedbackHelpWasRight)?.total == 1)
        #expect(!String(decoding: report.document, as: UTF8.self).contains(canary), "the comment is never released")
        #expect(!harness.logs.text.contains(canary), "never logged")
        try await harness.database.checkpoint()
        let raw = try dir.rawBytes()
        #expect(raw.range(of: Data(canary.utf8)) == nil, "sealed on disk")
    }

    @Test(arguments: [
        (#"{"listened_to": 0}"#, "listened_to", "out_of_range"), (#"{"believed": 6}"#, "believed", "out_of_range"),
        (#"{"help_was_right": -1}"#, "help_was_right", "out_of_range"), (#"{"listened_to": "5"}"#, "listened_to", "wrong_type"),
        (#"{"listened_to": 2.5}"#, "listened_to", "wrong_type"), (#"{"believed": true}"#, "believed", "wrong_type"),
        (#"{"help_was_right": [5]}"#, "help_was_right", "wrong_type"), (#"{"listened_to": 1e400}"#, "listened_to", "wrong_type"),
        (#"{}"#, "listened_to", "nothing_answered"), (#"{"listened_to": null, "comment": "   "}"#, "listened_to", "nothing_answered"),
        (#"{"comment": 5}"#, "comment", "wrong_type"), (#"{"comment": "bell\u0007"}"#, "comment", "invalid_characters"),
        (#"{"comment": "\#(String(repeating: "x", count: 2001))"}"#, "comment", "too_long"),
        (#"{"listened_to": 3, "case_id": "00000000-0000-0000-0000-000000000000"}"#, "case_id", "unknown_field"),
    ])
    func badFeedbackIsRefusedByNameAndNothingIsStored(body: String, field: String, code: String) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, harness)
            let r = try await Self.post(client, body, token: token)
            #expect(r.status == .unprocessableContent || (body.contains("1e400") && r.status == .badRequest), "\(body) → \(r.status) \(r.text)")
            if r.status == .unprocessableContent {
                let fields = (r.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
                #expect(fields.contains { $0["field"] == field && $0["code"] == code }, "\(r.text)")
            }
        }
        #expect(try await Self.feedbackRows(harness) == 0)
    }

    @Test func duplicateKeysAHugeBodyAndNoSessionAreRefusedAndNothingIsStored() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, harness)
            let twice = try await Self.post(client, #"{"listened_to": 5, "listened_to": 1}"#, token: token)
            #expect(twice.status == .badRequest)
            let huge = try await Self.post(client, #"{"comment": "\#(String(repeating: "y", count: harness.settings.limits.maxBodyBytes + 10))"}"#,
                                           token: token)
            #expect(huge.status == .contentTooLarge)
            let nobody = try await Self.post(client, #"{"listened_to": 5}"#, token: "not-a-real-token-but-long-enough")
            #expect(nobody.status == .unauthorized)
            let staff = try await harness.addStaff("lead@example.org", role: .lead)
            let staffToken = try await client.signIn(staff)
            let asStaff = try await Self.post(client, #"{"listened_to": 5}"#, token: staffToken)
            #expect(asStaff.status == .unauthorized, "a staff token is not a family session")
        }
        #expect(try await Self.feedbackRows(harness) == 0)
    }

    /// The session names the case: there is no way to name another, and one family's answers never land on another's.
    @Test func aSessionGivesFeedbackOnlyForItsOwnCase() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (a, tokenA) = try await PortalAPITests.signedInFamily(client, harness)
            let (b, _) = try await PortalAPITests.signedInFamily(client, harness)
            let named = try await client.json("/api/v1/portal/feedback", .post, token: tokenA, body: ["listened_to": 2, "case_id": b.caseID])
            #expect(named.status == .unprocessableContent)
            #expect(try await client.json("/api/v1/portal/feedback", .post, token: tokenA, body: ["listened_to": 2]).status == .created)
            #expect(try await harness.stores.portal.familyFeedback(caseID: CaseID(a.caseID))?.scores[.listenedTo] == 2)
            #expect(try await harness.stores.portal.familyFeedback(caseID: CaseID(b.caseID)) == nil)
        }
    }

    @Test func concurrentSubmissionsForOneCaseLeaveExactlyOneResponse() async throws {
        // The day's bound on sends (limits.family_feedback_per_day) is lifted here: this is about one row per case.
        var settings = Harness.fastSettings()
        settings.limits.familyFeedbackPerDay = 0
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let (family, token) = try await PortalAPITests.signedInFamily(client, harness)
            let replaced = try await withThrowingTaskGroup(of: Bool?.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        let r = try await client.json("/api/v1/portal/feedback", .post, token: token, body: ["listened_to": i % 5 + 1])
                        return r.status == .created ? r.json?["replaced"] as? Bool : nil
                    }
                }
                return try await group.reduce(into: [Bool?]()) { $0.append($1) }
            }
            #expect(replaced.allSatisfy { $0 != nil }, "every submission answered")
            #expect(replaced.filter { $0 == false }.count == 1, "exactly one was the first")
            #expect(try await Self.feedbackRows(harness) == 1)
            let events = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'portal.feedback' AND case_id = ?", arguments: [family.caseID])!
            }
            #expect(events == 24, "each is audited")
        }
    }

    /// Once the quarter a response was given in has ended it may be in a released report: it stands.
    @Test func feedbackFromAnEndedQuarterStands() async throws {
        let harness = try Harness()
        let caseID = try await harness.stores.intake.createCase(Sample.storeReferral(canary: Sample.canary()), reference: "RS-AAAA-BBBB",
                                                           passphraseHash: "h", receivedAt: Date()).id
        let month = harness.settings.reporting.quarterStartMonth
        let may = ISO8601DateFormatter().date(from: "2026-05-10T10:00:00Z")!, june = ISO8601DateFormatter().date(from: "2026-06-30T10:00:00Z")!
        let july = ISO8601DateFormatter().date(from: "2026-07-01T10:00:00Z")!
        try await harness.stores.portal.giveFeedback(caseID: caseID, scores: [.believed: 3], comment: nil, quarterStartMonth: month, now: may)
        #expect(try await harness.stores.portal.giveFeedback(caseID: caseID, scores: [.believed: 4], comment: nil, quarterStartMonth: month, now: june))
        await #expect(throws: FeedbackError.alreadyGiven) {
            try await harness.stores.portal.giveFeedback(caseID: caseID, scores: [.believed: 1], comment: nil, quarterStartMonth: month, now: july)
        }
        #expect(try await harness.stores.portal.familyFeedback(caseID: caseID)?.scores == [.believed: 4])
    }

    @Test func aCommentMovedToAnotherCasesRowFailsToOpen() async throws {
        let harness = try Harness()
        let month = harness.settings.reporting.quarterStartMonth
        let a = try await harness.stores.intake.createCase(Sample.storeReferral(canary: Sample.canary()), reference: "RS-AAAA-CCCC", passphraseHash: "h",
                                                      receivedAt: Date()).id
        let b = try await harness.stores.intake.createCase(Sample.storeReferral(canary: Sample.canary()), reference: "RS-AAAA-DDDD", passphraseHash: "h",
                                                      receivedAt: Date()).id
        try await harness.stores.portal.giveFeedback(caseID: a, scores: [:], comment: "Only for case A", quarterStartMonth: month)
        try await harness.stores.portal.giveFeedback(caseID: b, scores: [.listenedTo: 3], comment: nil, quarterStartMonth: month)
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE case_feedback SET comment = (SELECT comment FROM case_feedback WHERE case_id = ?) WHERE case_id = ?",
                           arguments: [a, b])
        }
        #expect(try await harness.stores.portal.familyFeedback(caseID: a)?.comment == "Only for case A")
        await #expect(throws: StoreError.self) { try await harness.stores.portal.familyFeedback(caseID: b) }
    }

    @Test func theQuestionnairePageWorksWithoutJavaScriptAndTheCasePageInvitesItOnceClosed() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            var browser = PageBrowser(client: client)
            _ = try await browser.get("/portal")
            #expect(try await browser.post("/portal", [("reference", family.reference), ("passphrase", family.passphrase)]).status == .seeOther)
            let open = try await browser.get("/portal/case")
            #expect(open.text.contains("href=\"/portal/feedback\"") && !open.text.contains("<p class=\"panel\"><a href=\"/portal/feedback\""))
            let staffToken = try await client.signIn(lead)
            #expect(try await client.json("/api/v1/cases/\(family.caseID)/close", .post, token: staffToken, body: ["reason": "withdrawn"]).status.code < 300)
            let closed = try await browser.get("/portal/case")
            #expect(closed.text.contains("<p class=\"panel\"><a href=\"/portal/feedback\">Please tell us how it went for you</a>"))

            let page = try await browser.get("/portal/feedback")
            #expect(page.status == .ok && page.text.contains("Did you feel believed?") && page.text.contains("data-quick-exit"))
            let forged = try await browser.post("/portal/feedback", [("listened_to", "5")], token: "forged")
            #expect(forged.status == .forbidden)
            let bad = try await browser.post("/portal/feedback", [("listened_to", "7")])
            #expect(bad.status == .unprocessableContent && bad.text.contains("1 to 5"))
            let none = try await browser.post("/portal/feedback", [("comment", "")])
            #expect(none.status == .unprocessableContent)
            #expect(try await Self.feedbackRows(harness) == 0)
            let sent = try await browser.post("/portal/feedback", [("listened_to", "5"), ("believed", ""), ("help_was_right", "3"), ("comment", "")])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/portal/feedback?done=feedback")
            let thanks = try await browser.get("/portal/feedback?done=feedback")
            #expect(thanks.text.contains("Thank you for telling us.")
                    && thanks.text.contains("id=\"listened_to-5\" name=\"listened_to\" value=\"5\" checked"))
            #expect(try await harness.stores.portal.familyFeedback(caseID: CaseID(family.caseID))?.scores == [.listenedTo: 5, .helpWasRight: 3])
            // Their copy of everything held carries it, every key present.
            let export = try await browser.get("/portal/export")
            let held = try #require(export.json?["feedback"] as? [String: Any])
            #expect(held["listened_to"] as? Int == 5 && held["believed"] is NSNull && held["comment"] is NSNull)
            #expect((export.json?["complaints"] as? [Any])?.isEmpty == true)
        }
    }
}
