import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
import ReconcileStore
import Testing
@testable import ReconcileServer

/// Stage 5: a lead releases a quarter; a council officer of that area, and only that area, reads and verifies it.
@Suite struct CouncilAPITests {
    /// Cases received in 2025-Q1 (April–June 2025) in shropshire, with planted personal values.
    static func seed(_ harness: Harness, count: Int, canary: String) async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        for i in 0..<count {
            var referral = Sample.storeReferral(canary: "\(canary)\(i)")
            referral.councilArea = "shropshire"
            let received = calendar.date(from: DateComponents(year: 2025, month: 4 + i % 3, day: 1 + i % 27, hour: 10))!
            _ = try await harness.stores.intake.createCase(referral, reference: ReferenceGenerator.generate(), passphraseHash: "x",
                                                receivedAt: received)
        }
    }

    @Test func aReleasedReportReachesOnlyItsOwnAreaAndVerifies() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await Self.seed(harness, count: 23, canary: canary)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        let neighbour = try await harness.addStaff("officer@hereford.example", role: .council, area: "herefordshire")
        try await harness.app().test(.router) { client in
            let (leadToken, pToken) = (try await client.signIn(lead), try await client.signIn(practitioner))
            let (officerToken, neighbourToken) = (try await client.signIn(officer), try await client.signIn(neighbour))

            let r201 = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: pToken, body: ["council_area": "shropshire"])
            #expect(r201.status == .forbidden)
            let r202 = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: officerToken, body: ["council_area": "shropshire"])
            #expect(r202.status == .forbidden)
            #expect(try await client.json("/api/v1/themes", .post, token: officerToken,
                                          body: ["quarter": "2025-Q1", "council_area": "shropshire", "text": "x"]).status == .forbidden)
            let theme = try await client.json("/api/v1/themes", .post, token: leadToken,
                                              body: ["quarter": "2025-Q1", "council_area": "shropshire", "text": "Families wanted earlier contact from schools."])
            #expect(theme.status == .created)
            let released = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: leadToken, body: ["council_area": "shropshire"])
            #expect(released.status == .created)
            let again = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: leadToken, body: ["council_area": "shropshire"])
            #expect(again.status == .conflict, "a quarter is released once; later changes are corrections")

            // The lead and the practitioner do not read council routes; the council reads nothing else.
            let r203 = try await client.json("/api/v1/council/reports", .get, token: leadToken)
            #expect(r203.status == .forbidden)
            let r204 = try await client.json("/api/v1/cases", .get, token: officerToken)
            #expect(r204.status == .forbidden)

            let list = try await client.json("/api/v1/council/reports", .get, token: officerToken)
            #expect((list.json?["reports"] as? [[String: Any]])?.map { $0["quarter"] as? String } == ["2025-Q1"])
            let theirs = try await client.json("/api/v1/council/reports", .get, token: neighbourToken)
            #expect((theirs.json?["reports"] as? [Any])?.isEmpty == true)
            let r205 = try await client.json("/api/v1/council/reports/2025-Q1", .get, token: neighbourToken)
            #expect(r205.status == .notFound)

            let report = try await client.json("/api/v1/council/reports/2025-Q1", .get, token: officerToken)
            #expect(report.status == .ok)
            let bytes = Array(report.body.readableBytesView)
            let signature = try await client.json("/api/v1/council/reports/2025-Q1/signature", .get, token: officerToken).text
            let publicKey = try await client.execute(uri: "/api/v1/council/public-key", method: .get).text
            #expect(ReportSignature.verify(bytes, signatureBase64: signature, publicKeyBase64: publicKey))
            #expect(!ReportSignature.verify(bytes + [0x20], signatureBase64: signature, publicKeyBase64: publicKey))
            #expect(report.json?["council_area"] as? String == "shropshire")
            #expect((report.json?["themes"] as? [String]) == ["Families wanted earlier contact from schools."])
            #expect(!report.text.contains(canary), "no personal value in a report")
            // No count of 1 to 4 appears anywhere in the tables.
            for (_, table) in (report.json?["tables"] as? [String: [String: Any]]) ?? [:] {
                for (_, value) in table { if let n = value as? Int { #expect(n == 0 || n > 4) } }
            }
            let csv = try await client.json("/api/v1/council/reports/2025-Q1?format=csv", .get, token: officerToken)
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let html = try await client.json("/api/v1/council/reports/2025-Q1?format=html", .get, token: officerToken)
            #expect(html.status == .ok && html.text.contains("<svg"))
        }
    }

    @Test func aThemeHoldingAPersonalValueStopsTheRelease() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await Self.seed(harness, count: 12, canary: canary)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let email = "\(canary)3".lowercased() + "@example.org"
            _ = try await client.json("/api/v1/themes", .post, token: token,
                                      body: ["quarter": "2025-Q1", "council_area": "shropshire", "text": "Contact \(email.uppercased()) again"])
            let refused = try await client.json("/api/v1/reports/2025-Q1/release", .post, token: token, body: ["council_area": "shropshire"])
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "release_refused")
            #expect(!refused.text.lowercased().contains(email), "the refusal does not repeat the personal value")
        }
        let r206 = try await harness.stores.reports.releasedReports(councilArea: "shropshire")
        #expect(r206.isEmpty)
    }

    @Test func aCouncilAPITokenWorksUntilRevoked() async throws {
        let harness = try Harness()
        _ = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        let issued = try await harness.stores.staff.addCouncilToken(email: "officer@shropshire.example")
        await #expect(throws: CouncilTokenError.notACouncilAccount) {
            _ = try await harness.stores.staff.addCouncilToken(email: practitioner.email)
        }
        try await harness.app().test(.router) { client in
            let r207 = try await client.json("/api/v1/council/reports", .get, token: issued.token)
            #expect(r207.status == .ok)
            let r208 = try await client.json("/api/v1/cases", .get, token: issued.token)
            #expect(r208.status == .unauthorized, "a council token is no staff session")
            try await harness.stores.staff.revokeCouncilToken(id: issued.id)
            let r209 = try await client.json("/api/v1/council/reports", .get, token: issued.token)
            #expect(r209.status == .unauthorized)
        }
    }
}
