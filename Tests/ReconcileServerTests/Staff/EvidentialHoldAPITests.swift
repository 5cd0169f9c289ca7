import Foundation
import Hummingbird
import GRDB
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer
@testable import ReconcileStore

/// The evidential hold through its two doors and as the family sees it.
@Suite struct EvidentialHoldAPITests {
    static func heldSince(_ harness: Harness, _ id: String) async throws -> Date? {
        try await harness.database.reader.read { db in
            try Date.fetchOne(db, sql: "SELECT evidential_hold_at FROM referral_case WHERE id = ?", arguments: [id])
        }
    }

    @Test func aLeadHoldsACaseForEvidenceAndTheFamilyIsToldWhy() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let (family, familyToken) = try await PortalAPITests.signedInFamily(client, harness)
            #expect(try await client.json("/api/v1/portal/erasure", .post, token: familyToken).status == .accepted)
            let token = try await client.signIn(lead)
            let path = "/api/v1/cases/\(family.caseID)/evidential-hold"

            // Placing it needs a reason; refused, nothing changes.
            for body: [String: Any] in [["hold": true], ["hold": true, "reason": "  "], ["hold": "yes", "reason": "court"]] {
                let refused = try await client.json(path, .post, token: token, body: body)
                #expect(refused.status == .unprocessableContent || refused.status == .badRequest)
            }
            #expect(try await Self.heldSince(harness, family.caseID) == nil)

            let placed = try await client.json(path, .post, token: token, body: ["hold": true, "reason": "Police asked for the notes"])
            #expect(placed.status == .ok && placed.json?["stage"] as? String == "received")
            let detail = try await client.json("/api/v1/cases/\(family.caseID)", .get, token: token)
            #expect(detail.json?["evidential_hold_since"] is String)
            let portal = try await client.json("/api/v1/portal/case", .get, token: familyToken)
            let erasure = try #require(portal.json?["erasure"] as? [String: Any])
            #expect(erasure["held"] as? Bool == true && erasure["held_for_evidence"] as? Bool == true)
            let run = try await harness.stores.retention.runRetention(policy: RetentionPolicy(), now: Date().addingTimeInterval(30 * 86_400))
            #expect(run == RetentionReport(erased: 0, heldBack: 1))

            // The page door lifts it, as a lead would.
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let page = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(page.text.contains("Held since") && page.text.contains("Lift the hold"))
            let lifted = try await browser.post("/staff/cases/\(family.caseID)/evidential-hold", [("hold", "false"), ("reason", "")])
            #expect(lifted.status == .seeOther)
            #expect(try await Self.heldSince(harness, family.caseID) == nil)
            let after = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(after.text.contains("Place the hold") && !after.text.contains("Held since"))
        }
    }
}
