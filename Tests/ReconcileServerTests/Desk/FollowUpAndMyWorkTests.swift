import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Dated follow-ups (note sealed) and what is due, for a practitioner and across the team for a lead.
@Suite struct FollowUpAndMyWorkTests {
    static func followUps(_ harness: Harness) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_follow_up") ?? -1 }
    }

    @Test func aFollowUpIsSetSealedDueAndDoneAndBadDatesChangeNothing() async throws {
        let harness = try Harness()
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let other = try await harness.addStaff("other@example.org", role: .practitioner)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness)
            let leadToken = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
            let token = try await client.signIn(pat)
            let today = WorkingDays.londonDate(Date())
            let canary = Sample.canary()

            let refused: [([String: Any], String)] = [
                (["due_on": "2020-01-01"], "due_on"), (["due_on": "2026-02-30"], "due_on"), (["due_on": "tomorrow"], "due_on"),
                (["due_on": WorkingDays.day(400, after: today) ?? ""], "due_on"), ([:], "due_on"), (["due_on": 20261221], "due_on"),
                (["due_on": today, "note": "x\u{202E}y"], "note"), (["due_on": today, "colour": "red"], "colour"),
            ]
            for (body, field) in refused {
                let r = try await client.json("/api/v1/cases/\(id)/follow-ups", .post, token: token, body: body)
                #expect(r.status == .unprocessableContent, "\(body)")
                #expect(((r.json?["error"] as? [String: Any])?["fields"] as? [[String: String]])?.first?["field"] == field, "\(body)")
            }
            #expect(try await Self.followUps(harness) == 0)
            // Another practitioner gets the same 404 as no case; admin is refused.
            let (otherToken, adminToken) = (try await client.signIn(other), try await client.signIn(admin))
            #expect(try await client.json("/api/v1/cases/\(id)/follow-ups", .post, token: otherToken, body: ["due_on": today]).status == .notFound)
            #expect(try await client.json("/api/v1/cases/\(id)/follow-ups", .post, token: adminToken, body: ["due_on": today]).status == .forbidden)
            #expect(try await Self.followUps(harness) == 0)

            let set = try await client.json("/api/v1/cases/\(id)/follow-ups", .post, token: token,
                                            body: ["due_on": today, "note": "Call about the school reply \(canary)"])
            #expect(set.status == .created)
            let fid = try #require(set.json?["id"] as? String)
            // Sealed: the note's words are nowhere in the table, the event or the audit row.
            let raw = try await harness.database.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM case_follow_up").map { "\($0)" }.joined()
                    + (try Row.fetchAll(db, sql: "SELECT * FROM case_event").map { "\($0)" }.joined())
                    + (try Row.fetchAll(db, sql: "SELECT * FROM audit_log").map { "\($0)" }.joined())
            }
            #expect(!raw.contains(canary) && raw.contains("due=\(today)"))
            #expect(!harness.logs.text.contains(canary))

            // Due today: on the practitioner's desk, not on another's.
            let work = try await client.json("/api/v1/my-work", .get, token: token)
            #expect(work.status == .ok)
            let items = (work.json?["items"] as? [[String: Any]]) ?? []
            #expect(items.contains { $0["kind"] as? String == "follow_up" && $0["record_id"] as? String == fid && $0["due"] as? String == today })
            #expect(!work.text.contains(canary))
            let theirs = try await client.json("/api/v1/my-work", .get, token: otherToken)
            #expect(((theirs.json?["items"] as? [Any]) ?? [1]).isEmpty)

            #expect(try await client.json("/api/v1/cases/\(id)/follow-ups/\(fid)/done", .post, token: token, body: [:]).status == .ok)
            #expect(try await client.json("/api/v1/cases/\(id)/follow-ups/\(fid)/done", .post, token: token, body: [:]).status == .conflict)
            #expect(try await client.json("/api/v1/cases/\(id)/follow-ups/\(UUID().uuidString.lowercased())/done", .post, token: token,
                                          body: [:]).status == .notFound)
            let after = try await client.json("/api/v1/my-work", .get, token: token)
            #expect(!((after.json?["items"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "follow_up" })

            // A closed case takes no new follow-up.
            _ = try await client.json("/api/v1/cases/\(id)/close", .post, token: token, body: ["reason": "withdrawn"])
            #expect(try await client.json("/api/v1/cases/\(id)/follow-ups", .post, token: token, body: ["due_on": today]).status == .conflict)
            #expect(try await Self.followUps(harness) == 1)
        }
    }

    @Test func thePagesSetAndClearAFollowUpAndTheHomeShowsWhatIsDue() async throws {
        let harness = try Harness()
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let mine = try await client.newCase(harness)
            let unassigned = try await client.newCase(harness)
            let leadToken = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(mine)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pat)
            let today = WorkingDays.londonDate(Date())
            _ = try await browser.get("/staff/cases/\(mine)")
            let set = try await browser.post("/staff/cases/\(mine)/follow-ups", [("due_on", today), ("note", "Ring back")])
            #expect(set.status == .seeOther)
            let page = try await browser.get("/staff/cases/\(mine)?done=follow_up")
            #expect(page.text.contains("Follow-up set.") && page.text.contains("Ring back") && page.text.contains("Mark done"))
            let bad = try await browser.post("/staff/cases/\(mine)/follow-ups", [("due_on", "2001-01-01"), ("note", "")])
            #expect(bad.status == .unprocessableContent && bad.text.contains("YYYY-MM-DD"))

            let home = try await browser.get("/staff")
            #expect(home.status == .ok && home.text.contains("My work"))
            #expect(home.text.contains("Follow-ups due") && home.text.contains("Acknowledgements due"))
            let reference = try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT reference FROM referral_case WHERE id = ?", arguments: [unassigned])
            }
            #expect(!home.text.contains(try #require(reference)), "a practitioner's desk lists only their cases")

            let fid = try await harness.database.reader.read { db in try String.fetchOne(db, sql: "SELECT id FROM case_follow_up") }
            let done = try await browser.post("/staff/cases/\(mine)/follow-ups/\(try #require(fid))/done", [])
            #expect(done.status == .seeOther)

            // The lead's desk: the team, the unassigned case, caseloads.
            var leadBrowser = PageBrowser(client: client)
            _ = try await leadBrowser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            let team = try await leadBrowser.get("/staff")
            #expect(team.text.contains("The team&#39;s work") || team.text.contains("The team's work"))
            #expect(team.text.contains(try #require(reference)) && team.text.contains("Not yet assigned") && team.text.contains("Caseloads"))
            let api = try await client.json("/api/v1/my-work", .get, token: leadToken)
            let loads = (api.json?["caseloads"] as? [[String: Any]]) ?? []
            #expect(loads.contains { $0["email"] as? String == pat.email && $0["open_cases"] as? Int == 1 })
            #expect((api.json?["counts"] as? [String: Int])?["unassigned"] == 1)
        }
    }

    @Test func adminAndCouncilHaveNoDesk() async throws {
        let harness = try Harness()
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        let officer = try await harness.addStaff("officer@example.org", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            for member in [admin, officer] {
                let token = try await client.signIn(member)
                #expect(try await client.json("/api/v1/my-work", .get, token: token).status == .forbidden)
            }
            #expect(try await client.json("/api/v1/my-work", .get).status == .unauthorized)
        }
    }
}
