import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Offer rounds: leads record them; the report shows offers made by channel, as counted, beside how
/// families heard of the service.
@Suite struct OfferRoundTests {
    static func round(_ date: String, _ channel: String, _ offers: Any, area: String = "shropshire", label: Any? = nil) -> [String: Any] {
        var body: [String: Any] = ["council_area": area, "date": date, "channel": channel, "offers_made": offers]
        if let label { body["label"] = label }
        return body
    }

    @Test func offersMadeInTheQuarterAreReportedByChannelAsCounted() async throws {
        let harness = try await ReleaseKindsAPITests.twoQuarters()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            for body in [Self.round("2025-04-14", "letter_from_the_council", 1200, label: "Spring letter to Year 7-11 parents"),
                         Self.round("2025-06-30", "letter_from_the_council", 300), Self.round("2025-05-02", "through_schools", 3),
                         Self.round("2025-07-01", "public_campaign", 50),                 // next quarter
                         Self.round("2025-05-02", "public_campaign", 80, area: "herefordshire")] {
                let r = try await client.json("/api/v1/offer-rounds", .post, token: token, body: body)
                #expect(r.status == .created, "\(r.text)")
            }
            let list = try await client.json("/api/v1/offer-rounds?council_area=shropshire", .get, token: token)
            #expect((list.json?["offer_rounds"] as? [[String: Any]])?.count == 4)
            #expect(try await ReleaseKindsAPITests.release(client, "2025-Q1", "quarter", token: token).status == .created)
        }
        let document = try #require(try await harness.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1")).document
        let tables = try #require((try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])?["tables"] as? [String: [String: Any]])
        let offers = try #require(tables["offers_by_channel"])
        #expect(offers["letter_from_the_council"] as? Int == 1500 && offers["through_schools"] as? Int == 3, "small counts of letters are shown")
        #expect(offers["public_campaign"] as? Int == 0 && offers["total"] as? Int == 1503)
        let label = try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'offer_round.add'")! }
        #expect(label == 5)
        #expect(!String(decoding: document, as: UTF8.self).contains("Spring letter"), "the label is never released")
    }

    @Test(arguments: [
        (#"{"date": "2099-01-01"}"#, "date", "invalid_date"), (#"{"date": "2025-02-30"}"#, "date", "invalid_date"),
        (#"{"offers_made": 0}"#, "offers_made", "out_of_range"), (#"{"offers_made": "many"}"#, "offers_made", "wrong_type"),
        (#"{"channel": "carrier_pigeon"}"#, "channel", "unknown_value"), (#"{"council_area": "atlantis"}"#, "council_area", "unknown_value"),
        (#"{"label": "tab\u0007bell"}"#, "label", "invalid_characters"),
        (#"{"label": "\#(String(repeating: "x", count: 201))"}"#, "label", "too_long"),
    ])
    func aBadRoundIsRefusedByNameAndStoresNothing(override: String, field: String, code: String) async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        var body = Self.round("2025-04-14", "through_schools", 10)
        body.merge(try JSONSerialization.jsonObject(with: Data(override.utf8)) as! [String: Any]) { $1 }
        let sent = Sample.json(body)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let r = try await client.execute(uri: "/api/v1/offer-rounds", method: .post,
                                             headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: sent)
            #expect(r.status == .unprocessableContent)
            let fields = (r.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
            #expect(fields.contains { $0["field"] == field && $0["code"] == code } || r.text.contains("\"\(field)"), "\(r.text)")
        }
        #expect(try await harness.stores.reports.offerRounds(councilArea: "shropshire").isEmpty)
    }

    @Test func onlyLeadsRecordOffersAndThePageWorksWithoutJavaScript() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        let council = try await harness.addStaff("c@example.org", role: .council)
        try await harness.app().test(.router) { client in
            for staff in [practitioner, council] {
                let r = try await client.json("/api/v1/offer-rounds", .post, token: try await client.signIn(staff),
                                              body: Self.round("2025-04-14", "through_schools", 10))
                #expect(r.status == .forbidden)
            }
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            let page = try await browser.get("/staff/offer-rounds?area=herefordshire")
            #expect(page.status == .ok && page.text.contains("Offers of help") && page.text.contains("None yet."))
            let posted = try await browser.post("/staff/offer-rounds", [("council_area", "herefordshire"), ("date", "2025-04-14"),
                                                                        ("channel", "letter_from_the_council"), ("offers_made", "640")])
            #expect(posted.status == .seeOther)
            let after = try await browser.get("/staff/offer-rounds?area=herefordshire&done=1")
            #expect(after.text.contains("The offer round has been recorded.") && after.text.contains("<td>640</td>"))
        }
        #expect(try await harness.stores.reports.offerRounds(councilArea: "herefordshire").count == 1)
        #expect(try await harness.stores.reports.offerRounds(councilArea: "shropshire").isEmpty)
    }
}
