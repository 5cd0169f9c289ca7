import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The portal as a browser with JavaScript off uses it: forms, cookies, redirects.
@Suite struct PortalPagesTests {
    static func form(_ pairs: [(String, String)]) -> ByteBuffer { IntakeFormTests.encode(pairs) }

    @Test func aFamilySignsInReadsAndRepliesThroughThePages() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: canary)
            let page = try await client.execute(uri: "/portal", method: .get)
            #expect(page.status == .ok && page.text.contains("data-quick-exit"))
            let csrfCookie = String(try #require(page.headers[.setCookie]).split(separator: ";")[0])
            let token = try #require(IntakeFormTests.hidden("csrf_token", in: page.text))
            let post = { (uri: String, fields: [(String, String)], cookie: String) in
                try await client.execute(uri: uri, method: .post,
                                         headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie, .secFetchSite: "same-origin"],
                                         body: Self.form(fields))
            }

            let wrong = try await post("/portal", [("csrf_token", token), ("reference", family.reference), ("passphrase", "no such words")], csrfCookie)
            #expect(wrong.status == .unauthorized && wrong.text.contains("not right"))
            let signedIn = try await post("/portal", [("csrf_token", token), ("reference", family.reference), ("passphrase", family.passphrase)], csrfCookie)
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/portal/case")
            let setCookie = try #require(signedIn.headers[.setCookie])
            // A browser-session cookie: closing the browser on a shared device signs the family out.
            #expect(!setCookie.contains("Max-Age") && !setCookie.contains("Expires"))
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            let sessionCookie = String(setCookie.split(separator: ";")[0])
            let cookies = "\(csrfCookie); \(sessionCookie)"

            let casePage = try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: cookies])
            #expect(casePage.status == .ok)
            #expect(casePage.text.contains(family.reference) && casePage.text.contains("data-quick-exit"))
            // The token is bound to the signed-in session: the one from the sign-in page no longer works.
            let stale = try await post("/portal/messages", [("csrf_token", token), ("body", "stale")], cookies)
            #expect(stale.status == .forbidden)
            let sessionToken = try #require(IntakeFormTests.hidden("csrf_token", in: casePage.text))
            #expect(sessionToken != token)
            let reply = try await post("/portal/messages", [("csrf_token", sessionToken), ("body", "From the page \(canary)")], cookies)
            #expect(reply.status == .seeOther)
            let again = try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: cookies])
            #expect(again.text.contains("From the page \(canary)"))
            // Without the form token nothing happens, even with the session cookie.
            let forged = try await post("/portal/withdraw", [("csrf_token", "forged")], cookies)
            #expect(forged.status == .forbidden)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(family.caseID))?.stage == .received)
            // A second session of the same family, in the same browser (same CSRF cookie), gets its own token.
            let second = try await post("/portal", [("csrf_token", token), ("reference", family.reference), ("passphrase", family.passphrase)], csrfCookie)
            let secondCookies = "\(csrfCookie); " + String(try #require(second.headers[.setCookie]).split(separator: ";")[0])
            let crossed = try await post("/portal/withdraw", [("csrf_token", sessionToken)], secondCookies)
            #expect(crossed.status == .forbidden)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(family.caseID))?.stage == .received)
            let out = try await post("/portal/sign-out", [("csrf_token", sessionToken)], cookies)
            #expect(out.status == .seeOther && out.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: cookies])
            #expect(after.status == .seeOther && after.headers[.location] == "/portal")
        }
    }

    @Test func withoutASessionThePortalPagesSendYouToSignIn() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for path in ["/portal/case", "/portal/export"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther && response.headers[.location] == "/portal", "\(path)")
            }
        }
    }
}
