import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A family who reads Polish, end to end: the form, the confirmation, the record, the portal in a new browser,
/// and the email that tells them a message is waiting.
@Suite struct PolishReferralTests {
    static let polish = Catalogues[.polish]

    @Test func aReferralMadeInPolishIsAnsweredAndRememberedInPolish() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let page = try await client.execute(uri: "/refer?lang=pl", method: .get)
            #expect(page.text.contains(Self.polish["refer_title"]) && page.text.contains(Self.polish["choice_setting_primary"]))
            let formCookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("reconcile_csrf=") }).split(separator: ";")[0]
            let form = IntakeFormTests.OpenedForm(cookie: String(formCookie),
                                                  csrfToken: try #require(IntakeFormTests.hidden("csrf_token", in: page.text)),
                                                  submissionID: try #require(IntakeFormTests.hidden("submission_id", in: page.text)))
            #expect(IntakeFormTests.hidden("language", in: page.text) == "pl")
            // Sent from a browser with no language cookie: the form itself says which language it was shown in.
            let sent = try await IntakeFormTests.post(client, IntakeFormTests.encode(IntakeFormTests.fields(canary: canary, form,
                                                                                                               extra: [("language", "pl")])),
                                                      cookie: form.cookie)
            #expect(sent.status == .ok)
            #expect(sent.text.contains("<html lang=\"pl\""), "the confirmation is in Polish")
            #expect(sent.text.contains(Self.polish["confirm_title"]) && sent.text.contains(Self.polish["confirm_safe_never_ask"]))
            #expect(!sent.text.contains("Your referral has been sent"))
            let reference = try #require(sent.text.firstMatch(of: /RS-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.output) })
            let passphrase = try #require(sent.text.firstMatch(of: /id="passphrase">([a-z-]+)</).map { String($0.output.1) })
            let (caseID, language) = try #require(try await harness.database.reader.read { db in
                try Row.fetchOne(db, sql: "SELECT id, language FROM referral_case WHERE reference = ?", arguments: [reference])
                    .map { ($0["id"] as String, $0["language"] as String?) }
            })
            #expect(language == "pl")

            // Staff see the language on the case.
            let staff = try await client.signIn(lead)
            let detail = try await client.json("/api/v1/cases/\(caseID)", .get, token: staff)
            #expect((detail.json?["statistics"] as? [String: Any])?["language"] as? String == "pl")

            // The portal, from a new browser that has never seen the switch: it opens in the referral's language.
            let signInPage = try await client.execute(uri: "/portal", method: .get)
            let csrf = String(try #require(signInPage.headers[.setCookie]).split(separator: ";")[0])
            let token = try #require(IntakeFormTests.hidden("csrf_token", in: signInPage.text))
            let signedIn = try await client.execute(
                uri: "/portal", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: csrf, .secFetchSite: "same-origin"],
                body: IntakeFormTests.encode([("csrf_token", token), ("reference", reference), ("passphrase", passphrase)]))
            #expect(signedIn.status == .seeOther)
            let session = String(try #require(signedIn.headers[.setCookie]).split(separator: ";")[0])
            let portal = try await client.execute(uri: "/portal/case", method: .get, headers: [.cookie: "\(csrf); \(session)"])
            #expect(portal.status == .ok && portal.text.contains("<html lang=\"pl\""))
            #expect(portal.text.contains(Self.polish["stage_received"]) && portal.text.contains(Self.polish["portal_case_title"]) && portal.text.contains("<span class=\"reference\">\(reference)</span>"))
            // ...and the family can still switch to another language there.
            let english = try await client.execute(uri: "/portal/case?lang=en", method: .get, headers: [.cookie: "\(csrf); \(session)"])
            #expect(english.text.contains("<html lang=\"en-GB\"") && english.text.contains(Catalogues.english["stage_received"]))
        }
        #expect(!harness.logs.text.contains(canary), "nothing the family wrote reaches a log")
    }

    @Test(arguments: ["\"fr\"", "\"PL\"", "7", "[\"pl\"]", "{\"code\": \"pl\"}", "\"pl\\u0000\""])
    func theAPIRefusesALanguageWeDoNotHaveAndStoresNothing(value: String) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            var body = String(decoding: Data(buffer: Sample.json(Sample.referral(canary: Sample.canary()))), as: UTF8.self)
            body.removeLast()
            body += ", \"language\": \(value)}"
            let response = try await client.refer(ByteBuffer(string: body))
            #expect(response.status == .unprocessableContent)
            let fields = (response.json?["error"] as? [String: Any])?["fields"] as? [[String: Any]]
            #expect(fields?.contains { $0["field"] as? String == "language" } == true)
            #expect(try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM referral_case") } == 0)
        }
    }

    /// The portal API tells the family where things are in their referral's language, or the one their app asks for.
    @Test func thePortalAPISaysWhereThingsAreInTheFamilysLanguage() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for (language, asked) in [("pl", "en"), (nil, "pl-PL"), (nil, "de"), ("en-easy", "pl")] as [(String?, String)] {
                var overrides: [String: Any] = [:]
                if let language { overrides["language"] = language }
                let created = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: overrides)))
                let reference = try #require(created.json?["reference"] as? String), passphrase = try #require(created.json?["passphrase"] as? String)
                let token = try #require(try await PortalAPITests.signIn(client, reference: reference, passphrase: passphrase).json?["token"] as? String)
                let view = try await client.execute(uri: "/api/v1/portal/case", method: .get,
                                                    headers: [.authorization: "Bearer \(token)", .acceptLanguage: asked])
                let expected: FamilyLanguage = language.flatMap(FamilyLanguage.init(rawValue:)) ?? (asked.hasPrefix("pl") ? .polish : .english)
                #expect(view.json?["stage_text"] as? String == Catalogues[expected]["stage_received"], "\(String(describing: language)) \(asked)")
            }
        }
    }

    @Test func theNoticeEmailIsWrittenInTheReferralsLanguage() throws {
        let composer = NoticeComposer(from: "notifications@partner.example", publicURL: "https://reconcile.partner.example",
                                      family: FamilyNoticePolicy())
        for language in FamilyLanguage.allCases {
            var mail = OutgoingMail(id: "m1", kind: .familyNotice, address: "family@example.org", attempts: 0)
            mail.language = language
            let composed = composer.compose(mail)
            let parts = composed.text.components(separatedBy: "\r\n\r\n")
            let body = String(decoding: try #require(Data(base64Encoded: parts[1].replacingOccurrences(of: "\r\n", with: ""))), as: UTF8.self)
            let words = Catalogues[language]
            #expect(body.contains(words["mail_notice_waiting"]) && body.contains(words["mail_notice_asked"]), "\(language.rawValue)")
            #expect(composed.text.contains("Subject: \(NoticeComposer.encodedWord(words["mail_notice_subject"]))"))
            let link = try #require(body.firstMatch(of: /https:\/\/reconcile\.partner\.example\/portal[^\s,]*/).map { String($0.output) })
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))  // a sentence may end after the link
            #expect(link == "https://reconcile.partner.example/portal" + (language == .english ? "" : "?lang=\(language.rawValue)"))
        }
    }

    /// The partner's own English words replace the catalogue's in English, and only there.
    @Test func thePolicysEnglishWordsDoNotReachAPolishFamily() {
        var policy = FamilyNoticePolicy()
        (policy.senderName, policy.subject) = ("Partner messages", "News waiting")
        let composer = NoticeComposer(from: "notifications@partner.example", publicURL: "", family: policy)
        var mail = OutgoingMail(id: "m1", kind: .familyNotice, address: "family@example.org", attempts: 0)
        let english = composer.compose(mail).text
        #expect(english.contains("From: Partner messages <") && english.contains("Subject: News waiting"))
        mail.language = .polish
        let polish = composer.compose(mail).text
        #expect(!polish.contains("Partner messages") && !polish.contains("News waiting"))
        #expect(polish.contains("Subject: \(NoticeComposer.encodedWord(Catalogues[.polish]["mail_notice_subject"]))"))
    }

    @Test func theStoreHandsTheNoticeToTheSenderInTheReferralsLanguage() async throws {
        let harness = try Harness()
        let body = Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["language": "pl", "notify_by_email": true]))
        try await harness.app().test(.router) { client in
            let response = try await client.refer(body)
            #expect(response.status == .created)
        }
        let caseID = try #require(try await harness.database.reader.read { db in try String.fetchOne(db, sql: "SELECT id FROM referral_case") })
        try await harness.database.writer.write { db in
            try db.execute(sql: "INSERT INTO mail_outbox (id, kind, case_id, created_at, next_attempt_at) VALUES ('n1', 'family_notice', ?, ?, ?)",
                           arguments: [caseID, Date(), Date()])
        }
        let due = try await harness.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2)
        #expect(due.first { $0.kind == .familyNotice }?.language == .polish)
    }
}
