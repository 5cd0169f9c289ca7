import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Sodium
import Testing
@testable import ReconcileServer

/// `POST /api/v1/referrals`: what a family's client (or a fuzzer) sees, and what is stored.
@Suite struct IntakeAPITests {
    @Test func aValidReferralIsStoredAndAnsweredWithReferenceAndPassphrase() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let response = try await client.refer(Sample.json(Sample.referral(canary: canary)))
            #expect(response.status == .created)
            let reference = try #require(response.json?["reference"] as? String)
            let passphrase = try #require(response.json?["passphrase"] as? String)
            #expect(ReferenceFormat.isValid(reference))
            let words = passphrase.split(separator: "-")
            #expect(words.count == 6)
            #expect(words.allSatisfy { $0.allSatisfy(\.isLowercase) })

            let record = try #require(try await harness.database.reader.read { db in
                try CaseRecord.filter(CaseRecord.Columns.reference == reference).fetchOne(db)
            })
            #expect(record.stage == .received)
            #expect(record.councilArea == "herefordshire")
            #expect(record.harm == [.sexualAssault])
            #expect(record.wishes == [.toBeListenedTo])
            #expect(record.consentStatistics)
            // Only a keyed verifier is kept (no slow hashing on intake), and it is of this passphrase.
            #expect(record.passphraseHash.hasPrefix("kb2v1$"))
            #expect(!record.passphraseHash.contains(passphrase))
            _ = try await harness.stores.portal.portalSignIn(reference: reference, passphrase: passphrase)
            // The partner can read what the family wrote.
            let decrypted = try harness.stores.intake.decryptedReferral(caseID: record.id)
            #expect(decrypted.contact.name == "\(canary) Name")
            #expect(decrypted.story == "What happened to \(canary) at school")
        }
    }

    @Test func twoReferralsGetDifferentReferencesAndPassphrases() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let a = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            let b = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            #expect(a.json?["reference"] as? String != b.json?["reference"] as? String)
            #expect(a.json?["passphrase"] as? String != b.json?["passphrase"] as? String)
        }
        #expect(try await harness.stores.intake.caseCount() == 2)
    }

    /// Each bad body gets a 4xx naming the field, stores nothing, and never quotes what was sent.
    /// Arguments: JSON merged over a valid referral, JSON merged over its contact, expected field and code.
    @Test(arguments: [
        (#"{"consent": {"contact": false, "statistics": true}}"#, "{}", "consent.contact", "consent_required"),
        (#"{"consent": {"statistics": true}}"#, "{}", "consent.contact", "consent_required"),
        (#"{"council_area": "atlantis"}"#, "{}", "council_area", "unknown_value"),
        (#"{"council_area": null}"#, "{}", "council_area", "required"),
        (#"{"referrer_role": "neighbour"}"#, "{}", "referrer_role", "unknown_value"),
        (#"{"setting": 3}"#, "{}", "setting", "wrong_type"),
        (#"{"harm": "sexual_assault"}"#, "{}", "harm", "wrong_type"),
        (#"{"harm": []}"#, "{}", "harm", "required"),
        (#"{"harm": ["sexual_assault", 7]}"#, "{}", "harm", "wrong_type"),
        (#"{"wishes": ["to_be_listened_to", "a_pony"]}"#, "{}", "wishes", "unknown_value"),
        (#"{"when": "yesterday"}"#, "{}", "when", "unknown_value"),
        (#"{"told_before": null}"#, "{}", "told_before", "required"),
        (#"{"favourite_colour": "blue"}"#, "{}", "favourite_colour", "unknown_field"),
        // A key that is not field-shaped is client text (here a name) and is never quoted back.
        (#"{"CANARY Jane Smith": "x"}"#, "{}", "(unrecognised field)", "unknown_field"),
        (#"{"contact": "call me"}"#, "{}", "contact", "wrong_type"),
        (#"{"consent": true}"#, "{}", "consent", "wrong_type"),
        ("{}", #"{"email": "not-an-address-CANARY"}"#, "contact.email", "invalid_email"),
        ("{}", #"{"phone": "call CANARY"}"#, "contact.phone", "invalid_phone"),
        ("{}", #"{"phone": "12"}"#, "contact.phone", "invalid_phone"),
        ("{}", #"{"name": 42}"#, "contact.name", "wrong_type"),
        ("{}", #"{"safe_to_leave_message": "yes"}"#, "contact.safe_to_leave_message", "wrong_type"),
        ("{}", #"{"name": "CANARY\#(String(repeating: "x", count: 200))"}"#, "contact.name", "too_long"),
        ("{}", #"{"name": "CANARY\u0007bell"}"#, "contact.name", "invalid_characters"),
        ("{}", #"{"name": "CANARY\u202Eevil"}"#, "contact.name", "invalid_characters"),
        ("{}", #"{"preference": "pigeon"}"#, "contact.preference", "unknown_value"),
        ("{}", #"{"preference": "phone", "phone": null}"#, "contact.phone", "required"),
        ("{}", #"{"preference": "post", "address": "   "}"#, "contact.address", "required"),
        ("{}", #"{"nickname": "CANARY"}"#, "contact.nickname", "unknown_field"),
        ("{}", #"{"CANARY@example.org": true}"#, "contact.(unrecognised field)", "unknown_field"),
    ])
    func badFieldsAreRefusedByName(overrides: String, contact: String, field: String, code: String) async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        let object = { (json: String) in try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any] }
        let body = Sample.json(Sample.referral(canary: canary, overrides: try object(overrides), contact: try object(contact)))
        try await harness.app().test(.router) { client in
            let response = try await client.refer(body)
            #expect(response.status == .unprocessableContent)
            let fields = (response.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
            #expect(fields.contains { $0["field"] == field && $0["code"] == code }, "\(fields)")
            #expect(!response.text.contains(canary), "the error body quotes a submitted value")
            #expect(!response.text.contains("CANARY"))
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
        #expect(!harness.logs.text.contains("CANARY"))
    }

    @Test func aStoryOverTheLimitIsRefusedAndOneAtTheLimitIsAccepted() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let over = Sample.referral(canary: "x", overrides: ["story": String(repeating: "é", count: IntakeLimits.story + 1)])
            let r1 = try await client.refer(Sample.json(over))
            #expect(r1.errorCode == "too_long")
            let at = Sample.referral(canary: "x", overrides: ["story": String(repeating: "é", count: IntakeLimits.story)])
            let r2 = try await client.refer(Sample.json(at))
            #expect(r2.status == .created)
        }
        #expect(try await harness.stores.intake.caseCount() == 1)
    }

    @Test func optionalContactDetailsMayBeLeftOutForPortalContact() async throws {
        let harness = try Harness()
        let body = Sample.json([
            "contact": ["preference": "portal"], "council_area": "worcestershire", "referrer_role": "prefer_not_to_say",
            "setting": "prefer_not_to_say", "harm": ["prefer_not_to_say"], "when": "prefer_not_to_say",
            "told_before": ["prefer_not_to_say"], "wishes": ["information_only"], "consent": ["contact": true, "statistics": false],
        ])
        try await harness.app().test(.router) { client in
            let r3 = try await client.refer(body)
            #expect(r3.status == .created)
        }
        let record = try #require(try await harness.database.reader.read { db in try CaseRecord.fetchOne(db) })
        #expect(record.consentStatistics == false)
        #expect(record.contactEmail == nil && record.story == nil)
    }

    @Test(arguments: [
        Array("not json".utf8), Array("[1,2,3]".utf8), Array("\"text\"".utf8), [],
        [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // {"<invalid UTF-8>":1}
        Array("{\"contact\": {".utf8),
    ])
    func bodiesThatAreNotAJSONObjectGet400(bytes: [UInt8]) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.refer(ByteBuffer(bytes: bytes))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_json")
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", ""])
    func otherContentTypesGet415(contentType: String) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.refer(Sample.json(Sample.referral(canary: "x")), contentType: contentType)
            #expect(response.status == .unsupportedMediaType)
            #expect(response.errorCode == "unsupported_media_type")
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func aBodyOverTheLimitIsRefusedWith413() async throws {
        let harness = try Harness()
        let huge = Sample.json(Sample.referral(canary: "x", overrides: ["story": String(repeating: "a", count: 70_000)]))
        try await harness.app().test(.router) { client in
            let response = try await client.refer(huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "too_large")
            // (A body refused from its declared length alone, before it is read, is checked over a real socket
            // in Tests/system/test_intake.sh: the in-process client sets Content-Length itself.)
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func aRetryWithTheSameIdempotencyKeyReturnsTheFirstAnswer() async throws {
        let harness = try Harness()
        let body = Sample.json(Sample.referral(canary: Sample.canary()))
        try await harness.app().test(.router) { client in
            let first = try await client.refer(body, headers: [.idempotencyKey: "retry-1"])
            let second = try await client.refer(body, headers: [.idempotencyKey: "retry-1"])
            #expect(first.status == .created && second.status == .created)
            #expect(first.json?["reference"] as? String == second.json?["reference"] as? String)
            #expect(first.json?["passphrase"] as? String == second.json?["passphrase"] as? String)
            #expect(first.headers[.idempotentReplayed] == nil)
            #expect(second.headers[.idempotentReplayed] == "true")
            // A different key is a different referral.
            let r4 = try await client.refer(body, headers: [.idempotencyKey: "retry-2"])
            #expect(r4.status == .created)
        }
        #expect(try await harness.stores.intake.caseCount() == 2)
    }

    @Test func concurrentRetriesWithOneKeyCreateOneCase() async throws {
        let harness = try Harness()
        let body = Sample.json(Sample.referral(canary: Sample.canary()))
        try await harness.app().test(.router) { client in
            let references = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await client.refer(body, headers: [.idempotencyKey: "same-key"]).json?["reference"] as? String }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(references.count == 12)
            #expect(Set(references.compactMap { $0 }).count == 1)
            #expect(references.allSatisfy { $0 != nil })
        }
        #expect(try await harness.stores.intake.caseCount() == 1)
    }

    @Test func reusingAKeyForADifferentReferralIsRefused() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            _ = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())), headers: [.idempotencyKey: "k"])
            let other = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())), headers: [.idempotencyKey: "k"])
            #expect(other.status == .unprocessableContent)
            #expect(other.errorCode == "idempotency_key_reused")
            #expect(other.json?["passphrase"] == nil)
        }
        #expect(try await harness.stores.intake.caseCount() == 1)
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "has space", "tab\there", "ünïcode"])
    func malformedIdempotencyKeysAreRefused(key: String) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            var headers = HTTPFields()
            headers.append(HTTPField(name: .idempotencyKey, value: key))
            let response = try await client.refer(Sample.json(Sample.referral(canary: "x")), headers: headers)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_idempotency_key")
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func manyDifferentReferralsAtOnceAreAllStored() async throws {
        var settings = Harness.fastSettings()
        settings.limits.intakePerMinute = 0
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<25 {
                    group.addTask { try await client.refer(Sample.json(Sample.referral(canary: Sample.canary()))).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .created, count: 25))
        }
        #expect(try await harness.stores.intake.caseCount() == 25)
        let references = try await harness.database.reader.read { db in try String.fetchAll(db, sql: "SELECT reference FROM referral_case") }
        #expect(Set(references).count == 25)
    }

    @Test func aSecondReferralWithTheSameContactIsLinkedNotRefused() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let first = Sample.referral(canary: "A", contact: ["email": "Parent.One@Example.org", "phone": "07700 900111"])
            let sameEmail = Sample.referral(canary: "B", contact: ["email": "  parent.one@example.ORG ", "phone": "07700 900222"])
            let samePhone = Sample.referral(canary: "C", contact: ["email": "someone@example.org", "phone": "+44 7700 900111"])
            let unrelated = Sample.referral(canary: "D", contact: ["email": "other@example.org", "phone": "07700 900333"])
            for body in [first, sameEmail, samePhone, unrelated] {
                let r5 = try await client.refer(Sample.json(body))
                #expect(r5.status == .created)
            }
        }
        let rows = try await harness.database.reader.read { db in
            try CaseRecord.order(CaseRecord.Columns.receivedAt).fetchAll(db)
        }
        try #require(rows.count == 4)
        let linkedTo = Set(rows.compactMap(\.duplicateOf))
        #expect(linkedTo == [rows[0].id], "both later referrals point at the first one")
        #expect(rows.filter { $0.duplicateOf != nil }.count == 2, "the same email and the same phone are each linked")
        #expect(rows.filter { $0.duplicateOf == nil }.count == 2)
    }

    @Test func intakeIsRateLimitedPerAddressWithRetryAfter() async throws {
        var settings = Harness.fastSettings()
        settings.limits.intakePerMinute = 3
        let harness = try Harness(settings: settings)
        // Time stands still until the test moves it: however slowly this runs (a sanitizer), the minute holds.
        let clock = TestClock()
        try await harness.app(clock: clock).test(.router) { client in
            for _ in 0..<3 {
                let r6 = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
                #expect(r6.status == .created)
            }
            let limited = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers[.retryAfter].flatMap(Int.init) == 60)
            clock.advance(by: 59)
            let stillLimited = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            #expect(stillLimited.headers[.retryAfter].flatMap(Int.init) == 1)
            clock.advance(by: 1.5)
            #expect(try await client.refer(Sample.json(Sample.referral(canary: Sample.canary()))).status == .created, "a minute later")
        }
        #expect(try await harness.stores.intake.caseCount() == 4)
    }

    @Test func behindATrustedProxyTheLimitIsPerForwardedClient() async throws {
        var settings = Harness.fastSettings()
        settings.limits.intakePerMinute = 1
        settings.server.trustedProxies = ["unknown"]  // the in-process client has no peer address
        let harness = try Harness(settings: settings)
        try await harness.app(clock: TestClock()).test(.router) { client in
            func send(_ forwarded: String) async throws -> HTTPResponse.Status {
                try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())),
                                       headers: [.xForwardedFor: forwarded]).status
            }
            let a = try await send("203.0.113.5"), b = try await send("203.0.113.6")
            let again = try await send("203.0.113.5"), spoofed = try await send("198.51.100.9, 203.0.113.5")
            #expect(a == .created)
            #expect(b == .created, "another client behind the proxy has its own budget")
            #expect(again == .tooManyRequests)
            #expect(spoofed == .tooManyRequests, "entries the client added on the left are ignored")
        }
        var untrusting = Harness.fastSettings()
        untrusting.limits.intakePerMinute = 1
        let direct = try Harness(settings: untrusting)
        try await direct.app(clock: TestClock()).test(.router) { client in
            let first = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())), headers: [.xForwardedFor: "203.0.113.5"])
            let second = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())), headers: [.xForwardedFor: "203.0.113.6"])
            #expect(first.status == .created && second.status == .tooManyRequests, "without a trusted proxy the header is ignored")
        }
    }

    @Test func aLimitOfZeroMeansUnlimited() async throws {
        var settings = Harness.fastSettings()
        settings.limits.intakePerMinute = 0
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            for _ in 0..<30 {
                let r7 = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
                #expect(r7.status == .created)
            }
        }
        #expect(try await harness.stores.intake.caseCount() == 30)
    }
}

/// The intake limiter counts over a sliding minute, so a burst across a clock-minute boundary is still limited.
@Suite struct RateLimiterTests {
    @Test func theWindowSlidesInsteadOfResettingOnTheMinute() async {
        let limiter = RateLimiter(limit: 3, window: 60)
        let start = Date(timeIntervalSince1970: 1_800_000_058)  // two seconds before a minute boundary
        for i in 0..<3 { #expect(await limiter.record("a", now: start.addingTimeInterval(Double(i) * 0.5)) == nil) }
        let acrossBoundary = await limiter.record("a", now: start.addingTimeInterval(3))
        #expect(acrossBoundary != nil, "a fourth event just after the minute turns is still over the limit")
        #expect(await limiter.record("b", now: start.addingTimeInterval(3)) == nil, "another address has its own budget")
        #expect(await limiter.record("a", now: start.addingTimeInterval(61)) == nil, "after a full minute the oldest has left")
        #expect(await RateLimiter(limit: 0, window: 60).record("a") == nil, "0 means unlimited")
    }
}
