import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Assignment from a list with caseloads, the timeline saying who assigned whom, and moving a leaving
/// practitioner's open cases at once (all or none; the linked-case rule holds).
@Suite struct AssignmentTests {
    static func assignees(_ harness: Harness, _ ids: [String]) async throws -> [String?] {
        try await harness.database.reader.read { db in
            try ids.map { id in
                try String.fetchOne(db, sql: "SELECT s.email FROM referral_case c LEFT JOIN staff_account s ON s.id = c.assigned_to WHERE c.id = ?",
                                    arguments: [id])
            }
        }
    }

    @Test func aLeadAssignsFromAListAndTheTimelineSaysWhoAssignedWhom() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("pat@example.org", role: .practitioner)
        _ = try await harness.addStaff("quinn@example.org", role: .practitioner)
        _ = try await harness.addStaff("gone@example.org", role: .practitioner)
        try await harness.stores.staff.disableStaff(email: "gone@example.org")
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness)
            let held = try await client.newCase(harness)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            _ = try await browser.get("/staff/cases/\(held)")
            #expect(try await browser.post("/staff/cases/\(held)/assign", [("practitioner", "pat@example.org")]).status == .seeOther)
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.text.contains("<select id=\"practitioner\" name=\"practitioner\""))
            #expect(page.text.contains("pat@example.org, practitioner, 1 open case") && page.text.contains("quinn@example.org, practitioner, 0 open cases"))
            #expect(!page.text.contains("gone@example.org"), "a disabled account is not offered")
            #expect(try await browser.post("/staff/cases/\(id)/assign", [("practitioner", "pat@example.org")]).status == .seeOther)
            #expect(try await browser.post("/staff/cases/\(id)/assign", [("practitioner", "quinn@example.org")]).status == .seeOther)
            let after = try await browser.get("/staff/cases/\(id)")
            #expect(after.text.contains("Assigned to quinn@example.org (was pat@example.org), by lead@example.org"))
            #expect(after.text.contains("Assigned to pat@example.org, by lead@example.org"))
            // Typing a disabled account's address by hand is refused, nothing changed.
            let refused = try await browser.post("/staff/cases/\(id)/assign", [("practitioner", "gone@example.org")])
            #expect(refused.status == .unprocessableContent)
            #expect(try await Self.assignees(harness, [id]) == ["quinn@example.org"])
        }
    }

    @Test func aLeavingPractitionersOpenCasesMoveTogether() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        _ = try await harness.addStaff("quinn@example.org", role: .practitioner)
        _ = try await harness.addStaff("gone@example.org", role: .practitioner)
        try await harness.stores.staff.disableStaff(email: "gone@example.org")
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            var ids: [String] = []
            for _ in 0..<4 {
                let id = try await client.newCase(harness)
                _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": pat.email])
                ids.append(id)
            }
            _ = try await client.json("/api/v1/cases/\(ids[3])/close", .post, token: token, body: ["reason": "withdrawn"])
            let uri = "/api/v1/staff/pat%40example.org/reassign-open-cases"
            // Refusals change nothing.
            for (body, status, field) in [(["to": "gone@example.org"], HTTPResponse.Status.unprocessableContent, "to"),
                                          (["to": "nobody@example.org"], .unprocessableContent, "to"),
                                          (["to": "pat@example.org"], .unprocessableContent, "to"),
                                          ([:], .unprocessableContent, "to")] as [([String: String], HTTPResponse.Status, String)] {
                let r = try await client.json(uri, .post, token: token, body: body)
                #expect(r.status == status, "\(body)")
                #expect(((r.json?["error"] as? [String: Any])?["fields"] as? [[String: String]])?.first?["field"] == field)
            }
            #expect(try await client.json("/api/v1/staff/nobody%40example.org/reassign-open-cases", .post, token: token,
                                          body: ["to": "quinn@example.org"]).status == .notFound)
            let patToken = try await client.signIn(pat)
            #expect(try await client.json(uri, .post, token: patToken, body: ["to": "quinn@example.org"]).status == .forbidden)
            #expect(try await Self.assignees(harness, ids) == Array(repeating: "pat@example.org", count: 4))

            let moved = try await client.json(uri, .post, token: token, body: ["to": "quinn@example.org"])
            #expect(moved.status == .ok && moved.json?["moved"] as? Int == 3)
            #expect(try await Self.assignees(harness, ids) == ["quinn@example.org", "quinn@example.org", "quinn@example.org", "pat@example.org"],
                    "open cases moved; the closed one stays where it was")
            let events = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event WHERE action = 'assign' AND detail LIKE '%bulk=1%'")
            }
            #expect(events == 3)
        }
    }

    @Test func aMoveThatWouldBreakTheLinkedCaseRuleMovesNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("pat@example.org", role: .practitioner)
        _ = try await harness.addStaff("quinn@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let plain = try await CaseLinkTests.newCase(client, harness, involvement: "harmed")
            let harmed = try await CaseLinkTests.newCase(client, harness, involvement: "harmed")
            let accused = try await CaseLinkTests.newCase(client, harness, involvement: "was_accused_or_harmed_others")
            #expect(try await client.json("/api/v1/cases/\(harmed.id)/links", .post, token: token, body: ["case": accused.reference]).status == .ok)
            for (id, who) in [(plain.id, "pat@example.org"), (harmed.id, "pat@example.org"), (accused.id, "quinn@example.org")] {
                _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": who])
            }
            let r = try await client.json("/api/v1/staff/pat%40example.org/reassign-open-cases", .post, token: token, body: ["to": "quinn@example.org"])
            #expect(r.status == .conflict)
            #expect(try await Self.assignees(harness, [plain.id, harmed.id, accused.id]) == ["pat@example.org", "pat@example.org", "quinn@example.org"],
                    "all or none: not even the unlinked case moved")
        }
    }

    @Test func theLeadsHomeMovesOpenCasesFromItsCaseloadTable() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        _ = try await harness.addStaff("quinn@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await client.newCase(harness)
            _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": pat.email])
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            let home = try await browser.get("/staff")
            #expect(home.text.contains("action=\"/staff/team/pat%40example%2Eorg/reassign-open-cases\"")
                    || home.text.contains("/reassign-open-cases"))
            let moved = try await browser.post("/staff/team/pat%40example.org/reassign-open-cases", [("to", "quinn@example.org")])
            #expect(moved.status == .seeOther && moved.headers[.location] == "/staff?moved=1")
            #expect(try await browser.get("/staff?moved=1").text.contains("1 open case moved."))
            #expect(try await Self.assignees(harness, [id]) == ["quinn@example.org"])
        }
    }
}
