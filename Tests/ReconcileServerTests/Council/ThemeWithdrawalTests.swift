import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A theme that names a family stops its quarter's release; a lead must be able to withdraw it, through the API
/// and from the themes page, and no one else may.
@Suite struct ThemeWithdrawalTests {
    /// Shropshire cases in 2025-Q1 and a theme that quotes one family's email.
    static func refusedQuarter() async throws -> (Harness, canary: String) {
        let harness = try Harness()
        try await ReleaseKindsAPITests.seed(harness, 14, month: 5)
        let canary = Sample.canary()
        var referral = Sample.storeReferral(canary: canary)
        referral.councilArea = "shropshire"
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        _ = try await harness.stores.intake.createCase(referral, reference: ReferenceGenerator.generate(), passphraseHash: "x",
                                                  receivedAt: calendar.date(from: DateComponents(year: 2025, month: 5, day: 3, hour: 9))!)
        return (harness, canary)
    }

    static func themeCount(_ harness: Harness) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lessons_theme")! }
    }

    @Test func aLeadWithdrawsARefusedThemeAndTheQuarterGoesOut() async throws {
        let (harness, canary) = try await Self.refusedQuarter()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let theme = try await client.json("/api/v1/themes", .post, token: token, body: [
                "quarter": "2025-Q1", "council_area": "shropshire", "text": "A parent (\(canary.lowercased())@example.org) asked for calls after six."])
            #expect(theme.status == .created)
            let id = try #require(theme.json?["id"] as? String)
            let refused = try await ReleaseKindsAPITests.release(client, "2025-Q1", nil, token: token)
            #expect(refused.status == .conflict, "\(refused.status)")
            #expect(!refused.text.contains(canary) && !refused.text.lowercased().contains(canary.lowercased()))

            // Not a practitioner's to withdraw: refused, and the theme stays.
            let other = try await client.signIn(practitioner)
            #expect(try await client.json("/api/v1/themes/\(id)", .delete, token: other).status == .forbidden)
            #expect(try await Self.themeCount(harness) == 1)

            #expect(try await client.json("/api/v1/themes/\(id)", .delete, token: token).status == .noContent)
            #expect(try await client.json("/api/v1/themes/\(id)", .delete, token: token).status == .notFound)
            #expect(try await client.json("/api/v1/themes/not-a-theme", .delete, token: token).status == .notFound)
            #expect(try await Self.themeCount(harness) == 0)
            let audit = try await harness.database.reader.read { db in
                try String.fetchAll(db, sql: "SELECT detail FROM audit_log WHERE action = 'theme.remove'")
            }
            #expect(audit.count == 1 && audit[0].contains("theme=\(id)") && !audit[0].lowercased().contains(canary.lowercased()))

            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q1", nil, token: token).status == .created)
        }
    }

    @Test func theThemesPageWithdrawsATheme() async throws {
        let (harness, _) = try await Self.refusedQuarter()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            _ = try await browser.get("/staff/themes?quarter=2025-Q1&area=shropshire")
            let added = try await browser.post("/staff/themes", [("quarter", "2025-Q1"), ("council_area", "shropshire"),
                                                                  ("text", "Families wanted calls after school hours.")])
            #expect(added.status == .seeOther)
            let page = try await browser.get("/staff/themes?quarter=2025-Q1&area=shropshire")
            let id = try #require(try await harness.stores.reports.themes(quarter: Quarter("2025-Q1")!, councilArea: "shropshire").first?.id)
            #expect(page.text.contains("/staff/themes/\(id)/withdraw"))
            let fields = [("quarter", "2025-Q1"), ("council_area", "shropshire")]

            // A form without this session's token (another site's, or a stale one) withdraws nothing.
            let forged = try await browser.post("/staff/themes/\(id)/withdraw", fields, token: "forged")
            #expect(forged.status == .forbidden)
            #expect(try await Self.themeCount(harness) == 1)

            let withdrawn = try await browser.post("/staff/themes/\(id)/withdraw", fields)
            #expect(withdrawn.status == .seeOther && withdrawn.headers[.location]?.contains("done=withdrawn") == true)
            let after = try await browser.get(withdrawn.headers[.location]!)
            #expect(after.text.contains("Theme withdrawn.") && !after.text.contains("Families wanted calls"))
            #expect(try await Self.themeCount(harness) == 0)
            #expect(try await browser.post("/staff/themes/\(id)/withdraw", fields).status == .notFound)
        }
    }
}
