import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Coded experience themes: tagged on cases by either door, counted in the report by the quarter each
/// was first tagged in.
@Suite struct ExperienceThemeTests {
    static func tagged(_ harness: Harness, _ caseID: String) async throws -> [String: Date] {
        try await harness.database.reader.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT theme, tagged_at FROM case_experience_theme WHERE case_id = ?",
                                                              arguments: [caseID]).map { ($0["theme"] as String, $0["tagged_at"] as Date) })
        }
    }

    @Test func themesAreSetReplacedAndAKeptThemeKeepsItsFirstTagging() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let caseID = try await client.newCase(harness)
            let first = try await client.json("/api/v1/cases/\(caseID)/themes", .post, token: token, body: ["themes": ["waiting", "being_believed"]])
            #expect(first.status == .ok)
            let before = try await Self.tagged(harness, caseID)
            try await Task.sleep(for: .milliseconds(20))
            let second = try await client.json("/api/v1/cases/\(caseID)/themes", .post, token: token,
                                               body: ["themes": ["being_believed", "schools_response", "being_believed"]])
            #expect(second.status == .ok)
            let after = try await Self.tagged(harness, caseID)
            #expect(Set(after.keys) == ["being_believed", "schools_response"])
            #expect(after["being_believed"] == before["being_believed"], "a kept theme keeps when it was first tagged")
            let detail = try await client.json("/api/v1/cases/\(caseID)", .get, token: token)
            #expect(detail.json?["experience_themes"] as? [String] == ["schools_response", "being_believed"])
            let cleared = try await client.json("/api/v1/cases/\(caseID)/themes", .post, token: token, body: ["themes": [String]()])
            #expect(cleared.status == .ok)
            let left = try await Self.tagged(harness, caseID)
            #expect(left.isEmpty)
        }
    }

    @Test func anUnknownThemeIsRefusedByNameAndChangesNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let caseID = try await client.newCase(harness)
            _ = try await client.json("/api/v1/cases/\(caseID)/themes", .post, token: token, body: ["themes": ["waiting"]])
            for body: [String: Any] in [["themes": ["waiting", "the_weather"]], ["themes": "waiting"], ["themes": [1]]] {
                let r = try await client.json("/api/v1/cases/\(caseID)/themes", .post, token: token, body: body)
                #expect(r.status == .unprocessableContent && r.text.contains("\"themes\""), "\(r.text)")
            }
            #expect(Set(try await Self.tagged(harness, caseID).keys) == ["waiting"])
        }
    }

    @Test func thePageTagsThemesWithoutJavaScript() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            let page = try await browser.get("/staff/cases/\(caseID)")
            #expect(page.text.contains("Contact with the other child went on"), "the partner's words from themes.json")
            let saved = try await browser.post("/staff/cases/\(caseID)/themes", [("themes", "moving_school_or_county")])
            #expect(saved.status == .seeOther)
            let after = try await browser.get("/staff/cases/\(caseID)?done=themes")
            #expect(after.text.contains("The themes have been saved.")
                    && after.text.contains("id=\"theme-moving_school_or_county\" name=\"themes\" value=\"moving_school_or_county\" checked"))
        }
    }

    @Test func aThemesFileMustLabelEveryThemeOnce() throws {
        let dir = try TemporaryDirectory()
        func load(_ json: String) throws -> ThemeLabels {
            let file = dir.url.appendingPathComponent("themes.json")
            try Data(json.utf8).write(to: file)
            return try ThemeLabels.load(from: file)
        }
        #expect(throws: DirectoryError.self) { try load(#"{"themes": [{"code": "waiting", "label": "Waiting"}]}"#) }
        #expect(throws: DirectoryError.self) { try load(#"{"themes": [{"code": "the_weather", "label": "x"}]}"#) }
        let shipped = try ThemeLabels.load(from: Harness.policies.appendingPathComponent("themes.json"))
        #expect(shipped.labels.count == ExperienceTheme.allCases.count)
    }
}
