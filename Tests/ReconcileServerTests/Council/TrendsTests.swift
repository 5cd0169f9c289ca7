import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Trends for the council are built only from released reports: what was not released, or was
/// suppressed, never shows; a correction replaces its quarter; a year to date is not a quarter.
@Suite struct TrendsTests {
    static func points(_ response: TestResponse) -> [[String: Any]] { response.json?["points"] as? [[String: Any]] ?? [] }

    @Test func aTrendShowsOnlyWhatWasReleased() async throws {
        let harness = try await ReleaseKindsAPITests.twoQuarters()   // 14 in 2025-Q1, 12 in 2025-Q2, shropshire
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        let neighbour = try await harness.addStaff("officer@hereford.example", role: .council, area: "herefordshire")
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let (officerToken, neighbourToken) = (try await client.signIn(officer), try await client.signIn(neighbour))
            let none = try await client.json("/api/v1/council/trends", .get, token: officerToken)
            #expect(none.status == .ok && Self.points(none).isEmpty, "nothing released, nothing shown")

            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q1", "quarter", token: token).status == .created)
            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q2", "quarter", token: token).status == .created)
            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q2", "year_to_date", token: token).status == .created)
            // Later data that no release carries: six more Q1 referrals, and a Q3 that is not over (so not released).
            try await ReleaseKindsAPITests.seed(harness, 6, month: 6)
            try await ReleaseKindsAPITests.seed(harness, 9, month: 11)

            let trend = try await client.json("/api/v1/council/trends?figure=referrals_received", .get, token: officerToken)
            #expect(trend.status == .ok)
            let points = Self.points(trend)
            #expect(points.count == 8 && points.last?["quarter"] as? String == "2025-Q2", "eight quarters ending at the latest release")
            #expect(points.map { $0["value"] as? Int } == [nil, nil, nil, nil, nil, nil, 14, 12],
                    "the released figures, not the data as it is now (20 in Q1) nor the year to date (26)")
            #expect(points.allSatisfy { $0["change"] == nil || $0["change"] is NSNull }, "no year before to compare with")

            // A correction replaces its quarter in the trend.
            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q1", "correction", token: token).status == .created)
            let corrected = Self.points(try await client.json("/api/v1/council/trends", .get, token: officerToken))
            #expect(corrected.map { $0["value"] as? Int }.suffix(2) == [20, 12])

            // The neighbouring area's officer sees their own area, where nothing was released.
            let theirs = try await client.json("/api/v1/council/trends", .get, token: neighbourToken)
            #expect(theirs.status == .ok && Self.points(theirs).isEmpty)
            // Staff are not council officers.
            #expect(try await client.json("/api/v1/council/trends", .get, token: token).status == .forbidden)
        }
    }

    /// A suppressed count is the marker in the trend and its CSV, and is never differenced.
    @Test func aSuppressedCountStaysHiddenInTheTrendAndItsCSV() async throws {
        let harness = try await ReleaseKindsAPITests.twoQuarters()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            // Two referrals about something that happened online: a count of 2, which the release must hide.
            for _ in 0..<2 {
                var referral = Sample.storeReferral(canary: Sample.canary())
                (referral.councilArea, referral.setting) = ("shropshire", .online)
                _ = try await harness.stores.intake.createCase(referral, reference: ReferenceGenerator.generate(), passphraseHash: "x",
                                                          receivedAt: ISO8601DateFormatter().date(from: "2025-05-20T10:00:00Z")!)
            }
            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q1", "quarter", token: token).status == .created)
            let officerToken = try await client.signIn(officer)
            let document = try #require(try await harness.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1")).document
            let released = try ReportContent(document: document)
            let suppressed = try #require(released.tables.flatMap { t in t.cells.map { (t.name, $0.category, $0.value) } }
                .first { $0.2 == .suppressed }, "the release suppressed something to test with")
            let figure = "\(suppressed.0).\(suppressed.1)"
            let trend = try await client.json("/api/v1/council/trends?figure=\(figure)", .get, token: officerToken)
            #expect(Self.points(trend).last?["value"] as? String == "c")
            let csv = try await client.execute(uri: "/api/v1/council/trends?figure=\(figure)&format=csv", method: .get,
                                               headers: [.authorization: "Bearer \(officerToken)"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("quarter,value,same_quarter_year_before,change\r\n") && csv.text.contains("\r\n2025-Q1,c,,\r\n"))
        }
    }

    @Test func anUnknownFigureIsRefusedByName() async throws {
        let harness = try Harness()
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(officer)
            for figure in ["story", "referrals_by_setting.atlantis", "contact_email", "referrals_by_setting"] {
                let response = try await client.json("/api/v1/council/trends?figure=\(figure)", .get, token: token)
                #expect(response.status == .unprocessableContent && response.text.contains("\"figure\""), "\(figure)")
            }
            let format = try await client.json("/api/v1/council/trends?format=pdf", .get, token: token)
            #expect(format.status == .unprocessableContent)
        }
    }
}
