import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A family who lost their passphrase gets a new one from the partner, as an adversary would try it: many at once,
/// the old words and old sessions, the words looked for everywhere they must not be, the wrong people asking.
@Suite struct PassphraseReissueTests {
    static func reissue(_ client: some TestClientProtocol, _ caseID: String, token: String, check: Any = "phone") async throws -> TestResponse {
        try await client.json("/api/v1/cases/\(caseID)/passphrase", .post, token: token, body: ["identity_check": check])
    }

    @Test func twentyAtOnceLeaveTheLimitAndOnlyTheLastWordsWork() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let (family, oldSession) = try await PortalAPITests.signedInFamily(client, harness)
            let otherSession = try #require(try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase)
                .json?["token"] as? String)
            let staff = try await client.signIn(lead)
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<20 { group.addTask { try await Self.reissue(client, family.caseID, token: staff) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let issued = answers.filter { $0.status == .created }
            #expect(issued.count == 3, "limits.passphrase_reissues_per_day")
            #expect(answers.filter { $0.status == .tooManyRequests }.count == 17)
            #expect(answers.filter { $0.status == .tooManyRequests }.allSatisfy { $0.errorCode == "too_many_today" && $0.headers[.retryAfter] != nil })
            // The one issued last says none are left today; only its words open the portal.
            let last = try #require(issued.first { $0.json?["reissues_left_today"] as? Int == 0 })
            #expect(Set(issued.compactMap { $0.json?["reissues_left_today"] as? Int }) == [0, 1, 2])
            let words = issued.compactMap { $0.json?["passphrase"] as? String }
            #expect(Set(words).count == 3 && !words.contains(family.passphrase))
            var working: [String] = []
            for phrase in words + [family.passphrase] {
                let signIn = try await PortalAPITests.signIn(client, reference: family.reference, passphrase: phrase)
                if signIn.status == .ok { working.append(phrase) } else { #expect(signIn.status == .unauthorized) }
            }
            #expect(working == [try #require(last.json?["passphrase"] as? String)])
            // Every session from before is over at once.
            for token in [oldSession, otherSession] {
                #expect(try await client.json("/api/v1/portal/case", .get, token: token).status == .unauthorized)
            }
            let (audited, events) = try await harness.database.reader.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.passphrase_reissued'") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event WHERE action = 'passphrase_reissued' AND case_id = ?",
                                  arguments: [family.caseID]) ?? 0)
            }
            #expect(audited == 3 && events == 3)
            let timeline = try await client.json("/api/v1/cases/\(family.caseID)/timeline", .get, token: staff)
            #expect(timeline.text.contains("passphrase_reissued"))
        }
    }

    @Test func theNewWordsAreInTheAnswerAndNowhereElse() async throws {
        let dir = try TemporaryDirectory()
        var settings = Harness.fastSettings()
        settings.mail.host = "127.0.0.1"  // mail queued as it would be in service (the outbox is read below)
        settings.mail.from = "notifications@partner.example"
        let harness = try Harness(settings: settings, database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let practitioner = try await harness.addStaff("pat@example.org", role: .practitioner)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let leadToken = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(family.caseID)/assign", .post, token: leadToken, body: ["practitioner": practitioner.email])
            // By the page, as a practitioner would: the confirmation first, then the words once.
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(practitioner)
            let confirm = try await browser.get("/staff/cases/\(family.caseID)/passphrase")
            #expect(confirm.status == .ok && confirm.text.contains("How did you check who is asking?"))
            let unconfirmed = try await browser.post("/staff/cases/\(family.caseID)/passphrase", [("identity_check", "phone")])
            #expect(unconfirmed.status == .unprocessableContent && unconfirmed.text.contains("Confirm that you checked"))
            _ = try await browser.get("/staff/cases/\(family.caseID)/passphrase")
            let page = try await browser.post("/staff/cases/\(family.caseID)/passphrase", [("identity_check", "phone"), ("confirmed", "yes")])
            #expect(page.status == .ok)
            let shown = try #require(page.text.firstMatch(of: /<strong class="passphrase">([a-z-]+)<\/strong>/)).output.1
            let phrase = String(shown)
            #expect(phrase.split(separator: "-").count == 6)
            // And by the API, from a lead.
            let api = try await Self.reissue(client, family.caseID, token: leadToken, check: "in_person")
            let apiPhrase = try #require(api.json?["passphrase"] as? String)
            // A message to the family queues a notice email too (it says nothing but that a message waits).
            _ = try await client.json("/api/v1/cases/\(family.caseID)/messages", .post, token: leadToken, body: ["body": "Hello"])

            for words in [phrase, apiPhrase] {
                let spaced = words.replacingOccurrences(of: "-", with: " ")
                #expect(!harness.logs.text.contains(words) && !harness.logs.text.contains(spaced))
                let rows = try await harness.database.reader.read { db in
                    try Row.fetchAll(db, sql: "SELECT * FROM audit_log").map { "\($0)" }.joined()
                        + Row.fetchAll(db, sql: "SELECT * FROM case_event").map { "\($0)" }.joined()
                        + Row.fetchAll(db, sql: "SELECT * FROM mail_outbox").map { "\($0)" }.joined()
                }
                #expect(!rows.contains(words) && !rows.contains(spaced))
                // In the WAL and after it is checkpointed into the main file.
                var raw = try dir.rawBytes()
                try await harness.database.checkpoint()
                raw += try dir.rawBytes()
                #expect(raw.range(of: Data(words.utf8)) == nil && raw.range(of: Data(spaced.utf8)) == nil)
            }
            #expect(harness.logs.text.contains("passphrase reissued"))
        }
    }

    @Test func onlyThoseWhoMayOpenTheCaseAndNeverAnErasedOne() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("pat@example.org", role: .practitioner)
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        let council = try await harness.addStaff("officer@example.org", role: .council)
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let pat = try await client.signIn(practitioner)
            #expect(try await Self.reissue(client, family.caseID, token: pat).status == .notFound)
            #expect(try await Self.reissue(client, UUID().uuidString.lowercased(), token: pat).status == .notFound)
            #expect(try await Self.reissue(client, family.caseID, token: try await client.signIn(admin)).status == .forbidden)
            #expect(try await Self.reissue(client, family.caseID, token: try await client.signIn(council)).status == .forbidden)
            let leadToken = try await client.signIn(lead)
            for bad in ["by_carrier_pigeon", 7, ""] as [Any] {
                let refused = try await Self.reissue(client, family.caseID, token: leadToken, check: bad)
                #expect(refused.status == .unprocessableContent && refused.text.contains("identity_check"))
            }
            let extra = try await client.json("/api/v1/cases/\(family.caseID)/passphrase", .post, token: leadToken,
                                              body: ["identity_check": "phone", "passphrase": "mine"])
            #expect(extra.status == .unprocessableContent)
            // Nothing above changed anything: the family's own words still work.
            #expect(try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase).status == .ok)

            _ = try await harness.stores.retention.requestErasure(caseID: CaseID(family.caseID), policy: RetentionPolicy())
            _ = try await harness.stores.retention.runRetention(policy: RetentionPolicy(), now: Date().addingTimeInterval(90 * 86_400))
            let erased = try await Self.reissue(client, family.caseID, token: leadToken)
            #expect(erased.status == .conflict && erased.errorCode == "erased")
        }
    }

    @Test func theFamilyIsToldAtTheirNextSignInOnly() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let before = try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase)
            let view = try await client.json("/api/v1/portal/case", .get, token: try #require(before.json?["token"] as? String))
            #expect(view.json?.keys.contains("passphrase_reissued_at") == true && view.json?["passphrase_reissued_at"] is NSNull)
            let issued = try await Self.reissue(client, family.caseID, token: try await client.signIn(lead))
            let words = try #require(issued.json?["passphrase"] as? String)
            // By the page: the notice is shown, with the day.
            let (cookies, _, page) = try await SharedDeviceTests.pageSession(client, .init(caseID: family.caseID, reference: family.reference,
                                                                                         passphrase: words))
            let day = Date().formatted(ServiceTime.day(.english))
            #expect(page.text.contains("A new passphrase for your referral was issued on \(day)"))
            #expect(try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: cookies]).text.contains("A new passphrase"))
            // The next sign-in is not told again.
            let later = try await PortalAPITests.signIn(client, reference: family.reference, passphrase: words)
            let laterView = try await client.json("/api/v1/portal/case", .get, token: try #require(later.json?["token"] as? String))
            #expect(laterView.json?["passphrase_reissued_at"] is NSNull)
        }
    }
}
