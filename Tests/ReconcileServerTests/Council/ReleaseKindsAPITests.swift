import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// a lead releases a quarter, its corrections and the year to date through the API; the council officer
/// of that area, and only that area, reads each kind as signed. A refused release stores nothing.
@Suite struct ReleaseKindsAPITests {
    /// `count` cases received in `month` of 2025 in shropshire (April–June is 2025-Q1, July–September 2025-Q2).
    static func seed(_ harness: Harness, _ count: Int, month: Int) async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        for i in 0..<count {
            var referral = Sample.storeReferral(canary: Sample.canary())
            referral.councilArea = "shropshire"
            let received = calendar.date(from: DateComponents(year: 2025, month: month, day: 1 + i % 27, hour: 10))!
            _ = try await harness.stores.intake.createCase(referral, reference: ReferenceGenerator.generate(), passphraseHash: "x",
                                                receivedAt: received)
        }
    }

    /// A harness with 14 cases in 2025-Q1 (May) and 12 in 2025-Q2 (August), in shropshire.
    static func twoQuarters() async throws -> Harness {
        let harness = try Harness()
        try await seed(harness, 14, month: 5)
        try await seed(harness, 12, month: 8)
        return harness
    }

    /// Everything a release writes: its row, its cells, its audit row.
    static func footprint(_ harness: Harness) async throws -> [Int] {
        try await harness.database.reader.read { db in
            try ["SELECT COUNT(*) FROM report_release", "SELECT COUNT(*) FROM release_cell",
                 "SELECT COUNT(*) FROM audit_log WHERE action = 'report.release'"].map { try Int.fetchOne(db, sql: $0)! }
        }
    }

    static func release(_ client: some TestClientProtocol, _ quarter: String, _ kind: String?, token: String,
                        area: String = "shropshire") async throws -> TestResponse {
        var body: [String: Any] = ["council_area": area]
        if let kind { body["kind"] = kind }
        return try await client.json("/api/v1/reports/\(quarter)/release", .post, token: token, body: body)
    }

    @Test func aQuarterItsCorrectionsAndTheYearToDateGoOutAndEachIsReadAsSigned() async throws {
        let harness = try await Self.twoQuarters()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let officer = try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")
        let neighbour = try await harness.addStaff("officer@hereford.example", role: .council, area: "herefordshire")
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let (officerToken, neighbourToken) = (try await client.signIn(officer), try await client.signIn(neighbour))
            let publicKey = try await client.execute(uri: "/api/v1/council/public-key", method: .get).text

            // No kind: a quarter's first release, as older clients send it.
            let q1 = try await Self.release(client, "2025-Q1", nil, token: token)
            #expect(q1.status == .created && q1.json?["kind"] as? String == "quarter")
            let q2 = try await Self.release(client, "2025-Q2", "quarter", token: token)
            #expect(q2.status == .created)
            let ytd = try await Self.release(client, "2025-Q2", "year_to_date", token: token)
            #expect(ytd.status == .created && ytd.json?["kind"] as? String == "year_to_date" && ytd.json?["quarter"] as? String == "2025-Q2",
                    "\(ytd.text)")
            // Referrals recorded late for Q1, after the year to date: two corrections, each with more cases. (Before the
            // year to date they would leave Q2's "open at end" stale, and the year to date would wait for Q2's correction.)
            try await Self.seed(harness, 6, month: 6)
            let firstCorrection = try await Self.release(client, "2025-Q1", "correction", token: token)
            #expect(firstCorrection.status == .created && firstCorrection.json?["kind"] as? String == "correction")
            try await Self.seed(harness, 7, month: 4)
            let correction = try await Self.release(client, "2025-Q1", "correction", token: token)
            #expect(correction.status == .created)

            // What the council reads for each kind: (query, the release response it must be, kind in the document).
            let cases: [(String, String, TestResponse, String)] = [
                ("2025-Q1", "", correction, "correction"),           // current figures: the latest correction
                ("2025-Q1", "?kind=quarter", q1, "quarter"),          // the first release as it went out
                ("2025-Q1", "?kind=correction", correction, "correction"),
                ("2025-Q2", "", q2, "quarter"),                       // no correction: the quarter's own release
                ("2025-Q2", "?kind=quarter", q2, "quarter"),
                ("2025-Q2", "?kind=year_to_date", ytd, "year_to_date"),
            ]
            for (quarter, query, released, kind) in cases {
                let label = "\(quarter)\(query)"
                let report = try await client.json("/api/v1/council/reports/\(quarter)\(query)", .get, token: officerToken)
                #expect(report.status == .ok, "\(label)")
                let bytes = Array(report.body.readableBytesView)
                let signature = try await client.json("/api/v1/council/reports/\(quarter)/signature\(query)", .get, token: officerToken).text
                #expect(signature.trimmingCharacters(in: .whitespacesAndNewlines) == released.json?["signature"] as? String, "\(label)")
                #expect(ReportSignature.verify(bytes, signatureBase64: signature, publicKeyBase64: publicKey), "\(label)")
                #expect(report.json?["kind"] as? String == kind, "\(label)")
                let other = try await client.json("/api/v1/council/reports/\(quarter)\(query)", .get, token: neighbourToken)
                #expect(other.status == .notFound, "another area's \(label)")
                let otherSignature = try await client.json("/api/v1/council/reports/\(quarter)/signature\(query)", .get, token: neighbourToken)
                #expect(otherSignature.status == .notFound, "another area's signature \(label)")
            }
            let referrals = { (r: TestResponse) in (r.json?["figures"] as? [String: Any])?["referrals_received"] as? Int }
            let latest = try await client.json("/api/v1/council/reports/2025-Q1", .get, token: officerToken)
            #expect(referrals(latest) == 27, "the latest correction counts every Q1 referral")
            let ytdReport = try await client.json("/api/v1/council/reports/2025-Q2?kind=year_to_date", .get, token: officerToken)
            #expect(referrals(ytdReport) == 26, "the year to date counts both quarters as they stood")
            let csv = try await client.json("/api/v1/council/reports/2025-Q2?kind=year_to_date&format=csv", .get, token: officerToken)
            #expect(csv.headers[.contentDisposition]?.contains("reconcile-shropshire-2025-Q2-year-to-date.csv") == true)

            let missing = try await client.json("/api/v1/council/reports/2025-Q2?kind=correction", .get, token: officerToken)
            #expect(missing.status == .notFound)
            for uri in ["/api/v1/council/reports/2025-Q1?kind=weekly", "/api/v1/council/reports/2025-Q1/signature?kind=Correction"] {
                let unknown = try await client.json(uri, .get, token: officerToken)
                #expect(unknown.status == .unprocessableContent && unknown.errorCode == "unknown_value", "\(uri)")
                #expect(((unknown.json?["error"] as? [String: Any])?["fields"] as? [[String: String]])?.first?["field"] == "kind")
            }

            let list = try await client.json("/api/v1/council/reports", .get, token: officerToken)
            let kinds = (list.json?["reports"] as? [[String: Any]])?.map { "\($0["quarter"]!) \($0["kind"]!)" }
            #expect(kinds == ["2025-Q1 correction", "2025-Q1 correction", "2025-Q2 year_to_date", "2025-Q2 quarter", "2025-Q1 quarter"])
        }
    }

    @Test func refusedReleasesAnswerClearlyAndStoreNothing() async throws {
        let harness = try Harness()
        try await Self.seed(harness, 14, month: 5)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            func refused(_ quarter: String, _ kind: Any?, _ status: HTTPResponse.Status, _ code: String, _ words: String) async throws {
                let before = try await Self.footprint(harness)
                var body: [String: Any] = ["council_area": "shropshire"]
                if let kind { body["kind"] = kind }
                let r = try await client.json("/api/v1/reports/\(quarter)/release", .post, token: token, body: body)
                #expect(r.status == status && r.errorCode == code, "\(quarter) \(kind ?? "none") → \(r.status) \(r.text)")
                #expect(r.text.contains(words), "\(r.text)")
                let after = try await Self.footprint(harness)
                #expect(after == before, "a refused release stored something")
            }
            try await refused("2025-Q1", "weekly", .unprocessableContent, "unknown_value", "\"field\":\"kind\"")
            try await refused("2025-Q1", 2, .unprocessableContent, "wrong_type", "\"field\":\"kind\"")
            try await refused("2025-Q1", "correction", .conflict, "release_refused", "nothing to correct")
            try await refused("2999-Q1", "year_to_date", .conflict, "quarter_not_over", "after it ends")
            #expect(try await Self.release(client, "2025-Q1", "quarter", token: token).status == .created)
            try await refused("2025-Q1", nil, .conflict, "release_refused", "release a correction to change it")
            #expect(try await Self.release(client, "2025-Q1", "year_to_date", token: token).status == .created)
            try await refused("2025-Q1", "year_to_date", .conflict, "release_refused", "year to date up to 2025-Q1 has already been released")
        }
    }

    /// An earlier release that already pins a suppressed count (here planted in the ledger) leaves no protected
    /// version of a later release in that year: refused, naming the table, nothing stored.
    @Test func noProtectedVersionIsRefusedNamingTheTable() async throws {
        let harness = try Harness()
        try await Self.seed(harness, 14, month: 5)
        let built = try await ReportBuilder(reports: harness.stores.reports, settings: harness.settings, policy: DisclosurePolicy())
            .build(councilArea: "shropshire", quarter: Quarter("2025-Q1")!)
        var document = try #require(try JSONSerialization.jsonObject(with: Data(built.document)) as? [String: Any])
        var tables = try #require(document["tables"] as? [String: [String: Any]])
        // Every referral is "secondary": hiding it while the total and the zeros stay shown pins it to 14.
        #expect(tables["referrals_by_setting"]?["secondary"] as? Int == 14)
        tables["referrals_by_setting"]?["secondary"] = "c"
        document["tables"] = tables
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
        _ = try await harness.stores.reports.recordRelease(
            NewRelease(quarter: "2025-Q1", councilArea: "shropshire", kind: "quarter", releasedBy: "test", releasedAt: Date(),
                       document: bytes, signature: harness.keys.signing.sign(bytes), cells: [])) { _ in }
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let before = try await Self.footprint(harness)
            let r = try await Self.release(client, "2025-Q2", "quarter", token: token)
            #expect(r.status == .conflict && r.errorCode == "release_refused")
            #expect(r.text.contains("referrals_by_setting"), "\(r.text)")
            #expect(!r.text.contains("14"), "the refusal gives no hidden count")
            let after = try await Self.footprint(harness)
            #expect(after == before)
        }
    }

    /// The ledger check runs under the write lock: of two year-to-date releases racing, exactly one goes out.
    @Test func racingReleasesOfTheSameYearToDateStoreOne() async throws {
        let harness = try Harness()
        try await Self.seed(harness, 14, month: 5)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            #expect(try await Self.release(client, "2025-Q1", nil, token: token).status == .created)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<4 { group.addTask { try await Self.release(client, "2025-Q1", "year_to_date", token: token).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 3, "\(statuses)")
        }
        let kinds = try await harness.stores.reports.releasedReports(councilArea: "shropshire").map(\.kind)
        #expect(kinds.sorted() == ["quarter", "year_to_date"])
    }

    @Test func onlyLeadsReleaseAnyKind() async throws {
        let harness = try Harness()
        try await Self.seed(harness, 14, month: 5)
        let members = [try await harness.addStaff("p@example.org", role: .practitioner),
                       try await harness.addStaff("admin@example.org", role: .admin),
                       try await harness.addStaff("officer@shropshire.example", role: .council, area: "shropshire")]
        try await harness.app().test(.router) { client in
            for member in members {
                let token = try await client.signIn(member)
                for kind in ["quarter", "correction", "year_to_date"] {
                    let r = try await Self.release(client, "2025-Q1", kind, token: token)
                    #expect(r.status == .forbidden, "\(member.role) \(kind) → \(r.status)")
                }
            }
            #expect(try await Self.release(client, "2025-Q1", "year_to_date", token: "not-a-real-token-but-long-enough").status == .unauthorized)
        }
        #expect(try await Self.footprint(harness) == [0, 0, 0])
    }
}
