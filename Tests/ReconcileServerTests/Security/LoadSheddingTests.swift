import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Tried as an attacker with a script would: many sign-ins at once, not one after another. The lockout must
/// hold under the burst, and slow hashing must never take the service away from everyone else.
@Suite struct LoadSheddingTests {
    /// Sign-in attempts that reached verification, as the audit log records them.
    static func checked(_ harness: Harness, action: String, detail: String) async throws -> Int {
        try await harness.database.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail = ?", arguments: [action, detail])!
        }
    }

    static func burst(_ count: Int, _ attempt: @escaping @Sendable (Int) async throws -> TestResponse) async throws -> [TestResponse] {
        try await withThrowingTaskGroup(of: TestResponse.self) { group in
            for index in 0..<count { group.addTask { try await attempt(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func sixtyWrongStaffSignInsAtOnceGetNoMoreChecksThanTheLimit() async throws {
        var settings = Harness.fastSettings()
        settings.limits.loginFailures = 10
        let harness = try Harness(settings: settings)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let responses = try await Self.burst(60) { n in
                try await client.json("/api/v1/staff/session", .post,
                                      body: ["email": lead.email, "password": "wrong guess number \(n)", "totp": lead.code()])
            }
            let unauthorised = responses.filter { $0.status.code == 401 }.count
            let limited = responses.filter { $0.status.code == 429 }
            #expect(unauthorised + limited.count == 60)
            #expect(unauthorised <= 10, "\(unauthorised) guesses were checked")
            #expect(limited.allSatisfy { Int($0.headers[.retryAfter] ?? "") ?? 0 >= 1 })
            #expect(try await Self.checked(harness, action: "staff.sign_in_failed", detail: "password") <= 10)
            // The account stays locked for the right password too, until the window passes.
            let right = try await client.json("/api/v1/staff/session", .post,
                                              body: ["email": lead.email, "password": lead.password, "totp": lead.code()])
            #expect(right.status == .tooManyRequests)
        }
    }

    @Test func aSuccessfulSignInIsHandedBackToTheBudget() async throws {
        var settings = Harness.fastSettings()
        settings.limits.loginFailures = 2
        let harness = try Harness(settings: settings)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        // The server's clock stands at the start of a step, so the code a step back stays in the window however
        // slowly the machine runs.
        let now = Date()
        let clock = TestClock(now.addingTimeInterval(-now.timeIntervalSince1970.truncatingRemainder(dividingBy: 30) + 1))
        try await harness.app(clock: clock).test(.router) { client in
            // Three good sign-ins in a row (codes of three steps in the accepted window) against a budget of two:
            // each attempt is counted before it is checked, and handed back when it succeeds.
            for step in -1...1 {
                _ = try await client.signIn(lead, at: clock.now.addingTimeInterval(TimeInterval(30 * step)))
            }
        }
    }

    @Test func sixtyWrongPassphrasesAtOnceForOneReferenceGetNoMoreChecksThanTheLimit() async throws {
        var settings = Harness.fastSettings()
        settings.limits.loginFailures = 10
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let responses = try await Self.burst(60) { n in
                try await PortalAPITests.signIn(client, reference: family.reference, passphrase: "guess-\(n)-of-six-words-here")
            }
            let unauthorised = responses.filter { $0.status.code == 401 }.count
            let limited = responses.filter { $0.status.code == 429 }.count
            #expect(unauthorised + limited == 60)
            #expect(unauthorised <= 10, "\(unauthorised) guesses were checked")
            #expect(try await Self.checked(harness, action: "portal.sign_in_failed", detail: "passphrase") <= 10)
        }
    }

    @Test func whenEveryHashingThreadIsBusyASignInGets503AtOnceAndTheServiceStillAnswers() async throws {
        var settings = Harness.fastSettings()
        settings.security.passwordHashCost = .interactive   // slow enough (64 MiB) that a burst fills the pool
        settings.security.hashWorkers = 1
        settings.security.hashQueue = 1
        settings.limits.loginFailures = 0
        let harness = try Harness(settings: settings)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            async let readiness: [TestResponse] = Self.burst(5) { _ in try await client.execute(uri: "/readyz", method: .get) }
            let responses = try await Self.burst(12) { n in
                try await client.json("/api/v1/staff/session", .post,
                                      body: ["email": "person\(n)@example.org", "password": "any password at all", "totp": lead.code()])
            }
            let busy = responses.filter { $0.status == .serviceUnavailable }
            #expect(!busy.isEmpty, "one thread and a queue of one cannot take twelve at once")
            #expect(responses.filter { $0.status == .unauthorized }.count >= 1)
            #expect(responses.allSatisfy { $0.status == .serviceUnavailable || $0.status == .unauthorized })
            for response in busy {
                #expect(response.errorCode == "busy")
                #expect(response.headers[.retryAfter] == "1")
            }
            #expect(try await readiness.allSatisfy { $0.status == .ok })
        }
    }

    @Test func aMalformedEmailIsRefusedWithoutHashing() async throws {
        var settings = Harness.fastSettings()
        settings.security.hashWorkers = 1
        settings.security.hashQueue = 0
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            var unauthorised = 0
            for email in ["", "not-an-email", "a@b@c", String(repeating: "x", count: 300) + "@example.org", "ctrl\u{7}@example.org"] {
                let r = try await client.json("/api/v1/staff/session", .post, body: ["email": email, "password": "whatever it is", "totp": "123456"])
                // Refused by the JSON reader (422, e.g. empty) or by the store as malformed (401): never hashed.
                #expect(r.status == .unauthorized || r.status == .unprocessableContent)
                if r.status == .unauthorized { unauthorised += 1 }
            }
            #expect(unauthorised >= 3)
            #expect(try await Self.checked(harness, action: "staff.sign_in_failed", detail: "malformed") == unauthorised)
        }
        // An unknown but well-formed email would have been checked against the dummy hash; none was.
        #expect(try await Self.checked(harness, action: "staff.sign_in_failed", detail: "unknown_email") == 0)
    }

    @Test func intakeDoesNoSlowHashingEvenAtTheShippedCost() async throws {
        var settings = Harness.fastSettings()
        settings.security.passwordHashCost = .moderate
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            for _ in 0..<5 {
                let r = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
                #expect(r.status == .created)
            }
        }
        let stored = try await harness.database.reader.read { db in try String.fetchAll(db, sql: "SELECT passphrase_hash FROM referral_case") }
        #expect(stored.count == 5 && stored.allSatisfy { $0.hasPrefix("kb2v1$") })
    }
}
