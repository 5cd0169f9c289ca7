import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer

/// A family that withdrew and later has "a wobble": they ask to come back from the portal, a lead finds them
/// in the list and reopens the case by the page, and the family sees it open again.
@Suite struct ComingBackTests {
    @Test func aFamilyAsksToComeBackAndALeadReopensTheCase() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let (family, familyToken) = try await PortalAPITests.signedInFamily(client, harness)
            // Still open: there is nothing to come back to.
            let tooSoon = try await client.json("/api/v1/portal/come-back", .post, token: familyToken)
            #expect(tooSoon.status == .conflict && tooSoon.errorCode == "not_closed")
            #expect(try await client.json("/api/v1/portal/withdraw", .post, token: familyToken).status == .ok)
            let asked = try await client.json("/api/v1/portal/come-back", .post, token: familyToken)
            #expect(asked.status == .accepted && asked.json?["requested_at"] is String)
            let portal = try await client.json("/api/v1/portal/case", .get, token: familyToken)
            #expect(portal.json?["come_back_requested_at"] is String)

            let token = try await client.signIn(lead)
            let returns = try await client.json("/api/v1/cases?come_back=true", .get, token: token)
            let listed = try #require(returns.json?["cases"] as? [[String: Any]])
            #expect(listed.map { $0["id"] as? String } == [family.caseID] && listed.first?["asked_to_come_back"] as? Bool == true)
            #expect(try await client.json("/api/v1/cases?come_back=maybe", .get, token: token).status == .unprocessableContent)

            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let listPage = try await browser.get("/staff/cases?come_back=1")
            #expect(listPage.text.contains("Asked to come back") && listPage.text.contains(family.reference))
            let casePage = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(casePage.text.contains("Reopen the case"))
            let noReason = try await browser.post("/staff/cases/\(family.caseID)/reopen", [("reason", "  ")])
            #expect(noReason.status == .unprocessableContent && noReason.text.contains("reason:"))
            let reopened = try await browser.post("/staff/cases/\(family.caseID)/reopen", [("reason", "The family asked to come back")])
            #expect(reopened.status == .seeOther)

            let detail = try await client.json("/api/v1/cases/\(family.caseID)", .get, token: token)
            #expect(detail.json?["stage"] as? String == "received" && detail.json?["close_reason"] == nil)
            let after = try await client.json("/api/v1/portal/case", .get, token: familyToken)
            #expect(after.json?["stage"] as? String == "received" && after.json?["come_back_requested_at"] is NSNull)
            let again = try await client.json("/api/v1/cases/\(family.caseID)/reopen", .post, token: token, body: ["reason": "twice"])
            #expect(again.status == .conflict, "an open case cannot be reopened")
        }
    }

    @Test func aClosureSummaryWrittenOnThePageReachesTheFamily() async throws {
        let harness = try Harness()
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let (family, familyToken) = try await PortalAPITests.signedInFamily(client, harness)
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let page = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(page.text.contains("Summary for the family"))
            let summary = "We talked about what happened at school. You were given the NSPCC helpline."
            let closed = try await browser.post("/staff/cases/\(family.caseID)/close", [("reason", "declined"), ("note", ""), ("summary", summary)])
            #expect(closed.status == .seeOther)
            let portal = try await client.json("/api/v1/portal/case", .get, token: familyToken)
            #expect(portal.json?["stage"] as? String == "closed" && portal.json?["closure_summary"] as? String == summary)
        }
    }
}
