import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A shared or checked phone keeps no trace, and one session cannot flood the partner: sign-out tells the browser to
/// forget the site, an unused session ends on its own, the portal's writes are bounded per day, and the family can
/// read (and print) everything held without a JSON reader.
@Suite struct SharedDeviceTests {
    /// A family signed in through the pages: the cookies a browser would hold, and the case page's CSRF token.
    static func pageSession(_ client: some TestClientProtocol, _ family: PortalAPITests.Family) async throws -> (cookies: String, csrf: String, page: TestResponse) {
        let form = try await client.execute(uri: "/portal", method: .get)
        let csrfCookie = String(try require_(form.headers[.setCookie]).split(separator: ";")[0])
        let signIn = try await client.execute(
            uri: "/portal", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: csrfCookie, .secFetchSite: "same-origin"],
            body: IntakeFormTests.encode([("csrf_token", try require_(IntakeFormTests.hidden("csrf_token", in: form.text))),
                                          ("reference", family.reference), ("passphrase", family.passphrase)]))
        let cookies = "\(csrfCookie); " + String(try require_(signIn.headers[.setCookie]).split(separator: ";")[0])
        let page = try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: cookies])
        return (cookies, try require_(IntakeFormTests.hidden("csrf_token", in: page.text)), page)
    }

    @Test func signingOutTellsTheBrowserToForgetTheSiteAndShowsNothingOfTheCase() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let (cookies, csrf, page) = try await Self.pageSession(client, family)
            #expect(page.text.contains("<span class=\"reference\">\(family.reference)</span>"))
            #expect(page.text.contains("<body data-private data-idle-seconds=\"905\">"))
            let out = try await client.execute(uri: "/portal/sign-out", method: .post,
                                               headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookies, .secFetchSite: "same-origin"],
                                               body: IntakeFormTests.encode([("csrf_token", csrf)]))
            #expect(out.status == .seeOther && out.headers[.location] == "/portal/signed-out")
            #expect(out.headers[.clearSiteData] == #""cache", "cookies", "storage""#)
            let after = try await client.execute(uri: "/portal/signed-out", method: .get)
            #expect(after.status == .ok && after.text.contains("You are signed out") && after.text.contains("Close this tab"))
            #expect(!after.text.contains(family.reference) && !after.text.contains("data-private") && !after.text.contains("<form"))
            #expect(try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: cookies]).status == .seeOther)

            // The idle page's own refresh arrives with the cookie still set: that session ends there too.
            let (idleCookies, _, _) = try await Self.pageSession(client, family)
            let idle = try await client.execute(uri: "/portal/signed-out?idle=1", method: .get, headers: [.cookie: idleCookies])
            #expect(idle.text.contains("not used for 15 minutes") && idle.headers[.clearSiteData] != nil)
            #expect(try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: idleCookies]).status == .seeOther)

            // The API's sign-out, and staff by either door, say the same.
            let token = try #require(try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase).json?["token"] as? String)
            #expect(try await client.json("/api/v1/portal/session", .delete, token: token).headers[.clearSiteData] != nil)
            let staffToken = try await client.signIn(lead)
            #expect(try await client.json("/api/v1/staff/session", .delete, token: staffToken).headers[.clearSiteData] != nil)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            _ = try await browser.get("/staff/cases")
            let staffOut = try await browser.post("/staff/sign-out", [])
            #expect(staffOut.status == .seeOther && staffOut.headers[.clearSiteData] == #""cache", "cookies", "storage""#)
        }
    }

    @Test func aSessionUnusedForTheIdleMinutesHasEnded() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, harness)
            func unused(for minutes: Double) async throws {
                try await harness.database.writer.write { db in
                    try db.execute(sql: "UPDATE portal_session SET last_seen_at = ?", arguments: [Date().addingTimeInterval(-minutes * 60)])
                }
            }
            try await unused(for: 14)
            #expect(try await client.json("/api/v1/portal/case", .get, token: token).status == .ok)
            try await unused(for: 15.5)
            #expect(try await client.json("/api/v1/portal/case", .get, token: token).status == .unauthorized, "limits.portal_idle_minutes")
        }
    }

    @Test func messagesAndFeedbackAreBoundedPerCasePerDayEvenAllAtOnce() async throws {
        var settings = Harness.fastSettings()
        settings.limits.familyMessagesPerDay = 4
        settings.limits.familyFeedbackPerDay = 2
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let (family, token) = try await PortalAPITests.signedInFamily(client, harness)
            func burst(_ uri: String, _ key: String, _ value: any Sendable) async throws -> [TestResponse] {
                try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for _ in 0..<12 { group.addTask { try await client.json(uri, .post, token: token, body: [key: value]) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let messages = try await burst("/api/v1/portal/messages", "body", "Are you there?")
            #expect(messages.filter { $0.status == .created }.count == 4)
            #expect(messages.filter { $0.status == .tooManyRequests }.allSatisfy { $0.errorCode == "too_many_today" && $0.headers[.retryAfter] != nil })
            #expect(messages.filter { $0.status == .tooManyRequests }.count == 8)
            let feedback = try await burst("/api/v1/portal/feedback", "listened_to", 4)
            #expect(feedback.filter { $0.status == .created }.count == 2 && feedback.filter { $0.status == .tooManyRequests }.count == 10)
            let stored = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_message WHERE case_id = ?", arguments: [family.caseID]) ?? 0
            }
            #expect(stored == 4)
            // The page says so in words, not a stack of JSON.
            let (cookies, csrf, _) = try await Self.pageSession(client, family)
            let page = try await client.execute(uri: "/portal/messages", method: .post,
                                                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookies, .secFetchSite: "same-origin"],
                                                body: IntakeFormTests.encode([("csrf_token", csrf), ("body", "One more")]))
            #expect(page.status == .tooManyRequests && page.text.contains("as many of these as we can take"))
        }
        // 0 lifts the bound.
        var open = Harness.fastSettings()
        open.limits.familyMessagesPerDay = 0
        let unbounded = try Harness(settings: open)
        try await unbounded.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, unbounded)
            for _ in 0..<25 { #expect(try await client.json("/api/v1/portal/messages", .post, token: token, body: ["body": "hello"]).status == .created) }
        }
    }

    @Test func everythingHeldReadsAsAPageInTheFamilysLanguage() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let (family, token) = try await PortalAPITests.signedInFamily(client, harness)
            let staff = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(family.caseID)/acknowledge", .post, token: staff, body: ["method": "phone", "note": "Spoke \(canary)"])
            _ = try await client.json("/api/v1/cases/\(family.caseID)/messages", .post, token: staff, body: ["body": "Hello \(canary)"])
            let html = try await client.execute(uri: "/api/v1/portal/export?format=html", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(html.status == .ok && html.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("Everything we hold about your referral") && html.text.contains(family.reference))
            #expect(html.text.contains("Hello \(canary)") && html.text.contains("Spoke \(canary)") && html.text.contains("Secondary school"))
            // One way of writing times: the partner's message as the portal and the staff case page show it.
            let sent = try await harness.database.reader.read { db in
                try Date.fetchOne(db, sql: "SELECT sent_at FROM case_message WHERE case_id = ?", arguments: [family.caseID])!
            }
            let written = sent.formatted(ServiceTime.moment(.english))
            #expect(html.text.contains("The partner wrote on \(written)"))
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            #expect(try await browser.get("/staff/cases/\(family.caseID)").text.contains(written))
            let json = try await client.json("/api/v1/portal/export", .get, token: token)
            #expect(json.json?["reference"] as? String == family.reference)
            let wrong = try await client.json("/api/v1/portal/export?format=xml", .get, token: token)
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("format"))
            // In Polish when the family asks for it.
            let polish = try await client.execute(uri: "/api/v1/portal/export?format=html", method: .get,
                                                  headers: [.authorization: "Bearer \(token)", .acceptLanguage: "pl"])
            #expect(polish.text.contains("Wszystko, co przechowujemy"))
        }
    }
}
