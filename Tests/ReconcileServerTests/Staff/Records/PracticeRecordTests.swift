import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Practice records: what advice was given, what actions were agreed and why, as the council's
/// review asks. Tried as an auditor (is it there, and only for staff?), a hurried practitioner (is a required
/// field really required, by either door?) and someone holding the disk (is it sealed?).
@Suite struct PracticeRecordTests {
    static func acknowledgedCase(_ client: some TestClientProtocol, _ harness: Harness, _ token: String) async throws -> String {
        let id = try await client.newCase(harness)
        let r = try await client.json("/api/v1/cases/\(id)/acknowledge", .post, token: token, body: ["method": "phone"])
        #expect(r.status == .ok)
        return id
    }

    static var session: [String: Any] { ["date": "2026-01-05", "duration_minutes": 40, "modality": "phone"] }

    @Test func adviceActionsAndReasonsAreShownToStaffAndSealedOnDisk() async throws {
        let dir = try TemporaryDirectory()
        let database = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        let harness = try Harness(database: database)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        // A second lead for the pages: one TOTP code signs in once.
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        let canaries = (0..<5).map { _ in Sample.canary() }
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await Self.acknowledgedCase(client, harness, token)
            func post(_ path: String, _ body: [String: Any]) async throws -> TestResponse {
                try await client.json("/api/v1/cases/\(id)/\(path)", .post, token: token, body: body)
            }
            var session = Self.session
            session["advice_given"] = "Advice \(canaries[0])"
            session["actions_agreed"] = "Actions \(canaries[1])"
            #expect(try await post("listening-sessions", session).status == .created)
            let assessed = try await post("assessment", ["level_of_need": 2, "needs": ["counselling"], "reason": "Why \(canaries[2])"])
            #expect(assessed.status == .created)
            let signpost = try await post("signposts", ["service": "rape_crisis", "need": "counselling", "kind": "referral_made_with_consent",
                                                        "actions_agreed": "Signpost \(canaries[3])", "reason": "Because \(canaries[4])"])
            #expect(signpost.status == .created)

            let detail = try await client.json("/api/v1/cases/\(id)", .get, token: token)
            let sessions = try #require(detail.json?["listening_sessions"] as? [[String: Any]])
            #expect(sessions.first?["advice_given"] as? String == "Advice \(canaries[0])")
            #expect(sessions.first?["actions_agreed"] as? String == "Actions \(canaries[1])")
            let assessment = try #require((detail.json?["assessments"] as? [[String: Any]])?.first)
            #expect(assessment["reason"] as? String == "Why \(canaries[2])")
            #expect(assessment["advice_given"] == nil, "an absent field is left out, not invented")
            let sp = try #require((detail.json?["signposts"] as? [[String: Any]])?.first)
            #expect(sp["kind"] as? String == "referral_made_with_consent")
            #expect(sp["actions_agreed"] as? String == "Signpost \(canaries[3])" && sp["reason"] as? String == "Because \(canaries[4])")

            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let page = try await browser.get("/staff/cases/\(id)")
            for canary in canaries { #expect(page.text.contains(canary), "the case page does not show \(canary)") }
            #expect(page.text.contains("Referral made with the family"))
        }
        try await database.checkpoint()
        let raw = try dir.rawBytes()
        for canary in canaries {
            #expect(raw.range(of: Data(canary.utf8)) == nil, "the database file holds \(canary) in plain")
            #expect(!harness.logs.text.contains(canary), "the logs hold \(canary)")
        }
    }

    @Test func aSessionWithoutTheAdviceThePolicyRequiresIsRefusedByBothDoorsAndChangesNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await Self.acknowledgedCase(client, harness, token)
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let before = try await CaseActionDoorsTests.events(client, id, token)
            for advice: Any? in [nil, "", "  \n ", NSNull()] {
                var body = Self.session
                if let advice { body["advice_given"] = advice }
                let api = try await client.json("/api/v1/cases/\(id)/listening-sessions", .post, token: token, body: body)
                #expect(api.status == .unprocessableContent)
                let fields = (api.json?["error"] as? [String: Any])?["fields"] as? [[String: Any]]
                #expect(fields?.first?["field"] as? String == "advice_given")
            }
            _ = try await browser.get("/staff/cases/\(id)")
            let page = try await browser.post("/staff/cases/\(id)/listening-sessions",
                                              [("date", "2026-01-05"), ("duration_minutes", "40"), ("modality", "phone"), ("advice_given", " ")])
            #expect(page.status == .unprocessableContent && page.text.contains("advice_given:"))
            #expect(try await CaseActionDoorsTests.events(client, id, token) == before)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .acknowledged)
            // With the advice, the same session goes in by the page too.
            let ok = try await browser.post("/staff/cases/\(id)/listening-sessions",
                                            [("date", "2026-01-05"), ("duration_minutes", "40"), ("modality", "phone"), ("advice_given", "Talked it through")])
            #expect(ok.status == .seeOther)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .listening)
        }
    }

    @Test func thePolicyFileDecidesWhatIsRequired() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        // A partner that wants a reason on every signpost, and nothing on sessions.
        let policy = try RecordingPolicy(required: [.signpost: ["reason"], .close: ["note"]])
        try await harness.app(recording: policy).test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await Self.acknowledgedCase(client, harness, token)
            func post(_ path: String, _ body: [String: Any]) async throws -> TestResponse {
                try await client.json("/api/v1/cases/\(id)/\(path)", .post, token: token, body: body)
            }
            #expect(try await post("listening-sessions", Self.session).status == .created, "advice is not required by this policy")
            #expect(try await post("assessment", ["level_of_need": 2, "needs": ["counselling"]]).status == .created)
            let noReason = try await post("signposts", ["service": "rape_crisis", "need": "counselling"])
            #expect(noReason.status == .unprocessableContent)
            #expect(((noReason.json?["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first?["field"] as? String == "reason")
            #expect(try await post("signposts", ["service": "rape_crisis", "need": "counselling", "reason": "Asked for it"]).status == .created)
            let noNote = try await post("close", ["reason": "completed"])
            #expect(noNote.status == .unprocessableContent)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .signposted)
            #expect(try await post("close", ["reason": "completed", "note": "Plan agreed"]).json?["stage"] as? String == "closed")
        }
    }

    @Test func aBadPracticeTextIsRefusedNamingItsField() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await Self.acknowledgedCase(client, harness, token)
            let before = try await CaseActionDoorsTests.events(client, id, token)
            let bad: [(String, Any, String)] = [
                ("actions_agreed", String(repeating: "a", count: 10_001), "too_long"),
                ("actions_agreed", "call\u{202E}mum", "invalid_characters"),
                ("advice_given", 42, "wrong_type"),
            ]
            for (field, value, code) in bad {
                var body = Self.session
                body["advice_given"] = "Talked it through"
                body[field] = value
                let r = try await client.json("/api/v1/cases/\(id)/listening-sessions", .post, token: token, body: body)
                #expect(r.status == .unprocessableContent)
                let named = ((r.json?["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first
                #expect(named?["field"] as? String == field && named?["code"] as? String == code, "\(field) \(code): \(r.text)")
            }
            let kind = try await client.json("/api/v1/cases/\(id)/signposts", .post, token: token,
                                             body: ["service": "rape_crisis", "need": "counselling", "kind": "told_them_to_google_it"])
            #expect(kind.status == .unprocessableContent)
            #expect(try await CaseActionDoorsTests.events(client, id, token) == before)
        }
    }
}
