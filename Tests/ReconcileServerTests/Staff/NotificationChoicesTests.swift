import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// A member of staff chooses their email alerts by the API or the page; the family turns their notice on and off.
@Suite struct NotificationChoicesTests {
    @Test func staffSeeTheirDefaultsAndChangeOnlyWhatTheySend() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let leadToken = try await client.signIn(lead), pToken = try await client.signIn(practitioner)
            let defaults = try await client.json("/api/v1/staff/me/notifications", .get, token: leadToken)
            #expect(defaults.json?["new_referral"] as? Bool == true && defaults.json?["overdue"] as? Bool == true)
            #expect(defaults.json?["mail_enabled"] as? Bool == false)
            let pDefaults = try await client.json("/api/v1/staff/me/notifications", .get, token: pToken)
            #expect(pDefaults.json?["new_referral"] as? Bool == false && pDefaults.json?["family_reply"] as? Bool == true)
            let changed = try await client.json("/api/v1/staff/me/notifications", .patch, token: leadToken,
                                                body: ["digest_only": true, "areas": ["shropshire"]])
            #expect(changed.status == .ok)
            #expect(changed.json?["digest_only"] as? Bool == true && changed.json?["new_referral"] as? Bool == true)
            #expect(changed.json?["areas"] as? [String] == ["shropshire"])
            let bad = try await client.json("/api/v1/staff/me/notifications", .patch, token: leadToken, body: ["areas": ["atlantis"]])
            #expect(bad.status == .unprocessableContent)
            let wrongType = try await client.json("/api/v1/staff/me/notifications", .patch, token: leadToken, body: ["overdue": "yes"])
            #expect(wrongType.status == .unprocessableContent)
            let after = try await client.json("/api/v1/staff/me/notifications", .get, token: leadToken)
            #expect(after.json?["areas"] as? [String] == ["shropshire"], "a refused change changed nothing")
            // The practitioner's choices are their own.
            let pAfter = try await client.json("/api/v1/staff/me/notifications", .get, token: pToken)
            #expect(pAfter.json?["digest_only"] as? Bool == false)
        }
    }

    @Test func aFamilyTurnsTheNoticeOnAndOffAndOneWithoutAnEmailCannot() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (_, token) = try await PortalAPITests.signedInFamily(client, harness)
            let before = try await client.json("/api/v1/portal/notifications", .get, token: token)
            #expect(before.json?["notify_by_email"] as? Bool == false && before.json?["has_email"] as? Bool == true)
            let on = try await client.json("/api/v1/portal/notifications", .patch, token: token, body: ["notify_by_email": true, "names_service": true])
            #expect(on.json?["notify_by_email"] as? Bool == true && on.json?["names_service"] as? Bool == true)
            let off = try await client.json("/api/v1/portal/notifications", .patch, token: token, body: ["notify_by_email": false])
            #expect(off.json?["notify_by_email"] as? Bool == false && off.json?["names_service"] as? Bool == false,
                    "turning the notice off also forgets naming the service")

            var body = Sample.referral(canary: Sample.canary(), contact: ["preference": "phone"])
            var contact = try #require(body["contact"] as? [String: Any])
            contact.removeValue(forKey: "email")
            body["contact"] = contact
            let response = try await client.refer(Sample.json(body))
            let reference = try #require(response.json?["reference"] as? String), passphrase = try #require(response.json?["passphrase"] as? String)
            let phoneToken = try #require(try await PortalAPITests.signIn(client, reference: reference, passphrase: passphrase).json?["token"] as? String)
            let refused = try await client.json("/api/v1/portal/notifications", .patch, token: phoneToken, body: ["notify_by_email": true])
            #expect(refused.status == .unprocessableContent)
            let fields = (refused.json?["error"] as? [String: Any])?["fields"] as? [[String: Any]]
            #expect(fields?.first?["code"] as? String == "no_email_address")
        }
    }

    @Test func theAlertsPageShowsAndSavesTheChoices() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.get("/staff/sign-in")
            _ = try await browser.post("/staff/sign-in", [("email", lead.email), ("password", lead.password), ("code", lead.code())])
            let page = try await browser.get("/staff/notifications")
            #expect(page.status == .ok && page.text.contains("Email alerts"))
            #expect(page.text.contains("id=\"new_referral\" name=\"new_referral\" value=\"yes\" checked"), "a lead's default")
            #expect(page.text.contains("Email is not set up"), "mail.host is empty here")
            let saved = try await browser.post("/staff/notifications", [("family_reply", "yes"), ("digest_only", "yes"), ("areas", "shropshire")])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/staff/notifications?saved=1")
            let choices = try await harness.stores.mail.notificationChoices(for: StaffActor(id: try harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM staff_account WHERE email = ?", arguments: [lead.email])! }, role: .lead))
            #expect(choices == NotificationChoices(newReferral: false, familyReply: true, overdue: false, digestOnly: true, areas: ["shropshire"]))
        }
    }

    /// One change behind both doors: the form sets every box, the API's PATCH only what it sends, and a box with a
    /// value that is neither yes nor no is refused by the form as by the API, changing nothing.
    @Test func theFormAndThePatchAreOneChange() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            // The previous 30-second code for the API, the current one for the page: a code is taken once.
            let token = try await client.signIn(lead, at: Date().addingTimeInterval(-30))
            var browser = PageBrowser(client: client)
            _ = try await browser.get("/staff/sign-in")
            let signedIn = try await browser.post("/staff/sign-in", [("email", lead.email), ("password", lead.password), ("code", lead.code())])
            #expect(signedIn.status == .seeOther)
            _ = try await browser.get("/staff/notifications")
            _ = try await browser.post("/staff/notifications", [("new_referral", "yes"), ("areas", "shropshire")])
            let afterForm = try await client.json("/api/v1/staff/me/notifications", .get, token: token)
            #expect(afterForm.json?["new_referral"] as? Bool == true && afterForm.json?["overdue"] as? Bool == false)
            #expect(afterForm.json?["family_reply"] as? Bool == false && afterForm.json?["areas"] as? [String] == ["shropshire"])
            let patched = try await client.json("/api/v1/staff/me/notifications", .patch, token: token, body: ["overdue": true])
            #expect(patched.json?["overdue"] as? Bool == true && patched.json?["new_referral"] as? Bool == true,
                    "a PATCH changes only what it sends")
            #expect(patched.json?["areas"] as? [String] == ["shropshire"])
            let refused = try await browser.post("/staff/notifications", [("new_referral", "maybe"), ("overdue", "yes")])
            #expect(refused.status == .unprocessableContent && refused.text.contains("yes or no"))
            let after = try await client.json("/api/v1/staff/me/notifications", .get, token: token)
            #expect(after.json?["new_referral"] as? Bool == true && after.json?["overdue"] as? Bool == true, "a refused form changed nothing")
            let listRefused = try await client.json("/api/v1/staff/me/notifications", .patch, token: token, body: ["areas": "shropshire"])
            #expect(listRefused.status == .unprocessableContent)
        }
    }

    /// The family's notice is one change behind both doors: the page's two boxes, the API's partial PATCH.
    @Test func theFamilysNoticeIsOneChangeBehindThePageAndTheAPI() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let (family, token) = try await PortalAPITests.signedInFamily(client, harness)
            let (cookies, csrf, _) = try await SharedDeviceTests.pageSession(client, family)
            func post(_ fields: [(String, String)]) async throws -> TestResponse {
                try await client.execute(uri: "/portal/notifications", method: .post,
                                         headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookies, .secFetchSite: "same-origin"],
                                         body: IntakeFormTests.encode([("csrf_token", csrf)] + fields))
            }
            let saved = try await post([("notify_by_email", "yes"), ("names_service", "yes")])
            #expect(saved.status == .seeOther)
            let on = try await client.json("/api/v1/portal/notifications", .get, token: token)
            #expect(on.json?["notify_by_email"] as? Bool == true && on.json?["names_service"] as? Bool == true)
            let patched = try await client.json("/api/v1/portal/notifications", .patch, token: token, body: ["names_service": false])
            #expect(patched.json?["notify_by_email"] as? Bool == true && patched.json?["names_service"] as? Bool == false)
            _ = try await post([])
            let off = try await client.json("/api/v1/portal/notifications", .get, token: token)
            #expect(off.json?["notify_by_email"] as? Bool == false, "a box left unticked on the page is a no")
            let refused = try await post([("notify_by_email", "perhaps")])
            #expect(refused.status == .unprocessableContent)
            let after = try await client.json("/api/v1/portal/notifications", .get, token: token)
            #expect(after.json?["notify_by_email"] as? Bool == false, "a refused form changed nothing")
        }
    }

    /// Partial changes sent at once each keep what the others changed: the merge with the stored choices happens in
    /// the same transaction as the write, so no PATCH writes back a value another one had just changed.
    @Test func partialChangesSentAtOnceAreAllKept() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let (_, family) = try await PortalAPITests.signedInFamily(client, harness)
            let staff = try await client.signIn(lead)
            _ = try await client.json("/api/v1/portal/notifications", .patch, token: family, body: ["notify_by_email": true])
            // A lead starts with replies on; half the requests turn them off, half turn the daily summary on.
            let statuses = try await withThrowingTaskGroup(of: [HTTPResponse.Status].self) { group in
                for n in 0..<40 {
                    group.addTask { () async throws -> [HTTPResponse.Status] in
                        let staffBody: [String: Any] = n.isMultiple(of: 2) ? ["family_reply": false] : ["digest_only": true]
                        let familyBody: [String: Any] = n.isMultiple(of: 2) ? ["names_service": true] : ["notify_by_email": true]
                        let a = try await client.json("/api/v1/staff/me/notifications", .patch, token: staff, body: staffBody)
                        let b = try await client.json("/api/v1/portal/notifications", .patch, token: family, body: familyBody)
                        return [a.status, b.status]
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0 += $1 }
            }
            #expect(statuses.count == 80 && statuses.allSatisfy { $0 == .ok })
            let choices = try await client.json("/api/v1/staff/me/notifications", .get, token: staff)
            #expect(choices.json?["family_reply"] as? Bool == false && choices.json?["digest_only"] as? Bool == true,
                    "every staff change was kept")
            let notice = try await client.json("/api/v1/portal/notifications", .get, token: family)
            #expect(notice.json?["notify_by_email"] as? Bool == true && notice.json?["names_service"] as? Bool == true,
                    "every family change was kept")
        }
    }
}
