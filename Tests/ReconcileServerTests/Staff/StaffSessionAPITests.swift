import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileServer

/// Sign-in with password and TOTP, sessions, sign-out, and slowing down guessing.
@Suite struct StaffSessionAPITests {
    @Test func signInGivesATokenAndAStrictCookie() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let response = try await client.json("/api/v1/staff/session", .post,
                                                 body: ["email": " Lead@Example.org", "password": lead.password, "totp": lead.code()])
            #expect(response.status == .ok)
            let token = try #require(response.json?["token"] as? String)
            #expect(token.count >= 40)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains(token))
            let r1 = try await client.json("/api/v1/cases", .get, token: token)
            #expect(r1.status == .ok)
            // The cookie alone does not open the API: it is for pages, the API takes the bearer header.
            let cookieOnly = try await client.execute(uri: "/api/v1/cases", method: .get, headers: [.cookie: String(cookie.split(separator: ";")[0])])
            #expect(cookieOnly.status == .unauthorized)
        }
    }

    @Test func everyWrongCredentialGetsTheSameAnswer() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let disabled = try await harness.addStaff("gone@example.org", role: .practitioner)
        try await harness.stores.staff.disableStaff(email: disabled.email)
        try await harness.app().test(.router) { client in
            let attempts: [[String: Any]] = [
                ["email": lead.email, "password": "wrong password here", "totp": lead.code()],
                ["email": lead.email, "password": lead.password, "totp": "000000"],
                ["email": "nobody@example.org", "password": lead.password, "totp": lead.code()],
                ["email": disabled.email, "password": disabled.password, "totp": disabled.code()],
            ]
            var bodies = Set<String>()
            for attempt in attempts {
                let response = try await client.json("/api/v1/staff/session", .post, body: attempt)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "invalid_credentials")
                bodies.insert(response.text)
            }
            #expect(bodies.count == 1, "the answer does not reveal which part was wrong")
            // A code that worked once cannot be used again.
            let code = lead.code()
            let r2 = try await client.json("/api/v1/staff/session", .post, body: ["email": lead.email, "password": lead.password, "totp": code])
            #expect(r2.status == .ok)
            let r3 = try await client.json("/api/v1/staff/session", .post, body: ["email": lead.email, "password": lead.password, "totp": code])
            #expect(r3.status == .unauthorized)
            let missing = try await client.json("/api/v1/staff/session", .post, body: ["email": lead.email, "password": lead.password])
            #expect(missing.status == .unprocessableContent)
        }
        for secret in [lead.password, "wrong password here"] {
            #expect(!harness.logs.text.contains(secret), "a password reached the log")
        }
        #expect(!harness.logs.text.contains("nobody@example.org"))
    }

    @Test func repeatedFailuresLockSignInWith429EvenForTheRightPassword() async throws {
        var settings = Harness.fastSettings()
        settings.limits.loginFailures = 3
        let harness = try Harness(settings: settings)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            for _ in 0..<3 {
                let r4 = try await client.json("/api/v1/staff/session", .post, body: ["email": lead.email, "password": "guess guess guess", "totp": "123456"])
                #expect(r4.status == .unauthorized)
            }
            let locked = try await client.json("/api/v1/staff/session", .post, body: ["email": lead.email, "password": lead.password, "totp": lead.code()])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 && $0 <= 15 * 60 } == true)
        }
    }

    @Test func signOutEndsTheSessionAtOnce() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let r5 = try await client.json("/api/v1/staff/session", .delete, token: token)
            #expect(r5.status == .noContent)
            let r6 = try await client.json("/api/v1/cases", .get, token: token)
            #expect(r6.status == .unauthorized)
            let r7 = try await client.json("/api/v1/staff/session", .delete, token: token)
            #expect(r7.status == .unauthorized)
        }
    }

    @Test func anIdleSessionExpiresAndADisabledAccountsSessionStops() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let other = try await harness.addStaff("other@example.org", role: .lead)
        var policy = StaffSessionPolicy()
        policy.idle = 12
        let clock = TestClock()
        try await harness.app(sessionPolicy: policy, clock: clock).test(.router) { client in
            let token = try await client.signIn(lead, at: clock.now)
            let r8 = try await client.json("/api/v1/cases", .get, token: token)
            #expect(r8.status == .ok)
            clock.advance(by: 11)
            let r8b = try await client.json("/api/v1/cases", .get, token: token)
            #expect(r8b.status == .ok, "used within the idle limit, the session goes on")
            clock.advance(by: 13)
            let r9 = try await client.json("/api/v1/cases", .get, token: token)
            #expect(r9.status == .unauthorized)
        }
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(other)
            try await harness.stores.staff.disableStaff(email: other.email)
            let r10 = try await client.json("/api/v1/cases", .get, token: token)
            #expect(r10.status == .unauthorized)
        }
    }
}
