import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A lead and a practitioner take a referral from received to closed through the API.
@Suite struct CaseWorkflowAPITests {
    @Test func aReferralIsWorkedFromReceivedToClosed() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("pat@example.org", role: .practitioner)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness, canary: canary)
            let (leadToken, token) = (try await client.signIn(lead), try await client.signIn(practitioner))
            func post(_ path: String, _ body: [String: Any], as who: String? = nil) async throws -> TestResponse {
                try await client.json("/api/v1/cases/\(caseID)/\(path)", .post, token: who ?? token, body: body)
            }

            // New and unassigned: the lead sees it as received, not yet overdue.
            let list = try await client.json("/api/v1/cases?stage=received&assigned=none", .get, token: leadToken)
            let listed = try #require((list.json?["cases"] as? [[String: Any]])?.first)
            #expect(listed["id"] as? String == caseID && listed["stage"] as? String == "received")
            #expect(listed["overdue"] as? Bool == false)
            #expect(Set(listed.keys) == ["id", "reference", "stage", "council_area", "received_at", "assigned_to", "overdue", "unread_replies", "asked_to_come_back"])
            #expect(!list.text.contains(canary), "the case list holds no personal field")

            let r1 = try await post("assign", ["practitioner": "PAT@example.org "], as: leadToken)
            #expect(r1.status == .ok)
            // An illegal step is refused with 409 and changes nothing.
            let tooEarly = try await post("close", ["reason": "completed"])
            #expect(tooEarly.status == .conflict)
            #expect(tooEarly.errorCode == "illegal_transition")
            let listenFirst = try await post("listening-sessions", ["date": "2026-01-05", "duration_minutes": 30, "modality": "phone", "advice_given": "Options explained"])
            #expect(listenFirst.status == .conflict)
            let r2 = try harness.stores.intake.caseRecord(id: CaseID(caseID))
            #expect(r2?.stage == .received)

            let r3 = try await post("acknowledge", ["method": "phone", "note": "Called \(canary)"])
            #expect(r3.json?["stage"] as? String == "acknowledged")
            let r4 = try await post("acknowledge", ["method": "phone"])
            #expect(r4.status == .conflict, "acknowledged once only")
            let first = try await post("listening-sessions", ["date": "2026-01-05", "duration_minutes": 50, "modality": "phone", "note": "Listened \(canary)", "advice_given": "Options explained"])
            #expect(first.status == .created && first.json?["stage"] as? String == "listening")
            let r5 = try await post("listening-sessions", ["date": "2026-01-12", "duration_minutes": 60, "modality": "in_person", "advice_given": "Options explained"])
            #expect(r5.status == .created)
            let r6 = try await post("assessment", ["level_of_need": 3, "needs": ["counselling", "education_support"], "note": "Complex"])
            #expect(r6.json?["stage"] as? String == "assessed")

            let services = try await client.json("/api/v1/services", .get, token: token)
            let directory = try #require(services.json?["services"] as? [[String: Any]])
            let counselling = try #require(directory.first { ($0["needs"] as? [String])?.contains("counselling") == true && ($0["areas"] as? [String])?.contains("national") == true })
            let serviceID = try #require(counselling["id"] as? String)
            #expect(counselling["how_to_reach"] as? String == "To be confirmed by the partner.")
            let signpost = try await post("signposts", ["service": serviceID, "need": "counselling", "note": "Gave details"])
            #expect(signpost.status == .created && signpost.json?["stage"] as? String == "signposted")
            let signpostID = try #require(signpost.json?["id"] as? String)
            let outcome = try await client.json("/api/v1/cases/\(caseID)/signposts/\(signpostID)", .patch, token: token, body: ["outcome": "accepted"])
            #expect(outcome.status == .ok)
            let r7 = try await post("safeguarding", ["routes": ["social_care", "police"], "parents_informed": true, "note": "Front door referral"])
            #expect(r7.status == .created)
            let r8 = try await post("messages", ["body": "We are here when you are ready, \(canary)"])
            #expect(r8.status == .created)
            let r9 = try await post("close", ["reason": "completed", "note": "Done"])
            #expect(r9.json?["stage"] as? String == "closed")
            let r10 = try await post("messages", ["body": "After closing"])
            #expect(r10.status == .conflict, "no messages on a closed case")
            let r11 = try await post("safeguarding", ["routes": ["police"], "parents_informed": false, "parents_not_informed_reason": "greater_risk_to_child"])
            #expect(r11.status == .created, "safeguarding never blocked")

            // The practitioner reads the whole case, decrypted; the read is audited.
            let detail = try await client.json("/api/v1/cases/\(caseID)", .get, token: token)
            #expect(detail.status == .ok)
            let body = try #require(detail.json)
            #expect((body["contact"] as? [String: Any])?["name"] as? String == "\(canary) Name")
            #expect(body["story"] as? String == "What happened to \(canary) at school")
            #expect(body["stage"] as? String == "closed" && body["close_reason"] as? String == "completed")
            #expect((body["listening_sessions"] as? [Any])?.count == 2)
            #expect(((body["signposts"] as? [[String: Any]])?.first)?["outcome"] as? String == "accepted")
            #expect((body["safeguarding"] as? [Any])?.count == 2)
            let actions = (body["events"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("acknowledge") && actions.contains("close") && actions.contains("assign"))
            let audit = try harness.stores.audit.auditEntries(caseID: CaseID(caseID)).map(\.action)
            #expect(audit.contains("case.read"))
            #expect(audit.contains("case.acknowledge"))
            #expect(try await harness.stores.audit.verifyAuditChain().isIntact)
            let timeline = try await client.json("/api/v1/cases/\(caseID)/timeline", .get, token: token)
            let events = timeline.json?["events"] as? [Any]
            #expect(events?.count == actions.count)
        }
        #expect(!harness.logs.text.contains(canary), "a log line holds a personal value")
    }

    @Test func badBodiesAreRefusedByFieldAndChangeNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness)
            let token = try await client.signIn(lead)
            let cases: [(String, [String: Any], String)] = [
                ("acknowledge", ["method": "carrier_pigeon"], "unknown_value"),
                ("acknowledge", ["method": 3], "wrong_type"),
                ("acknowledge", [:], "required"),
                ("acknowledge", ["method": "phone", "extra": true], "unknown_field"),
                ("acknowledge", ["method": "phone", "note": String(repeating: "n", count: 10_001)], "too_long"),
                ("assign", ["practitioner": "nobody@example.org"], "unknown_practitioner"),
                ("assessment", ["level_of_need": 5, "needs": ["counselling"]], "out_of_range"),
                ("assessment", ["level_of_need": 2.5, "needs": ["counselling"]], "wrong_type"),
                ("close", ["reason": "bored"], "unknown_value"),
            ]
            for (path, body, code) in cases {
                let response = try await client.json("/api/v1/cases/\(caseID)/\(path)", .post, token: token, body: body)
                #expect(response.status == .unprocessableContent, "\(path) \(body)")
                #expect(response.errorCode == code, "\(path) \(body) → \(response.errorCode ?? "-")")
            }
            let notJSON = try await client.execute(uri: "/api/v1/cases/\(caseID)/acknowledge", method: .post,
                                                   headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                                   body: ByteBuffer(string: "{nope"))
            #expect(notJSON.status == .badRequest)
            let r12 = try await client.json("/api/v1/cases/not-a-case/acknowledge", .post, token: token, body: ["method": "phone"])
            #expect(r12.status == .notFound)
            let r13 = try await client.json("/api/v1/cases/\(UUID().uuidString.lowercased())", .get, token: token)
            #expect(r13.status == .notFound)
            let r14 = try await client.json("/api/v1/cases?limit=0", .get, token: token)
            #expect(r14.status == .unprocessableContent)
            let r15 = try await client.json("/api/v1/cases?stage=sleeping", .get, token: token)
            #expect(r15.status == .unprocessableContent)
            let r16 = try await client.json("/api/v1/cases?cursor=garbage!!", .get, token: token)
            #expect(r16.status == .unprocessableContent)
            let r17 = try harness.stores.intake.caseRecord(id: CaseID(caseID))
            #expect(r17?.stage == .received)
            let events = try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event")! }
            #expect(events == 0)
        }
    }
}
