import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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
            _ = try await harness.database.portalSignIn(reference: reference, passphrase: passphrase, keys: harness.keys)
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
        let accountID = try await harness.database.staffAccount(email: "p@example.org")!.id
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
        #expect(try await harness.database.caseCount() == 0)
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
        #expect(try await harness.database.caseCount() == 0)
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
        #expect(try await harness.database.caseCount() == count)
        #expect(try await Self.auditRows(harness, action: "case.entered").count == count)
        #expect(try await harness.database.verifyAuditChain(keys: harness.keys).rows >= count)
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
        #expect(try await harness.database.caseCount() == 2)
    }
}
