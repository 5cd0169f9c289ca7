import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Meetings a family asks for with the school or college or the council: recorded by the API and the page alike,
/// their course and the family's view afterwards, shown to the family in plain words; refused on a closed or
/// erased case, and for any party or status not on the list (there is no party for the other child's family).
@Suite struct MeetingTests {
    static func problem(_ r: TestResponse) -> (code: String?, field: String?) {
        let error = r.json?["error"] as? [String: Any]
        return (error?["code"] as? String, (error?["fields"] as? [[String: Any]])?.first?["field"] as? String)
    }

    static func meetingRows(_ harness: Harness, _ caseID: String) async throws -> (meetings: Int, events: Int) {
        try await harness.database.reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_meeting WHERE case_id = ?", arguments: [caseID]) ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event WHERE case_id = ?", arguments: [caseID]) ?? -1)
        }
    }

    @Test func aMeetingIsAskedForHeldAndTheFamilyReadsItInPlainWords() async throws {
        let dir = try TemporaryDirectory()
        let harness = try Harness(database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let (noteCanary, wordsCanary) = (Sample.canary(), Sample.canary())
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let (family, familyToken) = try await PortalAPITests.signedInFamily(client, harness)
            let id = family.caseID
            let asked = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token,
                                              body: ["party": "school_or_college", "note": "Head of year \(noteCanary)"])
            #expect(asked.status == .created && asked.json?["stage"] as? String == "received")
            let mid = try #require(asked.json?["id"] as? String)

            let portal = try await client.json("/api/v1/portal/case", .get, token: familyToken)
            let shown = try #require((portal.json?["meetings"] as? [[String: Any]])?.first)
            #expect(shown["party"] as? String == "school_or_college" && shown["status"] as? String == "requested")
            #expect(shown["status_text"] as? String == "With the school or college: we have your request and will talk to them about it.")
            #expect(!(portal.text.contains(noteCanary)), "the staff's note never reaches the family's view")

            for status in ["invited", "accepted"] {
                let r = try await client.json("/api/v1/cases/\(id)/meetings/\(mid)", .patch, token: token, body: ["status": status])
                #expect(r.status == .ok, "\(status) → \(r.status)")
            }
            let held = try await client.json("/api/v1/cases/\(id)/meetings/\(mid)", .patch, token: token,
                                             body: ["status": "held", "held_on": "2026-01-05"])
            #expect(held.status == .ok)
            let view = try await client.json("/api/v1/cases/\(id)/meetings/\(mid)", .patch, token: token,
                                             body: ["helped": 4, "family_words": "It helped to be heard \(wordsCanary)"])
            #expect(view.status == .ok)

            let detail = try await client.json("/api/v1/cases/\(id)", .get, token: token)
            let meeting = try #require((detail.json?["meetings"] as? [[String: Any]])?.first)
            #expect(meeting["status"] as? String == "held" && meeting["held_on"] as? String == "2026-01-05" && meeting["helped"] as? Int == 4)
            #expect((meeting["note"] as? String)?.contains(noteCanary) == true && (meeting["family_words"] as? String)?.contains(wordsCanary) == true)

            let timeline = try await client.json("/api/v1/cases/\(id)/timeline", .get, token: token)
            let actions = (timeline.json?["events"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.filter { $0 == "request_meeting" }.count == 1 && actions.filter { $0 == "update_meeting" }.count == 4)
            #expect(!timeline.text.contains(noteCanary) && !timeline.text.contains(wordsCanary), "the timeline carries codes only")

            let after = try await client.json("/api/v1/portal/case", .get, token: familyToken)
            let line = (after.json?["meetings"] as? [[String: Any]])?.first
            #expect(line?["status_text"] as? String == "With the school or college: the meeting has taken place." && line?["held_on"] as? String == "2026-01-05")
        }
        // Sealed: neither the note nor the family's words is in the database file, the logs or the audit log.
        let raw = String(decoding: try dir.rawBytes(), as: UTF8.self)
        #expect(!raw.contains(noteCanary) && !raw.contains(wordsCanary))
        #expect(!harness.logs.text.contains(noteCanary) && !harness.logs.text.contains(wordsCanary))
    }

    @Test func anUnknownPartyOrStatusIsNamedAndAnIllegalStepChangesNothing() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await client.newCase(harness)
            let before = try await Self.meetingRows(harness, id)
            for party in ["the_other_family", "other_childs_family", "", "SCHOOL_OR_COLLEGE"] {
                let r = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token, body: ["party": party])
                #expect(r.status == .unprocessableContent && Self.problem(r).field == "party", "\(party) → \(r.status)")
            }
            let wrongType = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token, body: ["party": 3])
            #expect(wrongType.status == .unprocessableContent && Self.problem(wrongType).field == "party")
            let stray = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token, body: ["party": "council_education", "with": "name"])
            #expect(stray.status == .unprocessableContent)
            #expect(try await Self.meetingRows(harness, id) == before, "nothing stored")

            let mid = try #require(try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token,
                                                         body: ["party": "council_childrens_services"]).json?["id"] as? String)
            let afterOne = try await Self.meetingRows(harness, id)
            let path = "/api/v1/cases/\(id)/meetings/\(mid)"
            let refusals: [([String: Any], Int, String?)] = [
                (["status": "rescheduled"], 422, "status"), (["status": "requested"], 422, "status"),
                (["status": "invited", "helped": 3], 422, "helped"), (["status": "accepted", "family_words": "ok"], 422, "family_words"),
                (["status": "held"], 422, "held_on"), (["status": "held", "held_on": "2999-01-01"], 422, "held_on"),
                (["status": "held", "held_on": "2026-02-30"], 422, "held_on"), (["status": "held", "held_on": "2026-01-05", "helped": 9], 422, "helped"),
                ([:], 422, "status"), (["status": "held", "held_on": "2026-01-05", "family_words": String(repeating: "x", count: 2001)], 422, "family_words"),
                (["status": "held", "held_on": "2026-01-05", "family_words": "bad\u{202E}text"], 422, "family_words"),
            ]
            for (body, status, field) in refusals {
                let r = try await client.json(path, .patch, token: token, body: body)
                #expect(r.status.code == status && Self.problem(r).field == field, "\(body) → \(r.status) \(Self.problem(r))")
            }
            #expect(try await Self.meetingRows(harness, id) == afterOne, "no refusal wrote a row or an event")
            let unknown = try await client.json("/api/v1/cases/\(id)/meetings/\(UUID().uuidString.lowercased())", .patch, token: token, body: ["status": "invited"])
            #expect(unknown.status == .notFound)

            // Withdrawn ends the course: another status is a conflict.
            #expect(try await client.json(path, .patch, token: token, body: ["status": "withdrawn"]).status == .ok)
            let over = try await client.json(path, .patch, token: token, body: ["status": "invited"])
            #expect(over.status == .conflict && Self.problem(over).code == "meeting_over")
        }
    }

    @Test func aClosedOrErasedCaseTakesNoMeetingAndOnlyItsWorkersMayRecordOne() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let other = try await harness.addStaff("other@example.org", role: .practitioner)
        let council = try await harness.addStaff("council@example.org", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let otherToken = try await client.signIn(other)
            let councilToken = try await client.signIn(council)
            let id = try await client.newCase(harness)
            let mid = try #require(try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token,
                                                         body: ["party": "other_organisation"]).json?["id"] as? String)
            // A practitioner it is not assigned to gets the same 404 as for no case; the council is refused outright.
            let notTheirs = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: otherToken, body: ["party": "council_education"])
            #expect(notTheirs.status == .notFound)
            let councilTry = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: councilToken, body: ["party": "council_education"])
            #expect(councilTry.status == .forbidden)

            #expect(try await client.json("/api/v1/cases/\(id)/close", .post, token: token, body: ["reason": "withdrawn"]).status == .ok)
            let rows = try await Self.meetingRows(harness, id)
            let closed = try await client.json("/api/v1/cases/\(id)/meetings", .post, token: token, body: ["party": "school_or_college"])
            #expect(closed.status == .conflict && Self.problem(closed).code == "case_not_open")
            let closedPatch = try await client.json("/api/v1/cases/\(id)/meetings/\(mid)", .patch, token: token, body: ["status": "invited"])
            #expect(closedPatch.status == .conflict)
            #expect(try await Self.meetingRows(harness, id) == rows)

            let open = try await client.newCase(harness)
            try await harness.database.writer.write { db in try AppDatabase.erase(db, caseID: CaseID(open), reason: "request", keys: harness.keys, at: Date()) }
            let erased = try await client.json("/api/v1/cases/\(open)/meetings", .post, token: token, body: ["party": "school_or_college"])
            #expect(erased.status == .conflict && Self.problem(erased).code == "case_not_open")
        }
    }

    @Test func thePageRecordsAMeetingAndSaysThereIsNoMeetingWithTheOtherFamily() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)   // a TOTP code works once
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let page = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(page.text.contains("There is no meeting with the other child&#39;s family") || page.text.contains("There is no meeting with the other child's family"))
            let posted = try await browser.post("/staff/cases/\(family.caseID)/meetings", [("party", "council_education"), ("note", "")])
            #expect(posted.status == .seeOther)
            let mid = try #require(((try await client.json("/api/v1/cases/\(family.caseID)", .get, token: token)).json?["meetings"] as? [[String: Any]])?.first?["id"] as? String)
            let refused = try await browser.post("/staff/cases/\(family.caseID)/meetings", [("party", "the_other_family")])
            #expect(refused.status == .unprocessableContent)
            let declined = try await browser.post("/staff/cases/\(family.caseID)/meetings/\(mid)", [("status", "declined_by_other_party"), ("held_on", ""), ("helped", ""), ("family_words", "")])
            #expect(declined.status == .seeOther)
            let shown = try await browser.get("/staff/cases/\(family.caseID)")
            #expect(shown.text.contains("Declined by the other side") && shown.text.contains("The family asked for a meeting"))

            // The family's portal page, in Polish when they ask for it.
            var familyBrowser = PageBrowser(client: client)
            _ = try await familyBrowser.get("/portal")
            _ = try await familyBrowser.post("/portal", [("reference", family.reference), ("passphrase", family.passphrase)])
            let portal = try await familyBrowser.get("/portal/case?lang=pl")
            #expect(portal.text.contains("dział edukacji rady: odmówili."))
            let english = try await familyBrowser.get("/portal/case?lang=en")
            #expect(english.text.contains("the council&#39;s education service: they have said no.")
                    || english.text.contains("the council's education service: they have said no."))
        }
    }
}
