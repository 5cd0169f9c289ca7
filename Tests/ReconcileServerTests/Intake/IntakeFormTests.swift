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

/// The HTML form as a browser with JavaScript off uses it: GET the form, POST it back with its cookie.
@Suite struct IntakeFormTests {
    /// What a browser holds after opening the form: the cookie and the hidden fields.
    struct OpenedForm {
        let cookie: String
        let csrfToken: String
        let submissionID: String
    }

    static func open(_ client: some TestClientProtocol) async throws -> OpenedForm {
        let page = try await client.execute(uri: "/refer", method: .get)
        #expect(page.status == .ok)
        let setCookie = try #require(page.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        return OpenedForm(cookie: String(setCookie.split(separator: ";")[0]),
                          csrfToken: try #require(hidden("csrf_token", in: page.text)),
                          submissionID: try #require(hidden("submission_id", in: page.text)))
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression) else { return nil }
        return html[range].split(separator: "\"").dropFirst(3).first.map(String.init)
    }

    static func fields(canary: String, _ form: OpenedForm, extra: [(String, String)] = []) -> [(String, String)] {
        [("csrf_token", form.csrfToken), ("submission_id", form.submissionID), ("website", ""),
         ("preference", "email"), ("name", "\(canary) Name"), ("email", "\(canary.lowercased())@example.org"),
         ("phone", ""), ("address", ""), ("safe_times", "evenings \(canary)"), ("story", "At school <b>\(canary)</b> & more"),
         ("council_area", "shropshire"), ("referrer_role", "parent_or_carer"), ("involvement", "harmed"), ("setting", "primary"),
         ("harm", "sexual_harassment"), ("harm", "online_or_image_based"), ("when", "under_1_year"),
         ("told_before", "school"), ("told_before", "police"), ("wishes", "counselling"),
         ("consent_contact", "yes"), ("consent_statistics", "yes")] + extra
    }

    static func encode(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&"))
    }

    /// As a browser posts our own form: `Sec-Fetch-Site: same-origin` unless the test gives other headers.
    static func post(_ client: some TestClientProtocol, _ body: ByteBuffer, cookie: String?,
                     headers extra: HTTPFields = [.secFetchSite: "same-origin"]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        headers.append(contentsOf: extra)
        return try await client.execute(uri: "/refer", method: .post, headers: headers, body: body)
    }

    @Test func aPersonCanReferThemselvesWithoutJavaScript() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            let response = try await Self.post(client, Self.encode(Self.fields(canary: canary, form)), cookie: form.cookie)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(response.text.contains("Your referral has been sent"))
            let reference = try #require(response.text.firstMatch(of: /RS-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.output) })
            let record = try #require(try await harness.database.reader.read { db in
                try CaseRecord.filter(CaseRecord.Columns.reference == reference).fetchOne(db)
            })
            // Repeated checkbox names keep every value; the story keeps its markup characters as text.
            #expect(record.harm == [.sexualHarassment, .onlineOrImageBased])
            #expect(record.toldBefore == [.school, .police])
            #expect(record.setting == .primary)
            let decrypted = try harness.stores.intake.decryptedReferral(caseID: record.id)
            #expect(decrypted.story == "At school <b>\(canary)</b> & more")
            #expect(decrypted.contact.safeToLeaveMessage == false)
            // The passphrase shown is the one stored (as a keyed verifier): it opens the portal.
            let passphrase = try #require(response.text.firstMatch(of: /id="passphrase">([a-z-]+)</).map { String($0.output.1) })
            #expect(passphrase.split(separator: "-").count == 6)
            #expect(!record.passphraseHash.contains(passphrase))
            _ = try await harness.stores.portal.portalSignIn(reference: record.reference, passphrase: passphrase)
        }
    }

    /// Where a POST came from: only our own origin, said by Sec-Fetch-Site or (without it) by an exact Origin or
    /// Referer. The router test's own origin is http://localhost.
    @Test(arguments: [
        ([HTTPField(name: .secFetchSite, value: "same-origin")], true),
        ([HTTPField(name: .origin, value: "http://localhost")], true),
        ([HTTPField(name: .referer, value: "http://localhost/refer")], true),
        ([HTTPField(name: .secFetchSite, value: "same-site")], false),
        ([HTTPField(name: .secFetchSite, value: "cross-site")], false),
        ([HTTPField(name: .secFetchSite, value: "none")], false),
        ([HTTPField(name: .secFetchSite, value: "same-site"), HTTPField(name: .origin, value: "http://localhost")], false),
        ([HTTPField(name: .origin, value: "null")], false),
        ([HTTPField(name: .origin, value: "http://localhost:8080")], false),
        ([HTTPField(name: .origin, value: "https://localhost")], false),
        ([HTTPField(name: .origin, value: "http://localhost.evil.example")], false),
        ([HTTPField(name: .origin, value: "http://evil.example"), HTTPField(name: .referer, value: "http://localhost/refer")], false),
        ([HTTPField(name: .referer, value: "http://sub.localhost/refer")], false),
        ([], false),
    ])
    func onlyOurOwnOriginMayPost(headers: [HTTPField], accepted: Bool) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            let response = try await Self.post(client, Self.encode(Self.fields(canary: Sample.canary(), form)), cookie: form.cookie,
                                               headers: HTTPFields(headers))
            #expect(response.status == (accepted ? .ok : .forbidden), "\(headers)")
        }
        #expect(try await harness.stores.intake.caseCount() == (accepted ? 1 : 0))
    }

    @Test func referrerPolicyIsSameOrigin() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let page = try await client.execute(uri: "/refer", method: .get)
            #expect(page.headers[.referrerPolicy] == "same-origin")
        }
    }

    @Test func sendingTheSameFormTwiceStoresOneReferral() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            let body = Self.encode(Self.fields(canary: Sample.canary(), form))
            let first = try await Self.post(client, body, cookie: form.cookie)
            let second = try await Self.post(client, body, cookie: form.cookie)
            #expect(first.status == .ok && second.status == .ok)
            let ref = { (r: TestResponse) in r.text.firstMatch(of: /RS-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.output) } }
            #expect(ref(first) != nil && ref(first) == ref(second))
        }
        #expect(try await harness.stores.intake.caseCount() == 1)
    }

    @Test func aFormWithProblemsIsShownAgainWithWhatWasTypedAndASummary() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            var fields = Self.fields(canary: canary, form).filter { $0.0 != "consent_contact" && $0.0 != "council_area" }
            fields.append(("name", "ignored second value"))
            let response = try await Self.post(client, Self.encode(fields), cookie: form.cookie)
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("There is a problem"))
            #expect(response.text.contains("href=\"#consent_contact\""))
            #expect(response.text.contains("href=\"#council_area-fieldset\""))
            // What the person typed is kept, escaped, so they do not have to type it again.
            #expect(response.text.contains("value=\"\(canary) Name\""))
            #expect(response.text.contains("At school &lt;b&gt;\(canary)&lt;/b&gt; &amp; more"))
            #expect(!response.text.contains("<b>\(canary)"))
            #expect(response.text.contains(/id="harm-sexual_harassment"[^>]*checked/))
            #expect(!response.text.contains(/id="harm-sexual_assault"[^>]*checked/))
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
        #expect(!harness.logs.text.contains(canary))
    }

    @Test func withoutTheFormCookieOrTokenNothingIsStored() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            let body = Self.encode(Self.fields(canary: Sample.canary(), form))
            let noCookie = try await Self.post(client, body, cookie: nil)
            #expect(noCookie.status == .forbidden)
            #expect(noCookie.text.contains("open the form again"))
            let otherCookie = try await Self.post(client, body, cookie: "reconcile_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            #expect(otherCookie.status == .forbidden)
            let forged = Self.encode(Self.fields(canary: Sample.canary(), OpenedForm(cookie: form.cookie, csrfToken: "forged", submissionID: "x")))
            let r1 = try await Self.post(client, forged, cookie: form.cookie)
            #expect(r1.status == .forbidden)
            let crossSite = try await Self.post(client, body, cookie: form.cookie, headers: [.secFetchSite: "cross-site"])
            #expect(crossSite.status == .forbidden)
            let foreignOrigin = try await Self.post(client, body, cookie: form.cookie, headers: [.origin: "https://evil.example"])
            #expect(foreignOrigin.status == .forbidden)
            // A look-alike whose name is a prefix of ours is another site too.
            let lookAlike = try await Self.post(client, body, cookie: form.cookie, headers: [.origin: "http://local"])
            #expect(lookAlike.status == .forbidden)
            // The token is made for the cookie it came with: a pair from another browser does not mix.
            let other = try await Self.open(client)
            let mixed = try await Self.post(client, body, cookie: other.cookie)
            #expect(mixed.status == .forbidden)
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func theHoneypotFieldStopsRobotsAndStoresNothing() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            let fields = Self.fields(canary: Sample.canary(), form).map { $0.0 == "website" ? ("website", "http://spam.example") : $0 }
            let response = try await Self.post(client, Self.encode(fields), cookie: form.cookie)
            #expect(response.status == .unprocessableContent)
            #expect(!response.text.contains("RS-"))
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func aBrokenFormBodyIsRefusedKindly() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await Self.open(client)
            let badEncoding = try await Self.post(client, ByteBuffer(string: "name=%FF%FE&csrf_token=\(form.csrfToken)"), cookie: form.cookie)
            #expect(badEncoding.status == .badRequest)
            #expect(badEncoding.headers[.contentType]?.hasPrefix("text/html") == true)
            let json = try await client.execute(uri: "/refer", method: .post,
                                                headers: [.contentType: "application/json", .cookie: form.cookie, .secFetchSite: "same-origin"],
                                                body: ByteBuffer(string: "{}"))
            #expect(json.status == .unsupportedMediaType)
            let huge = ByteBuffer(string: "story=" + String(repeating: "a", count: 70_000))
            let r2 = try await Self.post(client, huge, cookie: form.cookie)
            #expect(r2.status == .contentTooLarge)
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func theFormAndTheAPIShareOneRateLimit() async throws {
        var settings = Harness.fastSettings()
        settings.limits.intakePerMinute = 2
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let r3 = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            #expect(r3.status == .created)
            let form = try await Self.open(client)
            let r4 = try await Self.post(client, Self.encode(Self.fields(canary: Sample.canary(), form)), cookie: form.cookie)
            #expect(r4.status == .ok)
            let second = try await Self.open(client)
            let limited = try await Self.post(client, Self.encode(Self.fields(canary: Sample.canary(), second)), cookie: second.cookie)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            #expect(limited.text.contains("Please wait"))
        }
        #expect(try await harness.stores.intake.caseCount() == 2)
    }
}
