import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Role × route: every staff route refuses every role that may not use it, and changes nothing when it
/// does. Adding a route without adding it here fails `everyCaseRouteIsInTheMatrix`.
@Suite struct RoleMatrixTests {
    /// Each staff route with a body that would be acceptable to a role allowed to use it.
    static var caseRoutes: [(method: HTTPRequest.Method, path: String, body: [String: Any]?)] { [
        (.get, "/api/v1/cases/{id}", nil),
        (.get, "/api/v1/cases/{id}/timeline", nil),
        (.post, "/api/v1/cases/{id}/assign", ["practitioner": "p@example.org"]),
        (.post, "/api/v1/cases/{id}/acknowledge", ["method": "phone", "note": "first call"]),
        (.post, "/api/v1/cases/{id}/listening-sessions", ["date": "2026-01-05", "duration_minutes": 45, "modality": "phone", "advice_given": "Talked through options"]),
        (.post, "/api/v1/cases/{id}/assessment", ["level_of_need": 2, "needs": ["counselling"]]),
        (.post, "/api/v1/cases/{id}/signposts", ["service": "rape_crisis", "need": "counselling"]),
        (.patch, "/api/v1/cases/{id}/signposts/{sid}", ["outcome": "accepted"]),
        (.post, "/api/v1/cases/{id}/safeguarding", ["routes": ["social_care", "police"], "parents_informed": true, "note": "referred"]),
        (.patch, "/api/v1/cases/{id}/safeguarding/{eid}", ["outcome": "accepted"]),
        (.post, "/api/v1/cases/{id}/messages", ["body": "Hello from the partner"]),
        (.post, "/api/v1/cases/{id}/close", ["reason": "withdrawn"]),
        (.post, "/api/v1/cases/{id}/safeguarding-hold", ["on": true]),
        (.post, "/api/v1/cases/{id}/evidential-hold", ["hold": true, "reason": "Police have asked for the notes"]),
        (.post, "/api/v1/cases/{id}/reopen", ["reason": "The family came back"]),
        (.post, "/api/v1/cases/{id}/links", ["case": "RS-AAAA-AAAA"]),
        (.post, "/api/v1/cases/{id}/close-as-duplicate", ["case": "RS-AAAA-AAAA"]),
        (.post, "/api/v1/cases/{id}/themes", ["themes": ["waiting"]]),
        (.post, "/api/v1/cases/{id}/passphrase", ["identity_check": "phone"]),
        (.post, "/api/v1/cases/{id}/follow-ups", ["due_on": "2099-01-01"]),
        (.post, "/api/v1/cases/{id}/follow-ups/{fid}/done", [:]),
        (.post, "/api/v1/cases/{id}/meetings", ["party": "school_or_college", "note": "Wants to meet the head"]),
        (.patch, "/api/v1/cases/{id}/meetings/{mid}", ["status": "invited"]),
        (.put, "/api/v1/cases/{id}/voice", ["text": "We were not listened to at first.", "consent": true]),
        (.post, "/api/v1/cases/{id}/appointments", ["starts_at": "2099-01-05T10:00:00Z", "duration_minutes": 60, "modality": "phone"]),
        (.patch, "/api/v1/cases/{id}/appointments/{aid}", ["status": "cancelled"]),
    ] }

    @Test func everyCaseRouteIsInTheMatrix() throws {
        let harness = try Harness()
        let router = try buildRouter(configuration: AppConfiguration(
            settings: harness.settings, database: harness.database, keys: harness.keys, directory: try Harness.directory()))
        let inMatrix = Set(Self.caseRoutes.map { "\($0.method) \($0.path)" }
                           + ["GET /api/v1/cases", "GET /api/v1/services", "POST /api/v1/cases"])  // entering: StaffReferralTests
        let staffRoutes = router.routes.map(\.description).filter { $0.contains("/api/v1/cases") || $0.contains("/api/v1/services") }
        #expect(!staffRoutes.isEmpty)
        for route in staffRoutes {
            #expect(inMatrix.contains(route), "\(route) has no row in the role matrix")
        }
    }

    /// Counts that any change to a case would move.
    static func footprint(_ harness: Harness, _ caseID: String) async throws -> [Int] {
        try await harness.database.reader.read { db in
            try ["case_event", "listening_session", "assessment", "signpost", "safeguarding_escalation", "case_message", "case_follow_up", "case_meeting",
                 "case_appointment"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0) WHERE case_id = ?", arguments: [caseID])!
            } + [try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM referral_case WHERE id = ? AND stage = 'received' AND assigned_to IS NULL",
                                  arguments: [caseID])!]
        }
    }

    @Test func rolesThatMayNotWorkThisCaseAreRefusedAndNothingChanges() async throws {
        let harness = try Harness()
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        let council = try await harness.addStaff("council@example.org", role: .council)
        let other = try await harness.addStaff("other@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness)
            let before = try await Self.footprint(harness, caseID)
            let tokens: [(String, String?, HTTPResponse.Status)] = [
                ("nobody", nil, .unauthorized),
                ("bogus token", "not-a-real-token-but-long-enough", .unauthorized),
                ("admin", try await client.signIn(admin), .forbidden),
                ("council", try await client.signIn(council), .forbidden),
                // Not theirs looks like no case at all; assigning is refused for the role whatever the case.
                ("unassigned practitioner", try await client.signIn(other), .notFound),
            ]
            for (who, token, expected) in tokens {
                for route in Self.caseRoutes {
                    let uri = route.path.replacingOccurrences(of: "{id}", with: caseID).replacingOccurrences(of: "{sid}", with: UUID().uuidString.lowercased())
                        .replacingOccurrences(of: "{eid}", with: UUID().uuidString.lowercased())
                        .replacingOccurrences(of: "{fid}", with: UUID().uuidString.lowercased())
                        .replacingOccurrences(of: "{mid}", with: UUID().uuidString.lowercased())
                        .replacingOccurrences(of: "{aid}", with: UUID().uuidString.lowercased())
                    let response = try await client.json(uri, route.method, token: token, body: route.body)
                    let leadOnly = route.path.hasSuffix("/assign") || route.path.hasSuffix("-hold") || route.path.hasSuffix("/reopen") || route.path.hasSuffix("/links")
                        || route.path.hasSuffix("/close-as-duplicate")
                    let wanted: HTTPResponse.Status = expected == .notFound && leadOnly ? .forbidden : expected
                    #expect(response.status == wanted, "\(who) \(route.method) \(route.path) → \(response.status)")
                    #expect(!response.text.contains("CANARY"), "\(who) saw personal data")
                }
                let list = try await client.json("/api/v1/cases", .get, token: token)
                if who == "unassigned practitioner" {
                    #expect(list.status == .ok)
                    #expect((list.json?["cases"] as? [Any])?.isEmpty == true, "a practitioner lists only their own cases")
                } else {
                    #expect(list.status == expected, "\(who) GET /api/v1/cases → \(list.status)")
                }
            }
            let r1 = try await Self.footprint(harness, caseID)
            #expect(r1 == before, "a refused request changed the case")
            // The directory is for staff who signpost (and admin, who maintains it), not for the council.
            let r2 = try await client.json("/api/v1/services", .get, token: nil)
            #expect(r2.status == .unauthorized)
            let r3 = try await client.json("/api/v1/services", .get, token: try await client.signIn(council, at: Date().addingTimeInterval(30)))
            #expect(r3.status == .forbidden)
            let r4 = try await client.json("/api/v1/services", .get, token: try await client.signIn(admin, at: Date().addingTimeInterval(30)))
            #expect(r4.status == .ok)
        }
    }

    @Test func aPractitionerWorksOnlyAssignedCasesAndCannotAssign() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let mine = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let (leadToken, myToken) = (try await client.signIn(lead), try await client.signIn(mine))
            let assigned = try await client.newCase(harness)
            let notMine = try await client.newCase(harness)
            let r5 = try await client.json("/api/v1/cases/\(assigned)/assign", .post, token: myToken, body: ["practitioner": "p@example.org"])
            #expect(r5.status == .forbidden)
            let r6 = try await client.json("/api/v1/cases/\(assigned)/assign", .post, token: leadToken, body: ["practitioner": "p@example.org"])
            #expect(r6.status == .ok)
            let r7 = try await client.json("/api/v1/cases/\(assigned)", .get, token: myToken)
            #expect(r7.status == .ok)
            let r8 = try await client.json("/api/v1/cases/\(notMine)", .get, token: myToken)
            let none = try await client.json("/api/v1/cases/\(UUID().uuidString.lowercased())", .get, token: myToken)
            #expect(r8.status == .notFound && r8.text == none.text, "not mine answers as no such case")
            let r9 = try await client.json("/api/v1/cases/\(notMine)", .get, token: leadToken)
            #expect(r9.status == .ok, "a lead reads every case")
            let list = try await client.json("/api/v1/cases", .get, token: myToken)
            let ids = (list.json?["cases"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == [assigned])
        }
    }
}
