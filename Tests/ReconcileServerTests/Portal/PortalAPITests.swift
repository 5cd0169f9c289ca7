import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The family comes back with reference + passphrase: reads, replies, withdraws, takes a copy, asks for erasure.
@Suite struct PortalAPITests {
    /// A referral made through intake, as the family holds it afterwards.
    struct Family { let caseID: String; let reference: String; let passphrase: String }

    static func refer(_ client: some TestClientProtocol, _ harness: Harness, canary: String) async throws -> Family {
        let response = try await client.refer(Sample.json(Sample.referral(canary: canary)))
        let reference = try require_(response.json?["reference"] as? String)
        let caseID = try await harness.database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM referral_case WHERE reference = ?", arguments: [reference])!
        }
        return Family(caseID: caseID, reference: reference, passphrase: try require_(response.json?["passphrase"] as? String))
    }

    static func signIn(_ client: some TestClientProtocol, reference: String, passphrase: String) async throws -> TestResponse {
        try await client.json("/api/v1/portal/session", .post, body: ["reference": reference, "passphrase": passphrase])
    }

    /// A new referral and the family's portal token for it.
    static func signedInFamily(_ client: some TestClientProtocol, _ harness: Harness) async throws -> (Family, token: String) {
        let family = try await refer(client, harness, canary: Sample.canary())
        let token = try require_(try await signIn(client, reference: family.reference, passphrase: family.passphrase).json?["token"] as? String)
        return (family, token)
    }

    @Test func aFamilyReadsTheStageAndTalksWithThePartner() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let family = try await Self.refer(client, harness, canary: canary)
            // Typed the way a person might: lower case, spaces instead of hyphens.
            let signIn = try await Self.signIn(client, reference: family.reference.lowercased(),
                                               passphrase: family.passphrase.replacingOccurrences(of: "-", with: " ").capitalized)
            #expect(signIn.status == .ok)
            let token = try #require(signIn.json?["token"] as? String)
            #expect(signIn.headers[.setCookie]?.contains("HttpOnly") == true)

            let view = try await client.json("/api/v1/portal/case", .get, token: token)
            #expect(view.status == .ok)
            #expect(view.json?["reference"] as? String == family.reference)
            let stageText = try #require(view.json?["stage_text"] as? String)
            #expect(stageText.count > 20 && !stageText.contains("received") && !stageText.contains("_"))
            #expect((view.json?["messages"] as? [Any])?.isEmpty == true)

            let staff = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(family.caseID)/messages", .post, token: staff, body: ["body": "Hello from the partner"])
            let reply = try await client.json("/api/v1/portal/messages", .post, token: token, body: ["body": "Thank you \(canary)"])
            #expect(reply.status == .created)
            let empty = try await client.json("/api/v1/portal/messages", .post, token: token, body: ["body": "   "])
            #expect(empty.status == .unprocessableContent)

            let thread = try await client.json("/api/v1/portal/case", .get, token: token)
            let messages = try #require(thread.json?["messages"] as? [[String: Any]])
            #expect(messages.map { $0["from"] as? String } == ["partner", "you"])
            #expect(messages.last?["body"] as? String == "Thank you \(canary)")

            // Staff see the reply, and the case list counts it as unread until the case is read.
            let before = try await client.json("/api/v1/cases", .get, token: staff)
            #expect(((before.json?["cases"] as? [[String: Any]])?.first)?["unread_replies"] as? Int == 1)
            let detail = try await client.json("/api/v1/cases/\(family.caseID)", .get, token: staff)
            #expect((detail.json?["messages"] as? [[String: Any]])?.contains { $0["from"] as? String == "family" } == true)
            let after = try await client.json("/api/v1/cases", .get, token: staff)
            #expect(((after.json?["cases"] as? [[String: Any]])?.first)?["unread_replies"] as? Int == 0)

            let export = try await client.json("/api/v1/portal/export", .get, token: token)
            #expect(export.status == .ok)
            #expect(export.text.contains("What happened to \(canary) at school") && export.text.contains("Thank you \(canary)"))

            let r101 = try await client.json("/api/v1/portal/session", .delete, token: token)
            #expect(r101.status == .noContent)
            let r102 = try await client.json("/api/v1/portal/case", .get, token: token)
            #expect(r102.status == .unauthorized)
        }
        #expect(!harness.logs.text.contains(canary))
    }

    @Test func aWrongPassphraseAndAnUnknownReferenceGetTheSameAnswerAndGuessingIsSlowed() async throws {
        var settings = Harness.fastSettings()
        settings.limits.loginFailures = 3
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let family = try await Self.refer(client, harness, canary: Sample.canary())
            let wrong = try await Self.signIn(client, reference: family.reference, passphrase: "maple-river-lantern-moss-oak-reed")
            let unknown = try await Self.signIn(client, reference: "RS-2222-2222", passphrase: family.passphrase)
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.text == unknown.text)
            _ = try await Self.signIn(client, reference: family.reference, passphrase: "still wrong words here")
            let locked = try await Self.signIn(client, reference: family.reference, passphrase: family.passphrase)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] != nil)
        }
    }

    @Test func aFamilyTokenOpensNoStaffRouteAndAStaffTokenNoPortalRoute() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let family = try await Self.refer(client, harness, canary: Sample.canary())
            let familyToken = try #require(try await Self.signIn(client, reference: family.reference, passphrase: family.passphrase).json?["token"] as? String)
            for route in RoleMatrixTests.caseRoutes {
                let uri = route.path.replacingOccurrences(of: "{id}", with: family.caseID).replacingOccurrences(of: "{sid}", with: UUID().uuidString.lowercased())
                let response = try await client.json(uri, route.method, token: familyToken, body: route.body)
                #expect(response.status == .unauthorized, "family token on \(route.method) \(route.path) → \(response.status)")
            }
            for path in ["/api/v1/cases", "/api/v1/services"] {
                let r103 = try await client.json(path, .get, token: familyToken)
                #expect(r103.status == .unauthorized)
            }
            let staffToken = try await client.signIn(lead)
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/portal/case"), (.get, "/api/v1/portal/export"), (.post, "/api/v1/portal/withdraw"),
                                   (.post, "/api/v1/portal/erasure")] {
                let r104 = try await client.json(path, method, token: staffToken)
                #expect(r104.status == .unauthorized, "staff token on \(path)")
            }
        }
    }

    @Test func withdrawingClosesTheCaseOnce() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let family = try await Self.refer(client, harness, canary: Sample.canary())
            let token = try #require(try await Self.signIn(client, reference: family.reference, passphrase: family.passphrase).json?["token"] as? String)
            let withdrawn = try await client.json("/api/v1/portal/withdraw", .post, token: token)
            #expect(withdrawn.status == .ok && withdrawn.json?["stage"] as? String == "closed")
            let r105 = try await client.json("/api/v1/portal/withdraw", .post, token: token)
            #expect(r105.status == .conflict)
        }
        let record = try #require(try harness.stores.intake.caseRecord(id: try await harness.database.reader.read { db in try CaseID.fetchOne(db, sql: "SELECT id FROM referral_case")! }))
        #expect(record.closeReason == .withdrawn)
    }

    @Test func erasureWaitsOutTheCoolingOffThenLeavesNothingPersonal() async throws {
        let dir = try TemporaryDirectory()
        let harness = try Harness(database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        let caseID = try await harness.app().test(.router) { client in
            let family = try await Self.refer(client, harness, canary: canary)
            let caseID = family.caseID
            let token = try #require(try await Self.signIn(client, reference: family.reference, passphrase: family.passphrase).json?["token"] as? String)
            _ = try await client.json("/api/v1/portal/messages", .post, token: token, body: ["body": "Message \(canary)"])
            let asked = try await client.json("/api/v1/portal/erasure", .post, token: token)
            #expect(asked.status == .accepted)
            let r106 = try await client.json("/api/v1/portal/erasure", .delete, token: token)
            #expect(r106.status == .noContent)
            let r107 = try await client.json("/api/v1/portal/erasure", .delete, token: token)
            #expect(r107.status == .conflict)
            let r108 = try await client.json("/api/v1/portal/erasure", .post, token: token)
            #expect(r108.status == .accepted)
            // A lead's hold keeps the data while a safeguarding concern is live.
            let staff = try await client.signIn(lead)
            let r109 = try await client.json("/api/v1/cases/\(caseID)/safeguarding-hold", .post, token: staff, body: ["on": true])
            #expect(r109.status == .ok)
            let held = try await harness.stores.retention.runRetention(policy: RetentionPolicy(), now: Date().addingTimeInterval(30 * 86_400))
            #expect(held.erased == 0 && held.heldBack == 1)
            let r110 = try await client.json("/api/v1/cases/\(caseID)/safeguarding-hold", .post, token: staff, body: ["on": false])
            #expect(r110.status == .ok)
            let notYet = try await harness.stores.retention.runRetention(policy: RetentionPolicy(), now: Date().addingTimeInterval(13 * 86_400))
            #expect(notYet.erased == 0, "not before the cooling-off period ends")
            let done = try await harness.stores.retention.runRetention(policy: RetentionPolicy(), now: Date().addingTimeInterval(15 * 86_400))
            #expect(done.erased == 1)
            let r111 = try await client.json("/api/v1/portal/case", .get, token: token)
            #expect(r111.status == .unauthorized)
            let r112 = try await Self.signIn(client, reference: family.reference, passphrase: family.passphrase)
            #expect(r112.status == .unauthorized)
            let detail = try await client.json("/api/v1/cases/\(caseID)", .get, token: staff)
            #expect(detail.status == .gone)
            #expect(!detail.text.contains(canary))
            return caseID
        }
        // Statistics stay; nothing personal is left in the database files.
        let record = try #require(try harness.stores.intake.caseRecord(id: CaseID(caseID)))
        #expect(record.referrerRole == .parentOrCarer && record.erasedAt != nil)
        try await harness.database.checkpoint()
        let raw = try dir.rawBytes()
        for value in [canary, canary.lowercased()] {
            #expect(raw.range(of: Data(value.utf8)) == nil, "the database files still hold \(value)")
        }
    }
}
