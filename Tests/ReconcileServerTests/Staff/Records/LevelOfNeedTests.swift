import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer

/// The area's own words for the levels of need, and the prompt to consider safeguarding at the statutory level.
@Suite struct LevelOfNeedTests {
    @Test func aHerefordshireCaseAssessedAtLevelFourPromptsASafeguardingEscalationUntilOneIsRecorded() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await client.newCase(harness, area: "herefordshire")
            func post(_ path: String, _ body: [String: Any]) async throws -> TestResponse {
                try await client.json("/api/v1/cases/\(id)/\(path)", .post, token: token, body: body)
            }
            _ = try await post("acknowledge", ["method": "phone"])
            _ = try await post("listening-sessions", ["date": "2026-01-05", "duration_minutes": 30, "modality": "phone", "advice_given": "Talked"])
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let before = try await browser.get("/staff/cases/\(id)")
            #expect(before.text.contains("4 - Statutory social care"), "the form speaks Herefordshire's levels")
            #expect(!before.text.contains("Consider whether to make one"))

            #expect(try await post("assessment", ["level_of_need": 4, "needs": ["counselling"]]).status == .created)
            let detail = try await client.json("/api/v1/cases/\(id)", .get, token: token)
            #expect((detail.json?["assessments"] as? [[String: Any]])?.first?["level_label"] as? String == "Statutory social care")
            #expect(detail.json?["consider_safeguarding"] as? Bool == true)
            let assessed = try await browser.get("/staff/cases/\(id)")
            #expect(assessed.text.contains("Consider whether to make one") && assessed.text.contains("Herefordshire"))

            #expect(try await post("safeguarding", ["routes": ["social_care"], "parents_informed": true]).status == .created)
            #expect(try await client.json("/api/v1/cases/\(id)", .get, token: token).json?["consider_safeguarding"] as? Bool == false)
            #expect(!(try await browser.get("/staff/cases/\(id)")).text.contains("Consider whether to make one"))
        }
    }

    @Test func aLevelBelowTheThresholdDoesNotPrompt() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await client.newCase(harness, area: "shropshire")
            for (path, body) in [("acknowledge", ["method": "phone"] as [String: Any]),
                                 ("listening-sessions", ["date": "2026-01-05", "duration_minutes": 30, "modality": "phone", "advice_given": "Talked"]),
                                 ("assessment", ["level_of_need": 3, "needs": ["counselling"]])] {
                _ = try await client.json("/api/v1/cases/\(id)/\(path)", .post, token: token, body: body)
            }
            #expect(try await client.json("/api/v1/cases/\(id)", .get, token: token).json?["consider_safeguarding"] as? Bool == false)
        }
    }
}
