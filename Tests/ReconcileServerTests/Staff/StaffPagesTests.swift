import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A browser without JavaScript, in process: keeps cookies, reads the CSRF token from each page, posts forms.
struct PageBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var token = ""

    mutating func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: headers(), body: nil)
        keep(response)
        return response
    }

    mutating func post(_ uri: String, _ fields: [(String, String)], token override: String? = nil) async throws -> TestResponse {
        var headers = headers()
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[.secFetchSite] = "same-origin"
        let response = try await client.execute(uri: uri, method: .post, headers: headers,
                                                body: IntakeFormTests.encode([("csrf_token", override ?? token)] + fields))
        keep(response)
        return response
    }

    /// Signs in through the form with password and a current TOTP code; returns the redirect.
    /// `codeAt`: a later step's code when the same account already signed in this step (a code never works twice).
    mutating func signIn(_ staff: TestStaff, at path: String = "/staff/sign-in", codeAt: Date = Date()) async throws -> TestResponse {
        _ = try await get(path)
        return try await post(path, [("email", staff.email), ("password", staff.password), ("code", staff.code(at: codeAt))])
    }

    private func headers() -> HTTPFields {
        var h: HTTPFields = [:]
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return h
    }

    private mutating func keep(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let (name, value) = (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let t = IntakeFormTests.hidden("csrf_token", in: response.text) { token = t }
    }
}

@Suite struct StaffPagesTests {
    @Test func aLeadSignsInWithPasswordAndCodeAndSeesTheCaseList() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness)
            let reference = try #require(try harness.stores.intake.caseRecord(id: CaseID(id))?.reference)
            var browser = PageBrowser(client: client)
            let before = try await browser.get("/staff/cases")
            #expect(before.status == .seeOther && before.headers[.location] == "/staff/sign-in")

            let page = try await browser.get("/staff/sign-in")
            #expect(page.status == .ok && page.text.contains("autocomplete=\"off\""))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.headers[.cacheControl] == "no-store" && page.headers[.referrerPolicy] == "same-origin")
            let wrong = try await browser.post("/staff/sign-in", [("email", lead.email), ("password", lead.password), ("code", "000000")])
            #expect(wrong.status == .unauthorized && wrong.text.contains("not right"))
            #expect(wrong.headers[.setCookie]?.contains("reconcile_session") != true)

            let signedIn = try await browser.post("/staff/sign-in", [("email", lead.email), ("password", lead.password), ("code", lead.code())])
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/staff/cases")
            #expect(signedIn.headers[.setCookie]?.contains("HttpOnly; SameSite=Strict") == true)

            let list = try await browser.get("/staff/cases")
            #expect(list.status == .ok && list.text.contains(reference) && list.text.contains("/staff/cases/\(id)"))
            #expect(list.headers[.xFrameOptions] == "DENY")
            let filtered = try await browser.get("/staff/cases?stage=closed")
            #expect(filtered.status == .ok && !filtered.text.contains(reference) && filtered.text.contains("No cases match"))
            let unassigned = try await browser.get("/staff/cases?assigned=none&overdue=&unread=")
            #expect(unassigned.text.contains(reference))
            let unread = try await browser.get("/staff/cases?unread=1")
            #expect(!unread.text.contains(reference))
            let badStage = try await browser.get("/staff/cases?stage=nonsense")
            #expect(badStage.status == .badRequest || badStage.status == .unprocessableContent)

            // The session cookie opens pages only: the API still wants the bearer header.
            let api = try await client.execute(uri: "/api/v1/cases", method: .get,
                                               headers: [.cookie: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")])
            #expect(api.status == .unauthorized)

            let out = try await browser.post("/staff/sign-out", [])
            #expect(out.status == .seeOther && out.headers[.location]?.hasPrefix("/staff/sign-in") == true)
            let after = try await browser.get("/staff/cases")
            #expect(after.status == .seeOther)
        }
    }

    @Test func theCasePageOffersOnlyTheStepsTheLifecycleAllows() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness, canary: canary)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.status == .ok)
            #expect(page.text.contains(canary), "the family's words and contact details are shown to the lead")
            let forms = { (html: String) in Set(["assign", "acknowledge", "listening-sessions", "assessment", "signposts", "close", "safeguarding", "messages"]
                .filter { html.contains("action=\"/staff/cases/\(id)/\($0)\"") }) }
            #expect(forms(page.text) == ["assign", "acknowledge", "close", "safeguarding", "messages"])
            #expect(!page.text.contains("value=\"completed\""), "completed is allowed only after a listening session")

            let ack = try await browser.post("/staff/cases/\(id)/acknowledge", [("method", "phone"), ("note", "")])
            #expect(ack.status == .seeOther && ack.headers[.location] == "/staff/cases/\(id)?done=acknowledge")
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .acknowledged)
            let next = try await browser.get("/staff/cases/\(id)?done=acknowledge")
            #expect(forms(next.text) == ["assign", "listening-sessions", "close", "safeguarding", "messages"])
            #expect(next.text.contains("Acknowledgement recorded"))
            #expect(next.text.contains("Timeline"))

            // Refused by the lifecycle: a friendly 409 page, nothing changes.
            let refused = try await browser.post("/staff/cases/\(id)/acknowledge", [("method", "phone")])
            #expect(refused.status == .conflict && refused.text.contains("<h1>That step is not possible now</h1>"))
            #expect(refused.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .acknowledged)
        }
    }

    @Test func aFormWithoutItsCSRFTokenChangesNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            _ = try await browser.get("/staff/cases/\(id)")
            let forged = try await browser.post("/staff/cases/\(id)/acknowledge", [("method", "phone")], token: "forged")
            #expect(forged.status == .forbidden && forged.text.contains("This form has expired"))
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .received)
            // The token is bound to the session: after signing out and in again in the same browser (same CSRF
            // cookie), the old session's token is refused.
            let oldToken = browser.token
            _ = try await browser.post("/staff/sign-out", [])
            _ = try await browser.get("/staff/sign-in")
            // The next step's code: a code never works twice.
            let again = try await browser.post("/staff/sign-in", [("email", lead.email), ("password", lead.password),
                                                                  ("code", lead.code(at: Date().addingTimeInterval(30)))])
            #expect(again.headers[.location] == "/staff/cases", "signed in again")
            let stale = try await browser.post("/staff/cases/\(id)/acknowledge", [("method", "phone")], token: oldToken)
            #expect(stale.status == .forbidden)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .received)
            // Sign-in itself needs the token too (no login CSRF).
            var fresh = PageBrowser(client: client)
            let noToken = try await fresh.post("/staff/sign-in", [("email", lead.email), ("password", lead.password), ("code", lead.code())])
            #expect(noToken.status == .forbidden)
        }
    }

    @Test func aPractitionerCannotOpenACaseNotAssignedToThem() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let officer = try await harness.addStaff("officer@example.org", role: .council, area: "shropshire")
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness, canary: canary)
            var practitioner = PageBrowser(client: client)
            let signedIn = try await practitioner.signIn(pat)
            #expect(signedIn.headers[.location] == "/staff/cases")
            let list = try await practitioner.get("/staff/cases")
            #expect(list.status == .ok && !list.text.contains(id))
            // Not theirs: the same "Page not found" as for a case that does not exist.
            let page = try await practitioner.get("/staff/cases/\(id)")
            let missing = try await practitioner.get("/staff/cases/\(UUID().uuidString.lowercased())")
            #expect(page.status == .notFound && page.text.contains("Page not found") && !page.text.contains(canary))
            #expect(missing.status == page.status && missing.text == page.text)
            #expect(!practitioner.token.isEmpty)
            let act = try await practitioner.post("/staff/cases/\(id)/acknowledge", [("method", "phone")])
            #expect(act.status == .notFound)
            let themes = try await practitioner.get("/staff/themes")
            #expect(themes.status == .forbidden)

            // The lead assigns through the page; now the practitioner can open it.
            var leadBrowser = PageBrowser(client: client)
            _ = try await leadBrowser.signIn(lead)
            _ = try await leadBrowser.get("/staff/cases/\(id)")
            let assigned = try await leadBrowser.post("/staff/cases/\(id)/assign", [("practitioner", pat.email)])
            #expect(assigned.status == .seeOther)
            let now = try await practitioner.get("/staff/cases/\(id)")
            #expect(now.status == .ok && now.text.contains(canary))
            #expect(!now.text.contains("/staff/cases/\(id)/assign\""), "only a lead assigns")

            // A council officer signs in at the same form but is sent to /council and never reaches a case.
            var council = PageBrowser(client: client)
            let councilIn = try await council.signIn(officer)
            #expect(councilIn.headers[.location] == "/council")
            let councilCase = try await council.get("/staff/cases/\(id)")
            #expect(councilCase.status == .forbidden && !councilCase.text.contains(canary))
            let directory = try await leadBrowser.get("/staff/directory")
            #expect(directory.status == .ok && directory.text.contains("Service directory"))
        }
    }
}
