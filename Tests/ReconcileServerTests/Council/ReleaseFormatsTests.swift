import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
import ReconcileStore
import Testing
@testable import ReconcileServer

/// The release as a council's analysts and a lead expect it: a preview before release, the spreadsheet and the
/// PEM key, every release open to leads, council pages in the council's own chrome, and bad input refused plainly.
@Suite struct ReleaseFormatsTests {
    @Test func aLeadPreviewsReleasesAndOpensEveryAreasReports() async throws {
        let harness = try Harness()
        try await CouncilAPITests.seed(harness, count: 23, canary: Sample.canary())
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            let (token, pToken, oToken) = (try await client.signIn(lead), try await client.signIn(practitioner), try await client.signIn(officer))

            let preview = try await client.json("/api/v1/reports/2025-Q1/preview?council_area=shropshire", .get, token: token)
            #expect(preview.status == .ok)
            let document = try #require(preview.json?["document"] as? [String: Any])
            #expect(document["council_area"] as? String == "shropshire" && preview.json?["hidden_beyond_threshold"] is [Any])
            #expect(try await harness.stores.reports.releasedReports(councilArea: "shropshire").isEmpty, "a preview releases nothing")
            // Bad input by the API: an unknown or missing area, a bad kind, a bad quarter: 422 naming the field.
            for (uri, field) in [("/api/v1/reports/2025-Q1/preview?council_area=atlantis", "council_area"),
                                 ("/api/v1/reports/2025-Q1/preview", "council_area"),
                                 ("/api/v1/reports/2025-Q1/preview?council_area=shropshire&kind=monthly", "kind"),
                                 ("/api/v1/reports/2025-Q9/preview?council_area=shropshire", "quarter")] {
                let bad = try await client.json(uri, .get, token: token)
                #expect(bad.status == .unprocessableContent, "\(uri)")
                #expect(((bad.json?["error"] as? [String: Any])?["fields"] as? [[String: String]])?.first?["field"] == field, "\(uri)")
            }
            #expect(try await client.json("/api/v1/reports/2025-Q1/preview?council_area=shropshire", .get, token: pToken).status == .forbidden)
            #expect(try await client.json("/api/v1/reports/2025-Q1/preview?council_area=shropshire", .get, token: oToken).status == .forbidden)

            // Many previews and downloads at once beside one release: one release, and every preview the same figures.
            let previews = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<8 {
                    group.addTask { Array(try await client.json("/api/v1/reports/2025-Q1/preview?council_area=shropshire", .get, token: token).body.readableBytesView) }
                }
                return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
            }
            #expect(previews.count == 8)
            let released = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: token, body: ["council_area": "shropshire"])
            #expect(released.status == .created)
            let stored = try #require(try await harness.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1"))
            let shown = try #require(try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
            var signedObject = try #require(try JSONSerialization.jsonObject(with: Data(stored.document)) as? [String: Any])
            signedObject["generated_at"] = document["generated_at"]
            #expect(try JSONSerialization.data(withJSONObject: signedObject, options: [.sortedKeys]) == shown, "release signs what the preview showed")

            let again = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: token, body: ["council_area": "shropshire"])
            #expect(again.status == .conflict && again.text.contains("released for Shropshire") && !again.text.contains("for shropshire"))

            // The lead opens it, as any format; a wrong format is 400 with the list.
            let list = try await client.json("/api/v1/reports", .get, token: token)
            #expect((list.json?["reports"] as? [[String: Any]])?.first?["council_area"] as? String == "shropshire")
            let asJSON = try await client.json("/api/v1/reports/2025-Q1?council_area=shropshire", .get, token: token)
            #expect(Array(asJSON.body.readableBytesView) == stored.document)
            let ods = try await client.json("/api/v1/reports/2025-Q1?council_area=shropshire&format=ods", .get, token: token)
            #expect(ods.status == .ok && ods.headers[.contentType] == "application/vnd.oasis.opendocument.spreadsheet")
            #expect(Array(ods.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            for format in ["xlsx", "", "JSON", "ods%00"] {
                let bad = try await client.json("/api/v1/council/reports/2025-Q1?format=\(format)", .get, token: oToken)
                #expect(bad.status == .badRequest && bad.text.contains("json, csv, html, ods"), "format \(format)")
            }
            let officerODS = try await client.json("/api/v1/council/reports/2025-Q1?format=ods", .get, token: oToken)
            #expect(officerODS.status == .ok && officerODS.headers[.contentDisposition]?.contains("reconcile-shropshire-2025-Q1.ods") == true)
            #expect(Array(officerODS.body.readableBytesView) == Array(ods.body.readableBytesView), "one spreadsheet for the lead and the council")
            #expect(try await client.json("/api/v1/reports/2025-Q1?council_area=shropshire", .get, token: oToken).status == .forbidden)

            let pem = try await client.execute(uri: "/api/v1/council/public-key?format=pem", method: .get)
            #expect(pem.status == .ok && pem.text.hasPrefix("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA") && pem.text.hasSuffix("-----END PUBLIC KEY-----\n"))
            let raw = try await client.execute(uri: "/api/v1/council/public-key", method: .get).text
            let der = try #require(Data(base64Encoded: String(pem.text.split(separator: "\n")[1])))
            let rawLine: String = Data(der.suffix(32)).base64EncodedString() + "\n"
            #expect(rawLine == raw, "the PEM holds the same key")
            #expect(try await client.execute(uri: "/api/v1/council/public-key?format=der", method: .get).status == .badRequest)
        }
    }

    @Test func thePagesPreviewThenReleaseAndTheCouncilHasItsOwnChrome() async throws {
        let harness = try Harness()
        try await CouncilAPITests.seed(harness, count: 23, canary: Sample.canary())
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            let themes = try await browser.get("/staff/themes?quarter=2025-Q1&area=shropshire")
            #expect(themes.text.contains("action=\"/staff/reports/preview\"") && !themes.text.contains("action=\"/staff/reports/release\""))
            #expect(themes.text.contains("Reports due") && themes.text.contains("for Shropshire: due"))
            let preview = try await browser.get("/staff/reports/preview?quarter=2025-Q1&council_area=shropshire&kind=quarter")
            #expect(preview.status == .ok && preview.text.contains("Preview, not released.") && preview.text.contains("<svg"))
            #expect(preview.text.contains("action=\"/staff/reports/release\""))
            let unknown = try await browser.get("/staff/reports/preview?quarter=2025-Q1&council_area=atlantis")
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("council_area"))
            let released = try await browser.post("/staff/reports/release", [("quarter", "2025-Q1"), ("council_area", "shropshire"), ("kind", "quarter")])
            #expect(released.status == .seeOther)
            let listed = try await browser.get("/staff/themes?quarter=2025-Q1&area=shropshire")
            #expect(listed.text.contains("href=\"/staff/reports/shropshire/2025-Q1?kind=quarter\""))
            let opened = try await browser.get("/staff/reports/shropshire/2025-Q1?kind=quarter")
            #expect(opened.status == .ok && opened.text.contains("report.ods?kind=quarter"))
            let ods = try await browser.get("/staff/reports/shropshire/2025-Q1/report.ods?kind=quarter")
            #expect(ods.status == .ok && ods.headers[.contentType] == ReportDownloads.odsType)

            var council = PageBrowser(client: client)
            _ = try await council.signIn(officer, at: "/council/sign-in")
            for path in ["/council", "/council/reports/2025-Q1", "/council/trends", "/council/summary"] {
                let page = try await council.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains("Reconciliation service: reports for the council") && !page.text.contains("Reconcile staff"), "\(path)")
                #expect(!page.text.contains("audit log"), "\(path): no staff audit footer")
            }
            let report = try await council.get("/council/reports/2025-Q1")
            #expect(report.text.contains("openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in report.json -sigfile report.sig"))
            #expect(report.text.contains("/council/reports/2025-Q1/report.ods") && !report.text.contains("reconcile report verify"))
            let sheet = try await council.get("/council/reports/2025-Q1/report.ods")
            #expect(sheet.status == .ok && sheet.headers[.contentDisposition]?.contains(".ods") == true)
            let trends = try await council.get("/council/trends")
            #expect(trends.text.contains("<optgroup label=\"Headline figures\">") && trends.text.contains("<optgroup label=\"Level of need at first assessment\">"))
            #expect(trends.text.contains(">Level 4: Acute or specialist (statutory)</option>"), "Shropshire's own words")
        }
    }
}
