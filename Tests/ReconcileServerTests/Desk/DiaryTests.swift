import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The diary pages, the page form's London times across the clock changes, the desk, the family's portal and the
/// reminder the day before.
@Suite struct DiaryTests {
    /// The last Sunday of `month` (3 or 10) that is at least two days ahead, `YYYY-MM-DD`.
    static func lastSunday(_ month: Int) throws -> String {
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        for y in [year, year + 1] {
            let last = (25...31).map { String(format: "%04d-%02d-%02d", y, month, $0) }.last { day in
                WorkingDays.day(day).map { Calendar(identifier: .gregorian).component(.weekday, from: $0.addingTimeInterval(12 * 3600)) == 1 } == true
            }
            if let last, last > (WorkingDays.day(1, after: WorkingDays.londonDate(Date())) ?? "") { return last }
        }
        throw HarnessError.missing("a last Sunday")
    }

    @Test func thePageFormTakesLondonTimesAcrossTheClockChanges() async throws {
        let harness = try Harness()
        let w = try await AppointmentTests.world(harness)
        try await harness.app().test(.router) { client in
            let leadToken = try await client.signIn(w.lead)
            let id = try await AppointmentTests.patsCase(client, w, leadToken: leadToken)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(w.pat)
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.text.contains("Plan an appointment") && page.text.contains("/staff/diary"))
            let form = { (date: String, time: String) in
                [("date", date), ("time", time), ("duration_minutes", "60"), ("modality", "phone"), ("practitioner", w.pat.email), ("note", "")]
            }
            // Spring: 01:30 does not happen in London that night. Refused, naming the time; nothing written.
            let (march, october) = (try Self.lastSunday(3), try Self.lastSunday(10))
            let gap = try await browser.post("/staff/cases/\(id)/appointments", form(march, "01:30"))
            #expect(gap.status == .unprocessableContent && gap.text.contains("clocks go forward"))
            #expect(try await AppointmentTests.count(harness) == 0)
            let past = try await browser.post("/staff/cases/\(id)/appointments", form(WorkingDays.londonDate(Date()), "00:00"))
            #expect(past.status == .unprocessableContent && past.text.contains("after now"))
            // Autumn: 01:30 happens twice; the form takes the first (BST), the API can name the second (GMT).
            let first = try await browser.post("/staff/cases/\(id)/appointments", form(october, "01:30"))
            #expect(first.status == .seeOther)
            let second = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: try await client.signIn(w.pat, at: Date().addingTimeInterval(30)),
                                               body: ["starts_at": "\(october)T01:30:00+00:00", "duration_minutes": 60, "modality": "video"])
            #expect(second.status == .created)
            let starts = try await harness.database.reader.read { db in try Date.fetchAll(db, sql: "SELECT starts_at FROM case_appointment ORDER BY starts_at") }
            #expect(starts.count == 2 && starts[1].timeIntervalSince(starts[0]) == 3600)
            let shown = try await browser.get("/staff/cases/\(id)")
            #expect(shown.text.contains("01:30 BST") && shown.text.contains("01:30 GMT"))
            let diary = try await browser.get("/staff/diary?date=\(october)")
            #expect(diary.status == .ok && diary.text.contains("01:30 BST to 01:30 GMT") && diary.text.contains("01:30 GMT to 02:30"))
        }
    }

    @Test func theDiaryShowsOwnOrTeamAndTheDeskListsThisWeek() async throws {
        let harness = try Harness()
        let w = try await AppointmentTests.world(harness)
        try await harness.app().test(.router) { client in
            let leadToken = try await client.signIn(w.lead)
            let id = try await AppointmentTests.patsCase(client, w, leadToken: leadToken)
            let reference = try #require(try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT reference FROM referral_case WHERE id = ?", arguments: [id])
            })
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(w.pat)
            let day = try #require(WorkingDays.day(2, after: WorkingDays.londonDate(Date())))
            _ = try await browser.get("/staff/cases/\(id)")
            let made = try await browser.post("/staff/cases/\(id)/appointments",
                                              [("date", day), ("time", "10:00"), ("duration_minutes", "45"), ("modality", "video"), ("practitioner", w.pat.email)])
            #expect(made.status == .seeOther)
            let byDay = try await browser.get("/staff/diary?date=\(day)")
            #expect(byDay.status == .ok && byDay.text.contains(reference) && byDay.text.contains("10:00 to 10:45"))
            let week = try #require(LondonTime.week(of: day))
            let byWeek = try await browser.get("/staff/diary?week=\(week)")
            #expect(byWeek.text.contains(reference) && byWeek.text.contains("Next week"))
            #expect(try await browser.get("/staff/diary?week=2026-W99").status == .unprocessableContent)
            #expect(try await browser.get("/staff/diary?date=2026-02-30").status == .unprocessableContent)
            // A practitioner's diary is their own.
            #expect(try await browser.get("/staff/diary?date=\(day)&practitioner=lead@example.org").status == .forbidden)
            var other = PageBrowser(client: client)
            _ = try await other.signIn(w.other)
            #expect(!(try await other.get("/staff/diary?week=\(week)")).text.contains(reference))
            // The lead sees the team's, and one member's.
            var lead = PageBrowser(client: client)
            _ = try await lead.signIn(w.lead, codeAt: Date().addingTimeInterval(30))
            #expect((try await lead.get("/staff/diary?week=\(week)")).text.contains(reference))
            #expect((try await lead.get("/staff/diary?week=\(week)&practitioner=pat%40example.org")).text.contains(reference))
            #expect(!(try await lead.get("/staff/diary?week=\(week)&practitioner=other%40example.org")).text.contains(reference))
            // Council and admin have no diary.
            for member in [w.officer, w.admin] {
                var b = PageBrowser(client: client)
                _ = try await b.signIn(member)
                #expect(try await b.get("/staff/diary").status == .forbidden)
            }

            // On the desk: one that began half an hour ago and is not yet recorded (overdue), by API and on the home page.
            let pat = try #require(try await harness.stores.staff.staffAccount(email: w.pat.email))
            let startedAt = Date().addingTimeInterval(-1800)
            let started = try await harness.stores.desk.bookAppointment(caseID: CaseID(id), startsAt: startedAt, durationMinutes: 30,
                                                                     modality: .phone, practitionerEmail: nil, note: nil, by: pat.actor, now: Date().addingTimeInterval(-3600))
            let work = try await client.json("/api/v1/my-work", .get, token: try await client.signIn(w.pat, at: Date().addingTimeInterval(30)))
            let items = (work.json?["items"] as? [[String: Any]]) ?? []
            #expect(items.contains { $0["kind"] as? String == "appointment" && $0["record_id"] as? String == started.recordID && $0["overdue"] as? Bool == true })
            #expect((work.json?["counts"] as? [String: Int])?["appointment"] ?? 0 >= 1)
            let home = try await browser.get("/staff")
            #expect(home.text.contains("Appointments this week") && home.text.contains(", \(LondonTime.clockTime(startedAt))"), "the desk says when")
            let otherWork = try await client.json("/api/v1/my-work", .get, token: try await client.signIn(w.other, at: Date().addingTimeInterval(30)))
            #expect(!((otherWork.json?["items"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "appointment" })

            // Moved and held through the page; the case shows the listening session.
            let plannedID = try #require(try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM case_appointment WHERE id IS NOT ?", arguments: [started.recordID])
            })
            let move = try await browser.post("/staff/cases/\(id)/appointments/\(plannedID)",
                                              [("status", "moved"), ("date", day), ("time", "11:00"), ("duration_minutes", "45")])
            #expect(move.status == .seeOther)
            let movedDay = try await browser.get("/staff/diary?date=\(day)")
            #expect(movedDay.text.contains("11:00 to 11:45") && movedDay.text.contains("Moved") && !movedDay.text.contains("10:00 to 10:45"))
            let held = try await browser.post("/staff/cases/\(id)/appointments/\(try #require(started.recordID))", [("status", "held"), ("note", ""), ("advice_given", "Keep the diary")])
            #expect(held.status == .seeOther)
            let after = try await browser.get("/staff/cases/\(id)?done=appointment_update")
            #expect(after.text.contains("The appointment has been updated.") && after.text.contains("Held"))
            let sessions = try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM listening_session WHERE case_id = ?", arguments: [id]) }
            #expect(sessions == 1)
        }
    }

    @Test func theFamilySeesWhenAndHowInTheirLanguageAndTheReminderSaysNothingMore() async throws {
        let harness = try Harness()
        let w = try await AppointmentTests.world(harness)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let created = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["language": "pl", "notify_by_email": true])))
            let reference = try #require(created.json?["reference"] as? String), passphrase = try #require(created.json?["passphrase"] as? String)
            let id = try #require(try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM referral_case WHERE reference = ?", arguments: [reference])
            })
            let quiet = try await client.newCase(harness)   // did not ask for notices
            let leadToken = try await client.signIn(w.lead)
            for c in [id, quiet] { _ = try await client.json("/api/v1/cases/\(c)/assign", .post, token: leadToken, body: ["practitioner": w.pat.email]) }
            let token = try await client.signIn(w.pat)
            let start = AppointmentTests.tomorrow(hour: 10)
            for (c, hour) in [(id, 10), (quiet, 12)] {
                let r = try await client.json("/api/v1/cases/\(c)/appointments", .post, token: token,
                                              body: ["starts_at": AppointmentTests.rfc(AppointmentTests.tomorrow(hour: hour)), "duration_minutes": 60,
                                                     "modality": "phone", "note": "Secret plan \(canary)"])
                #expect(r.status == .created)
            }
            let family = try #require(try await PortalAPITests.signIn(client, reference: reference, passphrase: passphrase).json?["token"] as? String)
            let view = try await client.json("/api/v1/portal/case", .get, token: family)
            let shown = (view.json?["appointments"] as? [[String: Any]]) ?? []
            #expect(shown.count == 1 && (shown.first?["text"] as? String)?.contains("przez telefon") == true
                && (shown.first?["text"] as? String)?.contains(LondonTime.clockTime(start)) == true)
            #expect(!view.text.contains(w.pat.email) && !view.text.contains(canary) && !view.text.contains("pat@"))

            // The day before, in London: one reminder, for the family who asked; queued once however often it runs.
            let previous = try #require(WorkingDays.day(-1, after: WorkingDays.londonDate(start)))
            let dayBefore = try #require(WorkingDays.day(previous)).addingTimeInterval(13 * 3600)
            #expect(try await harness.stores.desk.queueAppointmentReminders(now: Date()) == 0 || WorkingDays.londonDate(Date()) == WorkingDays.londonDate(dayBefore))
            #expect(try await harness.stores.desk.queueAppointmentReminders(now: dayBefore) == 1)
            #expect(try await harness.stores.desk.queueAppointmentReminders(now: dayBefore.addingTimeInterval(600)) == 0)
            let due = try await harness.stores.mail.dueMail(limit: 10, acknowledgementWorkingDays: 2, now: dayBefore.addingTimeInterval(700))
            let reminder = try #require(due.first { $0.reminder })
            #expect(due.filter(\.reminder).count == 1 && reminder.language == .polish)
            let composed = NoticeComposer(from: "n@partner.example", publicURL: "https://reconcile.partner.example", family: FamilyNoticePolicy()).compose(reminder)
            let parts = composed.text.components(separatedBy: "\r\n\r\n")
            let body = String(decoding: try #require(Data(base64Encoded: parts[1].replacingOccurrences(of: "\r\n", with: ""))), as: UTF8.self)
            #expect(body.contains(Catalogues[.polish]["mail_reminder_waiting"]))
            for secret in [canary, reference, LondonTime.clockTime(start), WorkingDays.londonDate(start), "telefon", w.pat.email] {
                #expect(!composed.text.contains(secret) && !body.contains(secret), "\(secret) in the reminder")
            }
            let outbox = try await harness.database.reader.read { db in try Row.fetchAll(db, sql: "SELECT * FROM mail_outbox").map { "\($0)" }.joined() }
            #expect(!outbox.contains(canary) && !harness.logs.text.contains(canary))

            // Cancelled: the family no longer sees it, and no reminder is queued for it.
            let aid = try #require(try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM case_appointment WHERE case_id = ?", arguments: [id])
            })
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: token, body: ["status": "cancelled"]).status == .ok)
            let later = try await client.json("/api/v1/portal/case", .get, token: family)
            let remaining: [Any] = later.json?["appointments"] as? [Any] ?? [1]
            #expect(remaining.isEmpty)
        }
    }
}
