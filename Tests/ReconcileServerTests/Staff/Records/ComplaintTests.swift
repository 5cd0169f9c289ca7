import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileReports
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Complaints and compliments: leads record them and the day each was answered; families send theirs from
/// the portal (their words sealed under the case key); the report counts them by kind and by working days to respond.
@Suite struct ComplaintTests {
    static func rows(_ harness: Harness) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM complaint")! }
    }

    @Test func leadsRecordComplaintsAndResponsesAndTheReportCountsThemByTimeToRespond() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let caseID = try await client.newCase(harness)
            let reference = try #require(try harness.stores.intake.caseRecord(id: CaseID(caseID))?.reference)
            // Thursday 3 April 2025: the 10th working day after is Thursday 17 April.
            let bodies: [[String: Any]] = [
                ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-04-03", "responded_on": "2025-04-17"],
                ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-04-03", "responded_on": "2025-04-18"],
                ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-04-03"],
                ["reference": reference.lowercased(), "kind": "compliment", "received_on": "2025-05-01"],
                ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-07-01"],   // next quarter
            ]
            var ids: [String] = []
            for body in bodies {
                let r = try await client.json("/api/v1/complaints", .post, token: token, body: body)
                #expect(r.status == .created, "\(r.text)")
                ids.append(try #require(r.json?["id"] as? String))
            }
            // Thursday 1 May is the 20th working day after 3 April (bank holidays not modelled).
            let answered = try await client.json("/api/v1/complaints/\(ids[2])/response", .post, token: token, body: ["responded_on": "2025-05-01"])
            #expect(answered.status == .ok && answered.json?["responded_on"] as? String == "2025-05-01", "\(answered.text)")
            let twice = try await client.json("/api/v1/complaints/\(ids[2])/response", .post, token: token, body: ["responded_on": "2025-05-07"])
            #expect(twice.status == .conflict && twice.errorCode == "already_responded")
            let early = try await client.json("/api/v1/complaints/\(ids[4])/response", .post, token: token, body: ["responded_on": "2025-06-30"])
            #expect(early.status == .unprocessableContent, "not before the day received")
            let unknown = try await client.json("/api/v1/complaints/\(UUID().uuidString.lowercased())/response", .post, token: token,
                                                body: ["responded_on": "2025-05-01"])
            #expect(unknown.status == .notFound)

            let list = try await client.json("/api/v1/complaints?council_area=herefordshire", .get, token: token)
            let items = try #require(list.json?["complaints"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["reference"] as? String == reference && items[0]["case_id"] as? String == caseID,
                    "the compliment about a case takes the case's area")
            #expect(try #require(try await client.json("/api/v1/complaints?council_area=shropshire", .get, token: token)
                .json?["complaints"] as? [[String: Any]]).count == 4)
            let audited = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action IN ('complaint.add', 'complaint.response')")!
            }
            #expect(audited == 6)
        }
        let q1 = try #require(Quarter("2025-Q1"))
        let counts = try await ReportBuilder(reports: harness.stores.reports, settings: harness.settings, policy: DisclosurePolicy())
            .build(councilArea: "shropshire", quarter: q1, now: Date()).counts
        #expect(counts.table(ReportTables.complaintsByKind)?.counts == ["complaint": 3])
        #expect(counts.table(ReportTables.complaintsByResponseTime)?.counts
                == ["within_10_working_days": 1, "11_to_20_working_days": 2])
    }

    @Test(arguments: [
        (#"{"kind": "grumble"}"#, "kind", "unknown_value"), (#"{"received_on": "2099-01-01"}"#, "received_on", "invalid_date"),
        (#"{"received_on": "2025-02-30"}"#, "received_on", "invalid_date"), (#"{"received_on": 20250401}"#, "received_on", "wrong_type"),
        (#"{"responded_on": "2025-03-01"}"#, "responded_on", "invalid_date"), (#"{"council_area": "atlantis"}"#, "council_area", "unknown_value"),
        (#"{"council_area": null}"#, "council_area", "required"), (#"{"reference": "RS-ZZZZ-ZZZZ"}"#, "reference", "unknown_value"),
        (#"{"case_id": "not-a-case"}"#, "case_id", "unknown_value"), (#"{"text": "words"}"#, "text", "unknown_field"),
    ])
    func aBadComplaintIsRefusedByNameAndStoresNothing(override: String, field: String, code: String) async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        var body: [String: Any] = ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-04-03"]
        body.merge(try JSONSerialization.jsonObject(with: Data(override.utf8)) as! [String: Any]) { $1 }
        let sent = Sample.json(body)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let r = try await client.execute(uri: "/api/v1/complaints", method: .post,
                                             headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: sent)
            #expect(r.status == .unprocessableContent, "\(override) → \(r.status)")
            let fields = (r.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
            #expect(fields.contains { $0["field"] == field && $0["code"] == code }, "\(r.text)")
        }
        #expect(try await Self.rows(harness) == 0)
    }

    @Test func onlyLeadsReachComplaintRoutesAndNothingChanges() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let others = [try await harness.addStaff("p@example.org", role: .practitioner), try await harness.addStaff("a@example.org", role: .admin),
                      try await harness.addStaff("c@shropshire.example", role: .council, area: "shropshire")]
        try await harness.app().test(.router) { client in
            let id = try #require(try await client.json("/api/v1/complaints", .post, token: try await client.signIn(lead),
                                                        body: ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-04-03"])
                .json?["id"] as? String)
            for staff in others {
                let token = try await client.signIn(staff)
                let add = try await client.json("/api/v1/complaints", .post, token: token,
                                                body: ["council_area": "shropshire", "kind": "complaint", "received_on": "2025-04-03"])
                let list = try await client.json("/api/v1/complaints?council_area=shropshire", .get, token: token)
                let respond = try await client.json("/api/v1/complaints/\(id)/response", .post, token: token, body: ["responded_on": "2025-04-04"])
                #expect([add.status, list.status, respond.status] == [.forbidden, .forbidden, .forbidden], "\(staff.email)")
                var browser = PageBrowser(client: client)
                _ = try await browser.signIn(staff, at: staff.email.contains("shropshire") ? "/council/sign-in" : "/staff/sign-in",
                                             codeAt: Date().addingTimeInterval(30))
                #expect(try await browser.get("/staff/complaints").status == .forbidden, "\(staff.email) page")
            }
        }
        #expect(try await Self.rows(harness) == 1)
        #expect(try await harness.stores.reports.complaints(councilArea: "shropshire").first?.respondedOn == nil)
    }

    /// One session sending many at once cannot fill the table or the council's figure with repeats: three a day.
    @Test func aFloodFromOneFamilyKeepsThreeADay() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, harness)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await client.json("/api/v1/portal/complaints", .post, token: token,
                                              body: ["kind": i % 2 == 0 ? "complaint" : "compliment"]).status
                    }
                }
                var all: [HTTPResponse.Status] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0 == .created }.count == 3, "the shipped limits.family_complaints_per_day")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 9)
            #expect(try await Self.rows(harness) == 3)
            let refused = try await client.json("/api/v1/portal/complaints", .post, token: token, body: ["kind": "complaint"])
            #expect(refused.errorCode == "too_many_today" && Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect((1...86_400 + 3_600).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0))
            // Another family is not affected by this one's day.
            let (_, other) = try await PortalAPITests.signedInFamily(client, harness)
            #expect(try await client.json("/api/v1/portal/complaints", .post, token: other, body: ["kind": "compliment"]).status == .created)
        }
    }

    /// The bound is a setting; 0 lifts it (as for the other limits), and an absurd value is refused at start.
    @Test func theDailyBoundIsASetting() async throws {
        var settings = Harness.fastSettings()
        settings.limits.familyComplaintsPerDay = 0
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, harness)
            for _ in 0..<5 {
                #expect(try await client.json("/api/v1/portal/complaints", .post, token: token, body: ["kind": "compliment"]).status == .created)
            }
        }
        #expect(try await Self.rows(harness) == 5)
        let parsed = try Settings.load(files: [], environment: ["RECONCILE_LIMITS_FAMILY_COMPLAINTS_PER_DAY": "7"])
        #expect(parsed.limits.familyComplaintsPerDay == 7)
        #expect(throws: (any Error).self) { try Settings.load(files: [], environment: ["RECONCILE_LIMITS_FAMILY_COMPLAINTS_PER_DAY": "101"]) }
    }

    @Test func aFamilySendsAComplaintFromThePortalTheirWordsSealedAndSeenOnlyOnTheCasePage() async throws {
        let dir = try TemporaryDirectory()
        let harness = try Harness(database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let (family, token) = try await PortalAPITests.signedInFamily(client, harness)
            let bad = try await client.json("/api/v1/portal/complaints", .post, token: token, body: ["kind": "moan", "text": canary])
            #expect(bad.status == .unprocessableContent && !bad.text.contains(canary))
            let long = try await client.json("/api/v1/portal/complaints", .post, token: token,
                                             body: ["kind": "complaint", "text": String(repeating: "z", count: 2001)])
            #expect(long.status == .unprocessableContent)
            #expect(try await Self.rows(harness) == 0)
            let sent = try await client.json("/api/v1/portal/complaints", .post, token: token,
                                             body: ["kind": "complaint", "text": "Nobody rang back \(canary)"])
            #expect(sent.status == .created && sent.json?["received_on"] as? String == WorkingDays.londonDate(Date()), "\(sent.text)")
            let praise = try await client.json("/api/v1/portal/complaints", .post, token: token, body: ["kind": "compliment"])
            #expect(praise.status == .created)

            let staffToken = try await client.signIn(lead)
            let list = try await client.json("/api/v1/complaints?council_area=herefordshire", .get, token: staffToken)
            #expect(!list.text.contains(canary), "the family's words are not listed")
            let items = try #require(list.json?["complaints"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["source"] as? String }) == ["family"] && items.contains { $0["has_text"] as? Bool == true })

            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30)).status == .seeOther)
            let listPage = try await browser.get("/staff/complaints?area=herefordshire")
            #expect(listPage.status == .ok && !listPage.text.contains(canary) && listPage.text.contains("their words are on the case page"))
            let casePage = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(casePage.text.contains("Nobody rang back \(canary)"))
            // The page records the response date.
            let complaintID = try #require(items.first { $0["kind"] as? String == "complaint" }?["id"] as? String)
            let saved = try await browser.post("/staff/complaints/\(complaintID)/response", [("responded_on", WorkingDays.londonDate(Date()))])
            #expect(saved.status == .seeOther)
            // And a lead records one by the form.
            let added = try await browser.post("/staff/complaints", [("council_area", "shropshire"), ("reference", ""), ("kind", "compliment"),
                                                                     ("received_on", "2025-04-03"), ("responded_on", "")])
            #expect(added.status == .seeOther, "\(added.text)")
        }
        #expect(try await harness.stores.reports.complaints(councilArea: "herefordshire").first { $0.kind == .complaint }?.respondedOn != nil)
        #expect(try await Self.rows(harness) == 3)
        #expect(!harness.logs.text.contains(canary))
        try await harness.database.checkpoint()
        #expect(try dir.rawBytes().range(of: Data(canary.utf8)) == nil, "sealed on disk")
    }

    @Test func theFamilysPageSendsAComplaintAndErasureClearsTheirWords() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            var browser = PageBrowser(client: client)
            _ = try await browser.get("/portal")
            _ = try await browser.post("/portal", [("reference", family.reference), ("passphrase", family.passphrase)])
            _ = try await browser.get("/portal/feedback")
            let none = try await browser.post("/portal/complaints", [("text", "no kind chosen")])
            #expect(none.status == .unprocessableContent)
            let sent = try await browser.post("/portal/complaints", [("kind", "compliment"), ("text", "You were kind")])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/portal/feedback?done=compliment")
            #expect(try await browser.get("/portal/feedback?done=compliment").text.contains("We have your message"))
            try await harness.stores.portal.giveFeedback(caseID: CaseID(family.caseID), scores: [:], comment: "words", quarterStartMonth: 4)
        }
        try await harness.database.writer.write { db in
            try AppDatabase.erase(db, caseID: CaseID(family_caseID(db)), reason: "request", keys: harness.keys, at: Date())
        }
        let left = try await harness.database.reader.read { db in
            [try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM complaint WHERE text IS NOT NULL")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_feedback WHERE comment IS NOT NULL")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM complaint")! + (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_feedback")!)]
        }
        #expect(left == [0, 0, 2], "the words go, the counts stay")
    }
}

private func family_caseID(_ db: Database) throws -> String { try String.fetchOne(db, sql: "SELECT id FROM referral_case LIMIT 1")! }
