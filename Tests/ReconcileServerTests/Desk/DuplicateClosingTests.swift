import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A lead closes a second referral from one family as a duplicate of the first: the family keeps every message and
/// is told where the conversation goes on; the council counts the family once; refusals change nothing.
@Suite struct DuplicateClosingTests {
    /// The case's stage, close reason and duplicate target, and how many events it has.
    struct Row_: Equatable { let stage: String; let reason: String?; let into: String?; let events: Int }

    static func row(_ harness: Harness, _ id: String) async throws -> Row_ {
        try await harness.database.reader.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT stage, close_reason, closed_as_duplicate_of, (SELECT COUNT(*) FROM case_event WHERE case_id = c.id) AS events
                FROM referral_case c WHERE id = ?
                """, arguments: [id]))
            return Row_(stage: try row.value("stage"), reason: try row.value("close_reason"), into: try row.value("closed_as_duplicate_of"),
                        events: try row.value("events"))
        }
    }

    static func reference(_ harness: Harness, _ id: String) async throws -> String {
        try await harness.database.reader.read { db in
            try #require(try String.fetchOne(db, sql: "SELECT reference FROM referral_case WHERE id = ?", arguments: [id]))
        }
    }

    static func counts(_ harness: Harness) async throws -> ReportCounts {
        let now = Date()
        return try await ReportAggregation.counts(harness.stores.reports, councilArea: "herefordshire", start: now.addingTimeInterval(-86_400),
                                                  end: now.addingTimeInterval(86_400), acknowledgementWorkingDays: 5)
    }

    @Test func theFamilyIsToldWhereTheConversationGoesOnAndIsCountedOnce() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let first = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let second = try await PortalAPITests.refer(client, harness, canary: canary)
            let token = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(second.caseID)/messages", .post, token: token, body: ["body": "Hello from us \(canary)"])
            let events = try await Self.row(harness, second.caseID).events
            let before = try await Self.counts(harness)
            #expect(before.referralsReceived == 2 && before.duplicateReferrals == 0)

            // The page offers it to a lead, the possible duplicate's reference already filled in.
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))  // the API took this period's code
            let page = try await browser.get("/staff/cases/\(second.caseID)")
            #expect(page.text.contains("action=\"/staff/cases/\(second.caseID)/close-as-duplicate\""))
            #expect(page.text.contains("value=\"\(first.reference)\""))

            // By the API, with the reference as a person types it (lower case, spaces, no hyphens).
            let typed = first.reference.lowercased().replacingOccurrences(of: "-", with: " ")
            let closed = try await client.json("/api/v1/cases/\(second.caseID)/close-as-duplicate", .post, token: token,
                                               body: ["case": typed, "note": "Same family, wrote twice"])
            #expect(closed.status == .ok)
            #expect(closed.json?["stage"] as? String == "closed")
            #expect(try await Self.row(harness, second.caseID) == Row_(stage: "closed", reason: nil, into: first.caseID, events: events + 1))
            let detail = try await client.json("/api/v1/cases/\(second.caseID)", .get, token: token).json
            let into = detail?["closed_as_duplicate_of"] as? [String: Any]
            #expect(into?["reference"] as? String == first.reference && into?["id"] as? String == first.caseID)
            #expect((detail?["allowed_actions"] as? [String])?.contains("reopen") == true)
            let shown = try await browser.get("/staff/cases/\(second.caseID)")
            #expect(shown.text.contains("Closed as a duplicate of</dt><dd><a href=\"/staff/cases/\(first.caseID)\""))
            #expect(!shown.text.contains("close-as-duplicate\""), "a closed case is not offered it again")

            // The family: every message kept, told the other reference, still able to write here.
            let family = try require_(try await PortalAPITests.signIn(client, reference: second.reference, passphrase: second.passphrase)
                .json?["token"] as? String)
            let view = try await client.json("/api/v1/portal/case", .get, token: family).json
            #expect(view?["continues_in"] as? String == first.reference)
            #expect((view?["stage_text"] as? String)?.contains("other reference") == true)
            #expect(((view?["messages"] as? [[String: Any]])?.first?["body"] as? String)?.contains(canary) == true)
            #expect(try await client.json("/api/v1/portal/messages", .post, token: family, body: ["body": "Thank you"]).status == .created)
            // The first family's own view names no other reference.
            let firstToken = try require_(try await PortalAPITests.signIn(client, reference: first.reference, passphrase: first.passphrase)
                .json?["token"] as? String)
            #expect(try await client.json("/api/v1/portal/case", .get, token: firstToken).json?["continues_in"] is NSNull)

            // The council counts the family once: the duplicate leaves every referral table and the open count.
            let after = try await Self.counts(harness)
            #expect(after.referralsReceived == 1 && after.duplicateReferrals == 1 && after.openCasesAtEnd == 1)
            for name in ReportTables.referralTables { #expect(after.table(name)?.total == 1, "\(name)") }
            #expect(after.table(ReportTables.closures)?.total == 0)

            // Reopening undoes it: the family is a referral of its own again.
            #expect(try await client.json("/api/v1/cases/\(second.caseID)/reopen", .post, token: token, body: ["reason": "Not the same family"]).status == .ok)
            #expect(try await Self.row(harness, second.caseID).into == nil)
            #expect(try await Self.counts(harness).referralsReceived == 2)
        }
    }

    @Test func refusalsNameTheFieldAndChangeNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let council = try await harness.addStaff("council@example.org", role: .council, area: "herefordshire")
        try await harness.app().test(.router) { client in
            let other = try await client.newCase(harness)
            let closedOther = try await client.newCase(harness)
            let id = try await client.newCase(harness)
            let token = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": pat.email])
            _ = try await client.json("/api/v1/cases/\(closedOther)/close", .post, token: token, body: ["reason": "withdrawn"])
            let ref = try await Self.reference(harness, other)
            let untouched = try await Self.row(harness, id)
            let uri = "/api/v1/cases/\(id)/close-as-duplicate"
            let patToken = try await client.signIn(pat), councilToken = try await client.signIn(council)
            #expect(try await client.json(uri, .post, token: patToken, body: ["case": ref]).status == .forbidden)
            #expect(try await client.json(uri, .post, token: councilToken, body: ["case": ref]).status == .forbidden)
            let cases: [(Any, HTTPResponse.Status, String)] = [
                (try await Self.reference(harness, id), .unprocessableContent, "same_case"),
                (id, .unprocessableContent, "same_case"),
                ("RS-2222-2222", .unprocessableContent, "unknown_value"),
                ("<script>alert(1)</script>", .unprocessableContent, "unknown_value"),
                ("", .unprocessableContent, "required"),
                (String(repeating: "R", count: 5_000), .unprocessableContent, "unknown_value"),
                ("RS-\u{202E}2222-2222", .unprocessableContent, "unknown_value"),
                (42, .unprocessableContent, "wrong_type"),
                (try await Self.reference(harness, closedOther), .conflict, "other_case_closed"),
            ]
            for (value, status, code) in cases {
                let r = try await client.json(uri, .post, token: token, body: ["case": value])
                #expect(r.status == status, "\(value)")
                let error = r.json?["error"] as? [String: Any]
                let fieldCode = (error?["fields"] as? [[String: String]])?.first?["code"]
                #expect(fieldCode == code || error?["code"] as? String == code, "\(value): \(error ?? [:])")
                #expect(!r.text.contains("script"), "the value is never echoed")
            }
            #expect(try await client.json(uri, .post, token: token, body: ["case": ref, "extra": 1]).status == .unprocessableContent)
            #expect(try await Self.row(harness, id) == untouched)
            // A closed case cannot be closed again as a duplicate.
            _ = try await client.json("/api/v1/cases/\(id)/close", .post, token: token, body: ["reason": "declined"])
            let closedRow = try await Self.row(harness, id)
            #expect(try await client.json(uri, .post, token: token, body: ["case": ref]).status == .conflict)
            #expect(try await Self.row(harness, id) == closedRow)
        }
    }

    /// Two leads close two referrals into each other at the same moment: one wins, the other finds its target closed,
    /// so no family is ever sent to a closed case. An earlier duplicate is pointed on to where the conversation goes.
    @Test func closingIntoEachOtherAtOnceLeavesOneOpenAndChainsPointOn() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            for _ in 0..<8 {
                let a = try await client.newCase(harness), b = try await client.newCase(harness)
                let (ra, rb) = (try await Self.reference(harness, a), try await Self.reference(harness, b))
                async let one = client.json("/api/v1/cases/\(a)/close-as-duplicate", .post, token: token, body: ["case": rb])
                async let two = client.json("/api/v1/cases/\(b)/close-as-duplicate", .post, token: token, body: ["case": ra])
                let statuses = [try await one.status, try await two.status]
                #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
                let open = [try await Self.row(harness, a), try await Self.row(harness, b)].filter { $0.stage != "closed" }
                #expect(open.count == 1 && open[0].into == nil)
            }
            let c = try await client.newCase(harness), a = try await client.newCase(harness), b = try await client.newCase(harness)
            _ = try await client.json("/api/v1/cases/\(c)/close-as-duplicate", .post, token: token, body: ["case": a])
            #expect(try await client.json("/api/v1/cases/\(a)/close-as-duplicate", .post, token: token, body: ["case": b]).status == .ok)
            #expect(try await Self.row(harness, c).into == b, "the earlier duplicate now points where the conversation goes on")
        }
    }

    /// A practitioner whose case went into one not theirs learns nothing of the other family's case.
    @Test func aPractitionerSeesNoReferenceOfACaseNotTheirs() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let other = try await client.newCase(harness)
            let id = try await client.newCase(harness)
            let token = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": pat.email])
            #expect(try await client.json("/api/v1/cases/\(id)/close-as-duplicate", .post, token: token, body: ["case": other]).status == .ok)
            let otherReference = try await Self.reference(harness, other)
            let patToken = try await client.signIn(pat)
            let detail = try await client.json("/api/v1/cases/\(id)", .get, token: patToken)
            let into = detail.json?["closed_as_duplicate_of"] as? [String: Any]
            #expect(into != nil && into?["id"] == nil && into?["reference"] == nil)
            #expect(!detail.text.contains(otherReference) && !detail.text.contains(other))
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pat, codeAt: Date().addingTimeInterval(30))
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.text.contains("another case, not assigned to you") && !page.text.contains(otherReference))
        }
    }

    /// A case that closes, as a duplicate or otherwise, holds no more sessions: its appointments leave the diary,
    /// so the practitioner's time is free for the family's other case.
    @Test func closingACaseFreesItsAppointments() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let (a, b, c) = (try await client.newCase(harness), try await client.newCase(harness), try await client.newCase(harness))
            let slot = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600 + 2 * 86_400))
            let book = { (id: String) in
                try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token,
                                      body: ["starts_at": slot, "duration_minutes": 60, "modality": "phone"])
            }
            #expect(try await book(a).status == .created)
            #expect(try await book(b).errorCode == "appointment_overlap", "the lead's hour is taken")
            #expect(try await client.json("/api/v1/cases/\(a)/close-as-duplicate", .post, token: token, body: ["case": b]).status == .ok)
            #expect(try await book(c).status == .created, "closing as a duplicate freed the hour")
            #expect(try await client.json("/api/v1/cases/\(c)/close", .post, token: token, body: ["reason": "declined"]).status == .ok)
            #expect(try await book(b).status == .created, "closing freed it again")
            let live = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_appointment WHERE status IN ('scheduled', 'moved')") ?? -1
            }
            #expect(live == 1)
        }
    }
}
