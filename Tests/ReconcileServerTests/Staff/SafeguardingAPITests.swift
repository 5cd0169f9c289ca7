import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer

/// Safeguarding in full through both doors: the page's boxes and the API's lists say the same, and the outcome
/// is recorded later by either.
@Suite struct SafeguardingAPITests {
    @Test func aReferralToSocialCareAndThePoliceIsRecordedByThePageAndItsOutcomeLater() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await client.newCase(harness)
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            _ = try await browser.get("/staff/cases/\(id)")
            let posted = try await browser.post("/staff/cases/\(id)/safeguarding", [
                ("routes", "social_care"), ("routes", "police"), ("area_referred_to", "shropshire"), ("date", "2026-01-05"),
                ("parents_informed", "false"), ("parents_not_informed_reason", "greater_risk_to_child"), ("note", "Strategy meeting called"),
            ])
            #expect(posted.status == .seeOther)
            let detail = try await client.json("/api/v1/cases/\(id)", .get, token: token)
            let escalation = try #require((detail.json?["safeguarding"] as? [[String: Any]])?.first)
            #expect(escalation["routes"] as? [String] == ["social_care", "police"])
            #expect(escalation["parents_informed"] as? Bool == false && escalation["parents_not_informed_reason"] as? String == "greater_risk_to_child")
            #expect(escalation["date"] as? String == "2026-01-05" && escalation["outcome"] as? String == "pending")
            let eid = try #require(escalation["id"] as? String)

            let patched = try await client.json("/api/v1/cases/\(id)/safeguarding/\(eid)", .patch, token: token, body: ["outcome": "accepted"])
            #expect(patched.status == .ok && patched.json?["stage"] as? String == "received")
            let unknown = try await client.json("/api/v1/cases/\(id)/safeguarding/\(UUID().uuidString.lowercased())", .patch, token: token,
                                                body: ["outcome": "accepted"])
            #expect(unknown.status == .notFound)
            let bad = try await client.json("/api/v1/cases/\(id)/safeguarding/\(eid)", .patch, token: token, body: ["outcome": "forgotten"])
            #expect(bad.status == .unprocessableContent)
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.text.contains("Children&#39;s social care, The police") || page.text.contains("Children's social care, The police"))
            #expect(page.text.contains("Parents not told"))
            let viaPage = try await browser.post("/staff/cases/\(id)/safeguarding/\(eid)/outcome", [("outcome", "no_further_action")])
            #expect(viaPage.status == .seeOther)
            let after = try await client.json("/api/v1/cases/\(id)", .get, token: token)
            #expect((after.json?["safeguarding"] as? [[String: Any]])?.first?["outcome"] as? String == "no_further_action")

            // A re-referral names the first.
            let again = try await client.json("/api/v1/cases/\(id)/safeguarding", .post, token: token,
                                              body: ["routes": ["social_care"], "parents_informed": true, "re_referral_of": eid])
            #expect(again.status == .created)
            let notOurs = try await client.json("/api/v1/cases/\(id)/safeguarding", .post, token: token,
                                                body: ["routes": ["social_care"], "parents_informed": true, "re_referral_of": UUID().uuidString.lowercased()])
            #expect(notOurs.status == .unprocessableContent)
        }
    }
}
