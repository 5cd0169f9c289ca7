import Foundation
import Hummingbird
import HummingbirdTesting
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileServer

/// A lead releases a quarter from the themes page; the council officer of that area, and only that area,
/// reads it as a page with tables and charts and downloads it.
@Suite struct CouncilPagesTests {
    @Test func aReleasedReportIsReadOnlyByItsOwnArea() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await CouncilAPITests.seed(harness, count: 23, canary: canary)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        let neighbour = try await harness.addStaff("officer@hereford.example", role: .council, area: "herefordshire")
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            var leadBrowser = PageBrowser(client: client)
            _ = try await leadBrowser.signIn(lead)
            let themes = try await leadBrowser.get("/staff/themes?quarter=2025-Q1&area=shropshire")
            #expect(themes.status == .ok && themes.text.contains("Release 2025-Q1 for Shropshire"))
            let theme = try await leadBrowser.post("/staff/themes", [("quarter", "2025-Q1"), ("council_area", "shropshire"),
                                                                     ("text", "Schools asked for clearer guidance on online harm.")])
            #expect(theme.status == .seeOther)
            let released = try await leadBrowser.post("/staff/reports/release", [("quarter", "2025-Q1"), ("council_area", "shropshire")])
            #expect(released.status == .seeOther && released.headers[.location]?.contains("done=release") == true)
            let again = try await leadBrowser.post("/staff/reports/release", [("quarter", "2025-Q1"), ("council_area", "shropshire")])
            #expect(again.status == .conflict && again.text.contains("already been released"))

            var council = PageBrowser(client: client)
            let before = try await council.get("/council")
            #expect(before.status == .seeOther && before.headers[.location] == "/council/sign-in")
            _ = try await council.signIn(officer, at: "/council/sign-in")
            let list = try await council.get("/council")
            #expect(list.status == .ok && list.text.contains("/council/reports/2025-Q1"))
            let page = try await council.get("/council/reports/2025-Q1")
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg") && page.text.contains("<table") && page.text.contains("id=\"note-suppressed\""))
            #expect(page.text.contains("clearer guidance on online harm"))
            #expect(!page.text.contains(canary), "nothing personal reaches the council")
            #expect(!page.text.contains("style="), "the CSP forbids inline style")
            #expect(page.headers[.contentSecurityPolicy] != nil && page.headers[.cacheControl] == "no-store")
            let json = try await council.get("/council/reports/2025-Q1/report.json")
            let stored = try #require(try await harness.database.releasedReport(councilArea: "shropshire", quarter: "2025-Q1"))
            #expect(json.status == .ok && Array(buffer: json.body) == stored.document)
            #expect(json.headers[.contentDisposition]?.contains("attachment") == true)
            let csv = try await council.get("/council/reports/2025-Q1/report.csv")
            #expect(csv.status == .ok && csv.text.hasPrefix("section,item,value"))
            let signature = try await council.get("/council/reports/2025-Q1/report.sig")
            #expect(signature.text.trimmingCharacters(in: .whitespacesAndNewlines) == stored.signature)
            let caseList = try await council.get("/staff/cases")
            #expect(caseList.status == .forbidden)

            var other = PageBrowser(client: client)
            _ = try await other.signIn(neighbour, at: "/council/sign-in")
            let otherList = try await other.get("/council")
            #expect(otherList.status == .ok && !otherList.text.contains("/council/reports/2025-Q1"))
            let otherPage = try await other.get("/council/reports/2025-Q1")
            #expect(otherPage.status == .notFound && !otherPage.text.contains("<svg"))
            let otherJSON = try await other.get("/council/reports/2025-Q1/report.json")
            #expect(otherJSON.status == .notFound)

            var practitioner = PageBrowser(client: client)
            _ = try await practitioner.signIn(pat)
            let staffOnCouncil = try await practitioner.get("/council/reports/2025-Q1")
            #expect(staffOnCouncil.status == .forbidden)
        }
    }

    @Test func suppressedCellsLinkToTheFootnote() {
        let html = "<html><body><main><table><tr><td>c</td><td>12</td></tr></table></main></body></html>"
        let body = CouncilPagesController.body(of: html, marker: "c")
        #expect(!body.contains("<main>") && body.contains("class=\"suppressed\">c<a class=\"note-ref\" href=\"#note-suppressed\""))
        #expect(body.contains("<td>12</td>"))
    }
}
