import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// `POST /api/v1/cases` and `/staff/referrals/new`: a referral taken by phone, post or in person goes through the
/// family's own intake path, says who entered it, and is audited.
@Suite struct StaffReferralTests {
    static func body(canary: String, channel: String? = "phone", extra: [String: Any] = [:]) -> [String: Any] {
        var overrides: [String: Any] = ["involvement": "harmed", "age_band": "16_to_17"]
        if let channel { overrides["channel"] = channel }
        overrides.merge(extra) { $1 }
        return Sample.referral(canary: canary, overrides: overrides)
    }

    static func auditRows(_ harness: Harness, action: String) async throws -> [Row] {
        try await harness.database.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT actor, case_id, detail FROM audit_log WHERE action = ?", arguments: [action])
        }
    }

    @Test func aPractitionersEntryIsStoredAssignedToThemAndAudited() async throws {
        let harness = try Harness()
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(practitioner)
            let response = try await client.json("/api/v1/cases", .post, token: token, body: Self.body(canary: canary))
            #expect(response.status == .created)
            let caseID = try #require(response.json?["case_id"] as? String)
            let reference = try #require(response.json?["reference"] as? String)
            let passphrase = try #require(response.json?["passphrase"] as? String)
            #expect(response.json?["channel"] as? String == "phone" && response.json?["assigned_to_me"] as? Bool == true)
            #expect(!response.text.contains(canary))

            // The family can sign in with what the practitioner passes on.
            _ = try await harness.stores.portal.portalSignIn(reference: reference, passphrase: passphrase)
            // The practitioner can work it (it is theirs), and the case says how it came and who entered it.
            let detail = try await client.json("/api/v1/cases/\(caseID)", .get, token: token)
            #expect(detail.status == .ok)
            #expect(detail.json?["entered_by"] as? String == "p@example.org")
            let statistics = try #require(detail.json?["statistics"] as? [String: Any])
            #expect(statistics["channel"] as? String == "phone" && statistics["involvement"] as? String == "harmed")
            #expect(statistics["age_band"] as? String == "16_to_17")
        }
        let row = try await IntakeQuestionsTests.stored(harness, try await harness.database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT reference FROM referral_case")!
        })
        let accountID = try await harness.stores.staff.staffAccount(email: "p@example.org")!.id
        #expect(row["entered_by"] as String? == accountID && row["assigned_to"] as String? == accountID)
        let audits = try await Self.auditRows(harness, action: "case.entered")
        #expect(audits.count == 1 && audits.first?["actor"] as String? == accountID)
        #expect((audits.first?["detail"] as String?)?.contains("channel=phone") == true)
        #expect(!harness.logs.text.contains(canary))
    }

    @Test func aLeadsEntryWaitsToBeAssigned() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let response = try await client.json("/api/v1/cases", .post, token: token, body: Self.body(canary: Sample.canary(), channel: "post"))
            #expect(response.status == .created && response.json?["assigned_to_me"] as? Bool == false)
            let list = try await client.json("/api/v1/cases?assigned=none", .get, token: token)
            #expect((list.json?["cases"] as? [Any])?.count == 1)
        }
    }

    /// `web` is the family's own; a missing or unknown channel is refused by name; nothing is stored.
    @Test(arguments: [("web", "unknown_value"), (nil, "required"), ("carrier_pigeon", "unknown_value")] as [(String?, String)])
    func theChannelIsRequiredAndMustBeAStaffOne(channel: String?, code: String) async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let response = try await client.json("/api/v1/cases", .post, token: try await client.signIn(lead),
                                                 body: Self.body(canary: Sample.canary(), channel: channel))
            #expect(response.status == .unprocessableContent)
            let fields = (response.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
            #expect(fields.contains { $0["field"] == "channel" && $0["code"] == code }, "\(fields)")
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func adminAndCouncilCannotEnterAReferral() async throws {
        let harness = try Harness()
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        let council = try await harness.addStaff("council@example.org", role: .council)
        try await harness.app().test(.router) { client in
            for staff in [admin, council] {
                let response = try await client.json("/api/v1/cases", .post, token: try await client.signIn(staff),
                                                     body: Self.body(canary: Sample.canary()))
                #expect(response.status == .forbidden, "\(staff.role)")
            }
            let nobody = try await client.json("/api/v1/cases", .post, body: Self.body(canary: Sample.canary()))
            #expect(nobody.status == .unauthorized)
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
        #expect(try await Self.auditRows(harness, action: "case.entered").isEmpty)
    }

    /// Many entries at once share the group commit: every one is stored once, with its own reference and audit row.
    @Test func entriesAtOnceAreEachStoredOnceAndAudited() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let count = 24
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let references = try await withThrowingTaskGroup(of: String?.self) { group in
                for i in 0..<count {
                    group.addTask {
                        let r = try await client.json("/api/v1/cases", .post, token: token,
                                                      body: Self.body(canary: Sample.canary(), channel: i % 2 == 0 ? "in_person" : "professional_on_behalf"))
                        return r.json?["reference"] as? String
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(Set(references.compactMap { $0 }).count == count)
        }
        #expect(try await harness.stores.intake.caseCount() == count)
        #expect(try await Self.auditRows(harness, action: "case.entered").count == count)
        #expect(try await harness.stores.audit.verifyAuditChain().rows >= count)
    }

    /// An Idempotency-Key is the staff member's own: a retry gets the first answer, another staff member's same key is theirs.
    @Test func aRetriedEntryIsStoredOnce() async throws {
        let harness = try Harness()
        let a = try await harness.addStaff("a@example.org", role: .lead)
        let b = try await harness.addStaff("b@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let (ta, tb) = (try await client.signIn(a), try await client.signIn(b))
            let body = Sample.json(Self.body(canary: Sample.canary()))
            func send(_ token: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/cases", method: .post,
                                         headers: [.authorization: "Bearer \(token)", .contentType: "application/json", .idempotencyKey: "call-1"],
                                         body: body)
            }
            let (first, again, other) = (try await send(ta), try await send(ta), try await send(tb))
            #expect(first.status == .created && again.status == .created && again.headers[.idempotentReplayed] == "true")
            #expect(first.json?["reference"] as? String == again.json?["reference"] as? String)
            #expect(other.json?["reference"] as? String != first.json?["reference"] as? String)
        }
        #expect(try await harness.stores.intake.caseCount() == 2)
    }
}

/// The staff page for a referral taken by phone: the same questions, the passphrase shown once, and the access
/// needs first on the case page.
@Suite struct StaffReferralPageTests {
    @Test func aPractitionerEntersAReferralAndSeesItsAccessNeedsFirst() async throws {
        let harness = try Harness()
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(practitioner)
            let form = try await browser.get("/staff/referrals/new")
            #expect(form.status == .ok && form.text.contains("Enter a referral") && form.text.contains("id=\"channel-phone\""))
            let submissionID = try #require(IntakeFormTests.hidden("submission_id", in: form.text))
            let fields: [(String, String)] = [
                ("submission_id", submissionID), ("channel", "phone"), ("preference", "phone"), ("phone", "07700 900456"),
                ("name", "\(canary) Caller"), ("council_area", "herefordshire"), ("referrer_role", "parent_or_carer"),
                ("involvement", "harmed"), ("age_band", "under_13"), ("setting", "primary"), ("harm", "sexual_assault"),
                ("when", "under_1_year"), ("told_before", "school"), ("wishes", "to_be_listened_to"),
                ("access_language", "Polish"), ("access_interpreter", "yes"), ("access_other", "Mornings only \(canary)"),
                ("consent_contact", "yes"), ("consent_statistics", "yes"),
            ]
            let entered = try await browser.post("/staff/referrals/new", fields)
            #expect(entered.status == .ok, "\(entered.text.prefix(400))")
            let passphrase = try #require(entered.text.firstMatch(of: /class="passphrase">([a-z]+(-[a-z]+){5})</).map { String($0.output.1) })
            #expect(entered.text.contains("The case is assigned to you"))
            // A double tap shows the same referral, not a second one.
            let again = try await browser.post("/staff/referrals/new", fields)
            #expect(again.text.contains(passphrase))
            #expect(try await harness.stores.intake.caseCount() == 1)

            let caseID = try #require(entered.text.firstMatch(of: /href="\/staff\/cases\/([0-9a-f-]{36})"/).map { String($0.output.1) })
            let page = try await browser.get("/staff/cases/\(caseID)")
            #expect(page.status == .ok)
            let needs = try #require(page.text.range(of: "Help this family asked for to take part"))
            let contact = try #require(page.text.range(of: "Contact details"))
            #expect(needs.lowerBound < contact.lowerBound, "access needs come before anything else about the family")
            #expect(page.text.contains("Language: Polish") && page.text.contains("An interpreter") && page.text.contains("Mornings only \(canary)"))
            #expect(page.text.contains("The child is under 13"))
            #expect(page.text.contains("By phone, entered by p@example.org"))
        }
        #expect(!harness.logs.text.contains(canary))
    }

    @Test func aMissingAnswerIsShownBesideItsQuestionAndNothingIsStored() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            _ = try await browser.get("/staff/referrals/new")
            let response = try await browser.post("/staff/referrals/new", [("preference", "portal"), ("council_area", "shropshire")])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("href=\"#channel-fieldset\"") && response.text.contains("href=\"#involvement-fieldset\""))
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }
}
