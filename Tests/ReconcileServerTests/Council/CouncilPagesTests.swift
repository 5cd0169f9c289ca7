import Foundation
import Hummingbird
import RouterTesting
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
            #expect(themes.status == .ok && themes.text.contains("Preview, then release a report for Shropshire, 2025-Q1"))
            let theme = try await leadBrowser.post("/staff/themes", [("quarter", "2025-Q1"), ("council_area", "shropshire"),
                                                                     ("text", "Schools asked for clearer guidance on online harm.")])
            #expect(theme.status == .seeOther)
            let released = try await leadBrowser.post("/staff/reports/release", [("quarter", "2025-Q1"), ("council_area", "shropshire")])
            #expect(released.status == .seeOther && released.headers[.location]?.contains("done=release") == true)
            let again = try await leadBrowser.post("/staff/reports/release", [("quarter", "2025-Q1"), ("council_area", "shropshire")])
            #expect(again.status == .conflict && again.text.contains("already been released"))
            #expect(again.text.contains("The report was not released"), "a refusal is shown on the release page, not an error page")

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
            let stored = try #require(try await harness.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1"))
            #expect(json.status == .ok && Array(buffer: json.body) == stored.document)
            #expect(json.headers[.contentDisposition]?.contains("attachment") == true)
            let csv = try await council.get("/council/reports/2025-Q1/report.csv")
            #expect(csv.status == .ok && csv.text.hasPrefix("table,table_title,category,category_label,value"))
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

    /// The kind choice works without JavaScript (plain radios in the form); a refusal comes back on the same page
    /// with the choice kept; the council lists and opens corrections and years to date named in plain words.
    @Test func correctionsAndYearsToDateAreReleasedFromThePageAndOpenedByTheCouncil() async throws {
        let harness = try await ReleaseKindsAPITests.twoQuarters()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            let page = try await browser.get("/staff/themes?quarter=2025-Q2&area=shropshire")
            for radio in [#"type="radio" id="kind-quarter" name="kind" value="quarter""#, #"id="kind-correction" name="kind" value="correction""#,
                          #"id="kind-year_to_date" name="kind" value="year_to_date""#] {
                #expect(page.text.contains(radio), "\(radio)")
            }
            #expect(page.text.contains("2025-Q2, July to September 2025") && page.text.contains("Correction of 2025-Q2")
                    && page.text.contains("Year to date, April to September 2025"))
            #expect(!page.text.contains("<script"), "the form needs no JavaScript")

            func release(_ quarter: String, _ kind: String) async throws -> TestResponse {
                _ = try await browser.get("/staff/themes?quarter=\(quarter)&area=shropshire")
                return try await browser.post("/staff/reports/release", [("quarter", quarter), ("council_area", "shropshire"), ("kind", kind)])
            }
            let before = try await ReleaseKindsAPITests.footprint(harness)
            let refused = try await release("2025-Q1", "correction")
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("The report was not released") && refused.text.contains("nothing to correct"))
            #expect(refused.text.contains(#"value="correction" aria-describedby="kind-correction-hint" checked"#), "the choice is kept")
            #expect(refused.text.contains(#"action="/staff/reports/preview""#), "the same page, with its form (preview, then release)")
            let after = try await ReleaseKindsAPITests.footprint(harness)
            #expect(after == before)
            let unknown = try await release("2025-Q1", "weekly")
            #expect(unknown.status == .unprocessableContent)
            // Without a CSRF token nothing is released.
            let forged = try await browser.post("/staff/reports/release", [("quarter", "2025-Q1"), ("council_area", "shropshire"), ("kind", "quarter")],
                                                token: "forged")
            #expect(forged.status == .forbidden)
            let unchanged = try await ReleaseKindsAPITests.footprint(harness)
            #expect(unchanged == before)

            for (quarter, kind) in [("2025-Q1", "quarter"), ("2025-Q2", "quarter"), ("2025-Q1", "correction"), ("2025-Q1", "correction"),
                                    ("2025-Q2", "year_to_date")] {
                let r = try await release(quarter, kind)
                #expect(r.status == .seeOther && r.headers[.location]?.contains("done=release") == true, "\(quarter) \(kind) → \(r.status)")
            }
            let listed = try await browser.get("/staff/themes?quarter=2025-Q2&area=shropshire")
            #expect(listed.text.contains(">Year to date, April to September 2025<span") && listed.text.contains(">Correction of 2025-Q1<span"))

            var council = PageBrowser(client: client)
            _ = try await council.signIn(officer, at: "/council/sign-in")
            let list = try await council.get("/council")
            #expect(list.text.contains(#"<a href="/council/reports/2025-Q2?kind=year_to_date">Year to date, April to September 2025</a>"#))
            #expect(list.text.contains(#"<a href="/council/reports/2025-Q1?kind=correction">Correction of 2025-Q1</a> (April to June 2025)"#))
            #expect(list.text.contains("Correction of 2025-Q1 (April to June 2025), released") && list.text.contains("replaced by a later correction"),
                    "the older correction is listed, unlinked")
            #expect(list.text.contains(#"<a href="/council/reports/2025-Q1?kind=quarter">2025-Q1</a> (April to June 2025)"#)
                    && list.text.contains("first release, since replaced by a correction"))

            let ledger = try await harness.stores.reports.ledgerReleases(councilArea: "shropshire")
            for (query, index) in [("2025-Q2?kind=year_to_date", 4), ("2025-Q1?kind=correction", 3), ("2025-Q1", 3), ("2025-Q1?kind=quarter", 0)] {
                let parts = query.split(separator: "?")
                let base = "/council/reports/\(parts[0])", suffix = parts.count > 1 ? "?" + parts[1] : ""
                let opened = try await council.get(base + suffix)
                #expect(opened.status == .ok && opened.text.contains("<svg"), "\(query)")
                let json = try await council.get(base + "/report.json" + suffix)
                #expect(Array(buffer: json.body) == ledger[index].document, "\(query) serves that release's signed bytes")
                let kind = ledger[index].summary.kind
                #expect(opened.text.contains(#"href="\#(base)/report.json?kind=\#(kind)""#), "\(query): downloads of the same release")
            }
            let ytd = try await council.get("/council/reports/2025-Q2?kind=year_to_date")
            #expect(ytd.text.contains("Year to date, April to September 2025, released"))
            let first = try await council.get("/council/reports/2025-Q1?kind=quarter")
            #expect(first.text.contains("A correction has since replaced them") && first.text.contains(#"href="/council/reports/2025-Q1?kind=correction""#))
            let sig = try await council.get("/council/reports/2025-Q2/report.sig?kind=year_to_date")
            #expect(sig.headers[.contentDisposition]?.contains("reconcile-shropshire-2025-Q2-year-to-date.json.sig") == true)
            #expect(try await council.get("/council/reports/2025-Q2?kind=correction").status == .notFound)
            #expect(try await council.get("/council/reports/2025-Q2?kind=weekly").status == .unprocessableContent)
        }
    }

    @Test func suppressedCellsLinkToTheFootnote() {
        let html = "<html><body><main><table><tr><td>c</td><td>12</td></tr></table></main></body></html>"
        let body = CouncilPagesController.body(of: html, marker: "c")
        #expect(!body.contains("<main>") && body.contains("class=\"suppressed\">c<a class=\"note-ref\" href=\"#note-suppressed\""))
        #expect(body.contains("<td>12</td>"))
    }
}
