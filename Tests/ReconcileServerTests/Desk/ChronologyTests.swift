import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The printable chronology: every kind of thing in date order with who did it, one date format, audited.
@Suite struct ChronologyTests {
    @Test func theChronologyListsEverythingInOrderWithWhoAndIsAudited() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let other = try await harness.addStaff("other@example.org", role: .practitioner)
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        try await harness.app().test(.router) { client in
            let (family, familyToken) = try await PortalAPITests.signedInFamily(client, harness)
            let id = family.caseID
            let leadToken = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
            let token = try await client.signIn(pat)
            func post(_ step: String, _ body: [String: Any]) async throws {
                let r = try await client.json("/api/v1/cases/\(id)/\(step)", .post, token: token, body: body)
                #expect(r.status == .ok || r.status == .created, "\(step) → \(r.status)")
            }
            try await post("acknowledge", ["method": "phone", "note": "Spoke to mum"])
            try await post("listening-sessions", ["date": WorkingDays.londonDate(Date()), "duration_minutes": 45, "modality": "phone",
                                                  "advice_given": "Talked through options"])
            try await post("messages", ["body": "We will call on Tuesday"])
            try await post("follow-ups", ["due_on": WorkingDays.londonDate(Date()), "note": "Call about school"])
            let reply = try await client.json("/api/v1/portal/messages", .post, token: familyToken, body: ["body": "Thank you"])
            #expect(reply.status == .created || reply.status == .ok)

            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pat, codeAt: Date().addingTimeInterval(30))
            let page = try await browser.get("/staff/cases/\(id)/chronology")
            #expect(page.status == .ok)
            let text = page.text
            let order = ["Referral received", "Assigned to pat@example.org", "Acknowledged", "Listening session (45 minutes, phone)",
                         "Message to the family", "Follow-up set for", "Message from the family"]
            let positions = order.map { text.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(zip(order, positions).filter { $0.1 == nil }.map(\.0))")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "in date order")
            #expect(text.contains("Talked through options") && text.contains("Spoke to mum") && text.contains("Thank you"))
            #expect(text.contains("<td>lead@example.org</td>") && text.contains("<td>pat@example.org</td>") && text.contains("<td>the family</td>"))
            // One format: every "when" cell is a day in words, with a time after it where there is one.
            let whens = text.components(separatedBy: "<td class=\"when\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
            #expect(!whens.isEmpty)
            for when in whens {
                #expect(when.range(of: #"^[0-9]{1,2} [A-Z][a-z]+ [0-9]{4}( at [0-9]{1,2}:[0-9]{2})?$"#, options: .regularExpression) != nil, "\(when)")
            }
            #expect(!text.contains("<form method=\"post\" action=\"/staff/cases/"), "no step forms on the printout")

            let rows = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.chronology' AND case_id = ?", arguments: [id])
            }
            #expect(rows == 1)
            // A printout is not a reading: the family's reply is still unread.
            let unread = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_message WHERE case_id = ? AND sender = 'family' AND read_at IS NULL", arguments: [id])
            }
            #expect(unread == 1)

            // Not theirs: the same 404 as no case, nothing audited; admin: refused.
            var stranger = PageBrowser(client: client)
            _ = try await stranger.signIn(other)
            #expect(try await stranger.get("/staff/cases/\(id)/chronology").status == .notFound)
            var adminBrowser = PageBrowser(client: client)
            _ = try await adminBrowser.signIn(admin)
            #expect(try await adminBrowser.get("/staff/cases/\(id)/chronology").status == .forbidden)
            let after = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.chronology'")
            }
            #expect(after == 1)
        }
    }
}
