import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer
@testable import ReconcileStore

/// The records check through both doors: leads only, every view audited, the audit note's canary nowhere but the
/// note itself, and many first views at once drawing one sample.
@Suite struct RecordsCheckAPITests {
    static func count(_ harness: Harness, _ sql: String) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: sql)! }
    }

    @Test func onlyLeadsAndEveryViewIsAuditedAndTheNoteStaysInItsPlace() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        let council = try await harness.addStaff("officer@example.org", role: .council)
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness)
            let token = try await client.signIn(lead)
            #expect(try await client.json("/api/v1/cases/\(caseID)/assign", .post, token: token, body: ["practitioner": "pat@example.org"]).status == .ok)
            for who in [pat, admin, council] {
                let t = try await client.signIn(who)
                #expect(try await client.json("/api/v1/records-check", .get, token: t).status == .forbidden, "\(who.role)")
            }
            #expect(try await client.json("/api/v1/records-check", .get).status == .unauthorized)
            #expect(try await Self.count(harness, "SELECT COUNT(*) FROM audit_log WHERE action = 'records_check.read'") == 0)

            let first = try await client.json("/api/v1/records-check", .get, token: token)
            #expect(first.status == .ok)
            let sample = try #require(first.json?["sample"] as? [String: Any])
            let cases = try #require(sample["cases"] as? [[String: Any]])
            #expect(cases.count == 1 && cases[0]["case_id"] as? String == caseID && cases[0]["practitioner"] as? String == "pat@example.org")
            let sid = try #require(cases[0]["id"] as? String)

            let canary = Sample.canary() + "-AUDITNOTE"
            let path = "/api/v1/records-check/sample/\(sid)/review"
            #expect(try await client.json(path, .post, token: token, body: [:]).status == .unprocessableContent)
            let tooLong = try await client.json(path, .post, token: token, body: ["note": canary + String(repeating: "x", count: 10_001)])
            #expect(tooLong.status == .unprocessableContent && !tooLong.text.contains(canary), "an error body never echoes the note")
            let wrongID = try await client.json("/api/v1/records-check/sample/\(UUID().uuidString.lowercased())/review", .post, token: token, body: ["note": canary])
            #expect(wrongID.status == .notFound && !wrongID.text.contains(canary))
            #expect(try await client.json(path, .post, token: token, body: ["note": "Sound record. \(canary)"]).status == .noContent)

            let again = try await client.json("/api/v1/records-check", .get, token: token)
            let seen = try #require((again.json?["sample"] as? [String: Any])?["cases"] as? [[String: Any]])
            #expect(seen[0]["audit_note"] as? String == "Sound record. \(canary)" && seen[0]["reviewed"] as? Bool == true)
            #expect(again.text.components(separatedBy: canary).count == 2, "the canary appears once: in the note itself")
            #expect((again.json?["incomplete"] as? [[String: Any]])?.isEmpty == true)

            // The page shows it too, in the note's box only, and is audited like the API.
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            let page = try await browser.get("/staff/records-check")
            #expect(page.status == .ok && page.text.contains("Records check") && page.text.contains("/staff/cases/\(caseID)"))
            #expect(page.text.components(separatedBy: canary).count == 2)
            let posted = try await browser.post("/staff/records-check/sample/\(sid)/review", [("note", "Checked again \(canary)")])
            #expect(posted.status == .seeOther)
            let noToken = try await browser.post("/staff/records-check/sample/\(sid)/review", [("note", "forged")], token: "bogus")
            #expect(noToken.status == .forbidden)
            #expect(try await Self.count(harness, "SELECT COUNT(*) FROM audit_log WHERE action = 'records_check.read'") == 3)
            #expect(try await Self.count(harness, "SELECT COUNT(*) FROM audit_log WHERE action = 'records_check.review'") == 2)

            #expect(!harness.logs.text.contains(canary), "the logs never hold the audit note")
            let auditText = try await harness.database.reader.read { db in
                try String.fetchAll(db, sql: "SELECT coalesce(detail, '') FROM audit_log").joined()
            }
            #expect(!auditText.contains(canary))
        }
    }

    @Test func manyFirstViewsAtOnceDrawOneSample() async throws {
        let dir = try TemporaryDirectory()
        let harness = try Harness(database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            for _ in 0..<8 {
                let id = try await client.newCase(harness)
                _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": "pat@example.org"])
            }
            let answers = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        let r = try await client.json("/api/v1/records-check", .get, token: token)
                        return ((r.json?["sample"] as? [String: Any])?["cases"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
                    }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            #expect(Set(answers).count == 1 && answers[0].count == 5, "one sample of five of the eight, the same for every request")
            #expect(try await Self.count(harness, "SELECT COUNT(*) FROM records_sample_draw") == 1)
            #expect(try await Self.count(harness, "SELECT COUNT(*) FROM records_sample_case") == 5)
            #expect(try await Self.count(harness, "SELECT COUNT(*) FROM audit_log WHERE action = 'records_check.read'") == 24)
        }
    }
}
