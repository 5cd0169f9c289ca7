import Foundation
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
import GRDB
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Choosing a language as a family does: the switch, then the cookie it leaves, then what the browser says.
@Suite struct LanguageChoiceTests {
    @Test(arguments: [
        ("pl", "en", "en-GB", FamilyLanguage.polish),  // the switch beats the cookie and the header
        ("zz", "pl", "en-GB", .polish),  // an unknown ?lang= is ignored, the cookie holds
        ("", "", "pl-PL,pl;q=0.9,en;q=0.8", .polish),
        ("", "", "de-DE, en;q=0.5, pl;q=0.7", .polish),  // by q-value, not by order
        ("", "", "en-US;q=0.9, pl;q=0.9", .english),  // a tie keeps the header's order
        ("", "", "pl;q=0, de", .english),  // q=0 means "not this"
        ("", "", "fr, de", .english),
        ("", "en-easy", "pl", .easyRead),
        ("", "", "en-easy", .english),  // easy read is chosen by the family, never guessed
    ])
    func theSwitchThenTheCookieThenTheBrowser(query: String, cookie: String, header: String, expected: FamilyLanguage) {
        #expect(FamilyLanguage.choose(query: query.isEmpty ? nil : query, cookie: cookie.isEmpty ? nil : cookie,
                                      acceptLanguage: header) == expected)
    }

    @Test func aHugeOrBrokenHeaderFallsBackToEnglish() {
        #expect(FamilyLanguage.fromAcceptLanguage(String(repeating: "pl,", count: 2_000)) == nil)
        #expect(FamilyLanguage.fromAcceptLanguage(";;;,,,q=,=;") == nil)
        #expect(FamilyLanguage.choose(query: nil, cookie: "\u{0}pl", acceptLanguage: "\u{7}") == .english)
    }

    static func setCookies(_ response: TestResponse) -> [String] { response.headers[values: .setCookie] }

    @Test func everyFamilyPageReadsInEachLanguageWithNothingLeftUntranslated() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for language in FamilyLanguage.allCases {
                let catalogue = Catalogues[language]
                for path in ["/", "/refer", "/refer?as=young_person", "/portal", "/no-such-page"] {
                    let uri = path + (path.contains("?") ? "&" : "?") + "lang=\(language.rawValue)"
                    let page = try await client.execute(uri: uri, method: .get)
                    let html = page.text
                    #expect(html.contains("<html lang=\"\(catalogue.about.htmlLang)\" dir=\"\(catalogue.about.dir)\">"), "\(uri)")
                    #expect(page.headers[.contentLanguage] == catalogue.about.htmlLang)
                    // No placeholder left unfilled and no key shown in place of its words.
                    #expect(html.firstMatch(of: /\{[a-z_]+\}/) == nil, "\(uri) has an unfilled placeholder")
                    let shownKeys = catalogue.messages.keys.filter { html.contains(">\($0)<") || html.contains(">\($0) ") }
                    #expect(shownKeys.isEmpty, "\(uri) shows keys: \(shownKeys)")
                    for key in ["site_quick_exit", "site_not_emergency_title"] { #expect(html.contains(catalogue[key]), "\(uri) \(key)") }
                    // The switch: every language as a link in its own name, the current one marked and not a link.
                    #expect(html.contains("<span aria-current=\"true\" lang=\"\(catalogue.about.htmlLang)\">\(catalogue.about.name)</span>"))
                    for other in FamilyLanguage.allCases where other != language {
                        #expect(html.contains("lang=\(other.rawValue)\" lang=\"\(Catalogues[other].about.htmlLang)\""), "\(uri) → \(other)")
                    }
                }
                let form = try await client.execute(uri: "/refer?as=young_person&lang=\(language.rawValue)", method: .get)
                #expect(form.text.contains(catalogue["refer_yp_danger"]) && form.text.contains(catalogue["choice_involvement_yp_harmed"]))
                #expect(form.text.contains("href=\"/refer?as=young_person&amp;lang="), "the switch keeps the young person's form")
            }
        }
    }

    @Test func theSwitchLeavesASessionCookieOnlyForALanguageWeHave() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let chosen = try await client.execute(uri: "/?lang=pl", method: .get)
            let cookie = try #require(Self.setCookies(chosen).first { $0.hasPrefix("reconcile_lang=") })
            #expect(cookie.hasPrefix("reconcile_lang=pl;") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            // A lasting cookie would be one more trace of the visit on a shared device.
            #expect(!cookie.contains("Max-Age") && !cookie.contains("Expires"))
            let remembered = try await client.execute(uri: "/refer", method: .get, headers: [.cookie: "reconcile_lang=pl"])
            #expect(remembered.text.contains("<html lang=\"pl\""))
            #expect(!Self.setCookies(remembered).contains { $0.hasPrefix("reconcile_lang=") }, "no cookie without the switch")
            for bogus in ["zz", "pl%0D%0ASet-Cookie:%20x=1", "", "EN", "pl;"] {
                let page = try await client.execute(uri: "/?lang=\(bogus)", method: .get)
                #expect(page.status == .ok && page.text.contains("<html lang=\"en-GB\""), "\(bogus)")
                #expect(!Self.setCookies(page).contains { $0.hasPrefix("reconcile_lang=") }, "\(bogus)")
            }
            let browser = try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "pl-PL,pl;q=0.9"])
            #expect(browser.text.contains("<html lang=\"pl\"") && browser.text.contains(Catalogues[.polish]["home_title"]))
        }
    }

    /// Many families at once, each in their own language: no page is rendered in another's.
    @Test func pagesRenderedAtOnceKeepEachRequestsLanguage() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let results = try await withThrowingTaskGroup(of: (FamilyLanguage, String).self) { group in
                for i in 0..<48 {
                    let language = FamilyLanguage.allCases[i % 3]
                    group.addTask {
                        let page = try await client.execute(uri: "/refer", method: .get, headers: [.cookie: "reconcile_lang=\(language.rawValue)"])
                        return (language, page.text)
                    }
                }
                var all: [(FamilyLanguage, String)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 48)
            for (language, html) in results {
                #expect(html.contains("<html lang=\"\(Catalogues[language].about.htmlLang)\"")
                        && html.contains("name=\"language\" value=\"\(language.rawValue)\""))
                #expect(html.contains(Catalogues[language]["refer_lead"]))
            }
        }
    }

    @Test func aProblemWithTheFormIsExplainedInTheFormsLanguage() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let page = try await client.execute(uri: "/refer?lang=pl", method: .get)
            let formCookie = try #require(Self.setCookies(page).first { $0.hasPrefix("reconcile_csrf=") }).split(separator: ";")[0]
            let token = try #require(IntakeFormTests.hidden("csrf_token", in: page.text))
            let body = IntakeFormTests.encode([("csrf_token", token), ("language", "pl"), ("story", String(repeating: "a", count: 10_001))])
            let response = try await IntakeFormTests.post(client, body, cookie: "\(formCookie); reconcile_lang=pl")
            #expect(response.status == .unprocessableContent)
            let polish = Catalogues[.polish]
            #expect(response.text.contains(polish["problem_summary"]))
            #expect(response.text.contains(polish.text("problem_required", ["question": polish["q_setting"]])))
            #expect(response.text.contains(polish.text("problem_too_long", ["max": "10000"])))
            #expect(response.text.contains(polish["problem_consent_contact"]))
            #expect(!response.text.contains("Please answer"), "no English problem on a Polish form")
            #expect(try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM referral_case") } == 0)
        }
    }
}
