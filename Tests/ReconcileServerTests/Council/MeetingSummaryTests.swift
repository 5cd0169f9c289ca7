import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// What the council learns of meetings: the released report's meeting tables, and one line on the summary page
/// made only from them (a hidden count is said as hidden).
@Suite struct MeetingSummaryTests {
    @Test func theCouncilSummarySaysHowManyMeetingsWereAskedForAndHeld() async throws {
        let harness = try Harness()
        try await CouncilAPITests.seed(harness, count: 23, canary: Sample.canary())
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        let cases = try await harness.database.reader.read { db in try String.fetchAll(db, sql: "SELECT id FROM referral_case ORDER BY id") }
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            // Twenty meetings asked for: ten with the school, ten with children's services; ten held.
            for (i, id) in cases.prefix(20).enumerated() {
                let asked = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token,
                                                  body: ["party": i % 2 == 0 ? "council_childrens_services" : "school_or_college"])
                let mid = try #require(asked.json?["id"] as? String)
                if i < 10 {
                    let held = try await client.json("/api/v1/cases/\(id)/meetings/\(mid)", .patch, token: token,
                                                     body: ["status": "held", "held_on": "2026-01-05", "helped": 4])
                    #expect(held.status == .ok)
                }
            }
            // Asked for in the first quarter of 2025 (the API records the moment it is called).
            try await harness.database.writer.write { db in
                try db.execute(sql: "UPDATE case_meeting SET requested_at = ?", arguments: [ReportDates.may2025])
            }
            let released = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: token, body: ["council_area": "shropshire"])
            #expect(released.status == .created)
            let stored = try #require(try await harness.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1"))
            let tables = try #require((try JSONSerialization.jsonObject(with: Data(stored.document)) as? [String: Any])?["tables"] as? [String: [String: Any]])
            #expect(tables["meetings_by_party"]?["school_or_college"] as? Int == 10 && tables["meetings_by_party"]?["total"] as? Int == 20)
            #expect(tables["meetings_by_party"]?["council_education"] as? Int == 0)
            #expect(tables["meetings_by_outcome"]?["held"] as? Int == 10 && tables["meetings_by_outcome"]?["requested"] as? Int == 10)
            #expect(tables["meeting_helped"]?["4"] as? Int == 10 && tables["meeting_helped"]?["total"] as? Int == 10)

            var council = PageBrowser(client: client)
            _ = try await council.signIn(officer, at: "/council/sign-in")
            let summary = try await council.get("/council/summary")
            #expect(summary.text.contains("Families asked for 20 meetings with a school, college or the council in 2025-Q1; the other side agreed and the meeting was held 10 times."))
            let csv = try await council.get("/council/reports/2025-Q1/report.csv")
            #expect(csv.text.contains("meetings_by_outcome,") && csv.text.contains("Meetings held: did it help?"))
        }
    }
}

enum ReportDates {
    static let may2025 = ISO8601DateFormatter().date(from: "2025-05-10T10:00:00Z") ?? Date(timeIntervalSince1970: 0)
}
