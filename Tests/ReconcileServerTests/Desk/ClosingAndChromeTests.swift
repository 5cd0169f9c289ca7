import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Completed after listening alone, offered exactly when allowed; staff errors in staff chrome; the staff
/// referral form in staff words.
@Suite struct ClosingAndChromeTests {
    @Test func aFamilyWhoWantedOnlyToBeListenedToIsClosedAsCompleted() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness)
            let token = try await client.signIn(lead)
            func post(_ step: String, _ body: [String: Any]) async throws -> TestResponse {
                try await client.json("/api/v1/cases/\(id)/\(step)", .post, token: token, body: body)
            }
            #expect(try await post("acknowledge", ["method": "phone"]).status == .ok)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            #expect(!(try await browser.get("/staff/cases/\(id)")).text.contains("value=\"completed\""))
            // No listening yet: refused, nothing changed.
            let early = try await post("close", ["reason": "completed"])
            #expect(early.status == .conflict)
            #expect(try harness.stores.intake.caseRecord(id: CaseID(id))?.stage == .acknowledged)

            #expect(try await post("listening-sessions", ["date": "2026-01-05", "duration_minutes": 40, "modality": "phone",
                                                         "advice_given": "Listened; nothing more wanted"]).status == .created)
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.text.contains("value=\"completed\""), "the page offers completed once a session is recorded")
            let closed = try await browser.post("/staff/cases/\(id)/close", [("reason", "completed"), ("note", ""), ("summary", "")])
            #expect(closed.status == .seeOther)
            let record = try harness.stores.intake.caseRecord(id: CaseID(id))
            #expect(record?.stage == .closed && record?.closeReason == .completed)
        }
    }

    @Test func aMistypedStaffAddressKeepsStaffChrome() async throws {
        let harness = try Harness()
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            for path in ["/staff/no-such-page", "/staff/cases/x/y/z", "/council/nothing-here"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound || response.status == .seeOther, "\(path)")
                if response.status == .notFound {
                    #expect(response.text.contains("Reconcile: staff") && response.text.contains("Page not found"), "\(path)")
                    #expect(!response.text.contains("quick-exit"), "\(path) shows the family's quick exit")
                }
            }
            // A signed-in practitioner opening a case that does not exist: staff chrome, their navigation.
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pat)
            let missing = try await browser.get("/staff/cases/\(UUID().uuidString.lowercased())")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("Reconcile: staff") && !missing.text.contains("quick-exit"))
            // The family's pages keep theirs.
            let family = try await client.execute(uri: "/no-such-page", method: .get)
            #expect(family.status == .notFound && family.text.contains("quick-exit"))
        }
    }

    @Test func theStaffReferralFormAsksInStaffWords() async throws {
        let harness = try Harness()
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pat)
            let form = try await browser.get("/staff/referrals/new")
            #expect(form.status == .ok)
            #expect(form.text.contains("Their email address") && form.text.contains("Who is the referral from?"))
            for familyWords in ["What should we call you?", "Which council area do you live in?", "How would you like us to contact you?",
                                "Email me when there is a message for me"] {
                #expect(!form.text.contains(familyWords), "\(familyWords)")
            }
            // The family's own form is unchanged.
            let refer = try await client.execute(uri: "/refer", method: .get)
            #expect(refer.text.contains("What should we call you?"))
        }
    }
}

/// A second referral from the same family names the first by its reference, a link to it.
@Suite struct DuplicateReferenceTests {
    @Test func aPossibleDuplicateIsShownByReferenceNotByInternalID() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            var references: [String] = []
            for canary in ["A", "B"] {
                let r = try await client.refer(Sample.json(Sample.referral(canary: canary, contact: ["email": "same@example.org"])))
                references.append(try #require(r.json?["reference"] as? String))
            }
            let rows = try await harness.database.reader.read { db in try CaseRecord.order(CaseRecord.Columns.receivedAt).fetchAll(db) }
            let (first, second) = (rows[0].id, rows[1].id)
            let token = try await client.signIn(lead)
            let api = try await client.json("/api/v1/cases/\(second)", .get, token: token)
            #expect(api.json?["duplicate_of"] as? String == first.rawValue && api.json?["duplicate_of_reference"] as? String == references[0])
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead, codeAt: Date().addingTimeInterval(30))
            let page = try await browser.get("/staff/cases/\(second)")
            #expect(page.text.contains("<a href=\"/staff/cases/\(first)\" class=\"reference\">\(references[0])</a>"))
            #expect(!page.text.contains(">\(first)<"), "the internal id is not shown as text")
        }
    }
}
