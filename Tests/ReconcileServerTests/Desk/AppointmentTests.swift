import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Appointments through the API, as an adversary would try them: bookings at once, past and skipped times, bad
/// bodies, the wrong people, and the note's words looked for where they must never be.
@Suite struct AppointmentTests {
    /// A practitioner with an acknowledged case of theirs, and the others who must be refused.
    struct World {
        let harness: Harness
        let pat, other, lead, admin, officer, gone: TestStaff
    }

    static func world(_ harness: Harness) async throws -> World {
        let gone = try await harness.addStaff("gone@example.org", role: .practitioner)
        try await harness.stores.staff.disableStaff(email: gone.email)
        return World(harness: harness, pat: try await harness.addStaff("pat@example.org", role: .practitioner),
                     other: try await harness.addStaff("other@example.org", role: .practitioner),
                     lead: try await harness.addStaff("lead@example.org", role: .lead),
                     admin: try await harness.addStaff("admin@example.org", role: .admin),
                     officer: try await harness.addStaff("officer@example.org", role: .council, area: "shropshire"), gone: gone)
    }

    /// A case assigned to `pat` and acknowledged; returns its id.
    static func patsCase(_ client: some TestClientProtocol, _ w: World, leadToken: String) async throws -> String {
        let id = try await client.newCase(w.harness)
        _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: leadToken, body: ["practitioner": w.pat.email])
        _ = try await client.json("/api/v1/cases/\(id)/acknowledge", .post, token: leadToken, body: ["method": "phone"])
        return id
    }

    static func count(_ harness: Harness) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_appointment") ?? -1 }
    }

    static func rfc(_ date: Date) -> String { date.formatted(.iso8601) }

    static func field(_ r: TestResponse) -> String? {
        ((r.json?["error"] as? [String: Any])?["fields"] as? [[String: String]])?.first?["field"]
    }

    /// A whole hour at least a day ahead, so tests read the same whenever they run.
    static func tomorrow(hour: Int = 10) -> Date {
        let day = WorkingDays.day(2, after: WorkingDays.londonDate(Date())) ?? ""
        return (try? LondonTime.instant(date: day, time: String(format: "%02d:00", hour))) ?? Date().addingTimeInterval(86_400 * 2)
    }

    /// In a new app: the lead's token, pat's acknowledged case and pat's token, for a test's body.
    struct Desk: Sendable { let client: any TestClientProtocol; let w: World; let id, token, leadToken: String }
    static func withPatsCase(_ harness: Harness, _ body: @escaping @Sendable (Desk) async throws -> Void) async throws {
        let w = try await world(harness)
        try await harness.app().test(.router) { client in
            let leadToken = try await client.signIn(w.lead)
            let id = try await patsCase(client, w, leadToken: leadToken)
            try await body(Desk(client: client, w: w, id: id, token: try await client.signIn(w.pat), leadToken: leadToken))
        }
    }

    @Test func twentyBookingsAtOnceLeaveNoOverlap() async throws {
        let harness = try Harness()
        try await Self.withPatsCase(harness) { desk in
            let (client, w, id, token, leadToken) = (desk.client, desk.w, desk.id, desk.token, desk.leadToken)
            // Ten slots two hours apart; each asked for twice, 15 minutes apart, so each pair overlaps only itself.
            let base = Self.tomorrow(hour: 1)
            let starts: [Date] = (0..<10).flatMap { (k: Int) -> [Date] in [0, 15].map { (minutes: Int) in base.addingTimeInterval(Double(k * 7200 + minutes * 60)) } }
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for start in starts {
                    group.addTask {
                        try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token,
                                              body: ["starts_at": Self.rfc(start), "duration_minutes": 60, "modality": "phone"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0.status == .created }.count == 10)
            let refused = answers.filter { $0.status == .conflict }
            #expect(refused.count == 10 && refused.allSatisfy { $0.errorCode == "appointment_overlap" && Self.field($0) == "starts_at" })
            let held = try await harness.database.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT starts_at, ends_at FROM case_appointment WHERE status IN ('scheduled','moved') ORDER BY starts_at")
                    .map { (try $0.value("starts_at", as: Date.self), try $0.value("ends_at", as: Date.self)) }
            }
            #expect(held.count == 10)
            #expect(zip(held, held.dropFirst()).allSatisfy { $0.1 <= $1.0 }, "no two live appointments of one practitioner meet")

            // Moving one onto another is the same conflict; moving it clear is not. Another practitioner's time is theirs.
            let aid = try #require(answers.first { $0.status == .created }?.json?["id"] as? String)
            let clash = try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: token,
                                              body: ["starts_at": Self.rfc(held[3].0.addingTimeInterval(600))])
            #expect(clash.status == .conflict && clash.errorCode == "appointment_overlap")
            let lead = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: leadToken,
                                             body: ["starts_at": Self.rfc(held[3].0), "duration_minutes": 60, "modality": "video"])
            #expect(lead.status == .created, "the lead's own diary is free then")
        }
    }

    @Test func badInputIsRefusedNamingTheFieldAndChangesNothing() async throws {
        let harness = try Harness()
        try await Self.withPatsCase(harness) { desk in
            let (client, w, id, token) = (desk.client, desk.w, desk.id, desk.token)
            let good = Self.rfc(Self.tomorrow())
            let cases: [([String: Any], String)] = [
                (["starts_at": Self.rfc(Date().addingTimeInterval(-60)), "duration_minutes": 60, "modality": "phone"], "starts_at"),
                (["starts_at": Self.rfc(Date().addingTimeInterval(400 * 86_400)), "duration_minutes": 60, "modality": "phone"], "starts_at"),
                (["starts_at": "2027-03-28T01:30:00", "duration_minutes": 60, "modality": "phone"], "starts_at"),
                (["starts_at": "tomorrow at ten", "duration_minutes": 60, "modality": "phone"], "starts_at"),
                (["starts_at": 1_900_000_000, "duration_minutes": 60, "modality": "phone"], "starts_at"),
                (["duration_minutes": 60, "modality": "phone"], "starts_at"),
                (["starts_at": good, "duration_minutes": -30, "modality": "phone"], "duration_minutes"),
                (["starts_at": good, "duration_minutes": 0, "modality": "phone"], "duration_minutes"),
                (["starts_at": good, "duration_minutes": 9_999_999_999_999, "modality": "phone"], "duration_minutes"),
                (["starts_at": good, "duration_minutes": 1e300, "modality": "phone"], "duration_minutes"),
                (["starts_at": good, "duration_minutes": "60", "modality": "phone"], "duration_minutes"),
                (["starts_at": good, "duration_minutes": 60, "modality": "carrier_pigeon"], "modality"),
                (["starts_at": good, "duration_minutes": 60, "modality": ["phone"]], "modality"),
                (["starts_at": good, "duration_minutes": 60, "modality": "phone", "practitioner": w.gone.email], "practitioner"),
                (["starts_at": good, "duration_minutes": 60, "modality": "phone", "practitioner": w.other.email], "practitioner"),
                (["starts_at": good, "duration_minutes": 60, "modality": "phone", "practitioner": w.admin.email], "practitioner"),
                (["starts_at": good, "duration_minutes": 60, "modality": "phone", "note": "a\u{202E}b"], "note"),
                (["starts_at": good, "duration_minutes": 60, "modality": "phone", "date": "2027-01-01"], "date"),
            ]
            for (body, field) in cases {
                let r = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token, body: body)
                #expect(r.status.code >= 400 && r.status.code < 500 && Self.field(r) == field, "\(body) answered \(r.status) \(r.text)")
            }
            // A duplicate key is refused whole (which value would count?), never half-read.
            let duplicate = try await client.execute(
                uri: "/api/v1/cases/\(id)/appointments", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"starts_at":"\#(good)","duration_minutes":60,"duration_minutes":600,"modality":"phone"}"#))
            #expect(duplicate.status.code >= 400 && duplicate.status.code < 500)
            #expect(try await Self.count(harness) == 0)

            // A PATCH that says nothing, or two things at once, is refused too.
            let made = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token,
                                             body: ["starts_at": good, "duration_minutes": 60, "modality": "phone"])
            let aid = try #require(made.json?["id"] as? String)
            for (body, field) in [([:], "status"), (["status": "held", "starts_at": good], "status"), (["status": "lost"], "status"),
                                  (["status": "held", "advice_given": "Talk again"], "status"), (["status": "held"], "advice_given")] as [([String: Any], String)] {
                let r = try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: token, body: body)
                #expect(r.status.code >= 400 && r.status.code < 500 && Self.field(r) == field, "\(body) answered \(r.status)")
            }
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(UUID().uuidString.lowercased())", .patch, token: token,
                                          body: ["status": "cancelled"]).status == .notFound)
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/not-an-id", .patch, token: token,
                                          body: ["status": "cancelled"]).status == .notFound)
            let status = try await harness.database.reader.read { db in try String.fetchOne(db, sql: "SELECT status FROM case_appointment") }
            #expect(status == "scheduled")
        }
    }

    @Test func onlyThoseWhoMayWorkTheCaseReachItsAppointments() async throws {
        let harness = try Harness()
        try await Self.withPatsCase(harness) { desk in
            let (client, w, id, token, leadToken) = (desk.client, desk.w, desk.id, desk.token, desk.leadToken)
            let body: [String: Any] = ["starts_at": Self.rfc(Self.tomorrow()), "duration_minutes": 60, "modality": "phone"]
            let made = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token, body: body)
            let aid = try #require(made.json?["id"] as? String)
            let otherToken = try await client.signIn(w.other)
            #expect(try await client.json("/api/v1/cases/\(id)/appointments", .post, token: otherToken, body: body).status == .notFound)
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: otherToken,
                                          body: ["status": "cancelled"]).status == .notFound)
            for member in [w.admin, w.officer] {
                let t = try await client.signIn(member)
                #expect(try await client.json("/api/v1/cases/\(id)/appointments", .post, token: t, body: body).status == .forbidden)
                #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: t, body: ["status": "cancelled"]).status == .forbidden)
            }
            #expect(try await client.json("/api/v1/cases/\(id)/appointments", .post, body: body).status == .unauthorized)
            // The lead books for the case's practitioner; the lead may also take it themselves.
            let forPat = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: leadToken,
                                               body: ["starts_at": Self.rfc(Self.tomorrow(hour: 14)), "duration_minutes": 45, "modality": "video",
                                                      "practitioner": w.pat.email])
            #expect(forPat.status == .created)
            #expect(try await Self.count(harness) == 2)
            let audit = try await harness.database.reader.read { db in
                try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE action LIKE 'case.appointment%'")
            }
            #expect(audit.filter { $0 == "case.appointment_booked" }.count == 2)
        }
    }

    @Test func anErasedCaseGivesBackThePractitionersTime() async throws {
        let harness = try Harness()
        try await Self.withPatsCase(harness) { desk in
            let (client, w, id, token) = (desk.client, desk.w, desk.id, desk.token)
            let body: [String: Any] = ["starts_at": Self.rfc(Self.tomorrow(hour: 11)), "duration_minutes": 60, "modality": "phone"]
            #expect(try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token, body: body).status == .created)
            let second = try await Self.patsCase(client, w, leadToken: desk.leadToken)
            #expect(try await client.json("/api/v1/cases/\(second)/appointments", .post, token: token, body: body).status == .conflict)
            // The first family asks for erasure; after the cooling-off the case is erased and its appointment cancelled.
            let policy = RetentionPolicy()
            _ = try await harness.stores.retention.requestErasure(caseID: CaseID(id), policy: policy)
            _ = try await harness.stores.retention.runRetention(policy: policy, now: Date().addingTimeInterval(400 * 86_400))
            let status = try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT status FROM case_appointment WHERE case_id = ?", arguments: [id])
            }
            #expect(status == "cancelled")
            #expect(try await client.json("/api/v1/cases/\(second)/appointments", .post, token: token, body: body).status == .created)
        }
    }

    @Test func heldBecomesAListeningSessionAndTheNoteStaysSealed() async throws {
        let dir = try TemporaryDirectory()
        let harness = try Harness(database: try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let w = try await Self.world(harness)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let leadToken = try await client.signIn(w.lead)
            let id = try await Self.patsCase(client, w, leadToken: leadToken)
            let token = try await client.signIn(w.pat)
            // Too early to hold one that has not begun.
            let future = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token,
                                               body: ["starts_at": Self.rfc(Self.tomorrow()), "duration_minutes": 50, "modality": "video",
                                                      "note": "Bring the leaflet \(canary)"])
            let fid = try #require(future.json?["id"] as? String)
            let early = try await client.json("/api/v1/cases/\(id)/appointments/\(fid)", .patch, token: token,
                                              body: ["status": "held", "advice_given": "Advice"])
            #expect(early.status == .unprocessableContent && Self.field(early) == "status")

            // One booked two hours ago for an hour ago (the store's clock), then recorded as held.
            let pat = try #require(try await harness.stores.staff.staffAccount(email: w.pat.email))
            let booked = try await harness.stores.desk.bookAppointment(
                caseID: CaseID(id), startsAt: Date().addingTimeInterval(-3600), durationMinutes: 45, modality: .phone, practitionerEmail: nil,
                note: "Earlier \(canary)", by: pat.actor, now: Date().addingTimeInterval(-7200))
            let aid = try #require(booked.recordID)
            let held = try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: token,
                                             body: ["status": "held", "note": "We talked \(canary)", "advice_given": "Advice \(canary)"])
            #expect(held.status == .ok && held.json?["stage"] as? String == "listening")
            let detail = try await client.json("/api/v1/cases/\(id)", .get, token: token)
            let sessions = (detail.json?["listening_sessions"] as? [[String: Any]]) ?? []
            #expect(sessions.count == 1 && sessions.first?["duration_minutes"] as? Int == 45 && sessions.first?["modality"] as? String == "phone")
            let appointments = (detail.json?["appointments"] as? [[String: Any]]) ?? []
            #expect(appointments.contains { $0["id"] as? String == aid && $0["status"] as? String == "held"
                && $0["listening_session_id"] as? String == sessions.first?["id"] as? String })
            #expect((detail.json?["allowed_actions"] as? [String])?.contains("close") == true)
            // Over: no second hold, no move.
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(aid)", .patch, token: token,
                                          body: ["status": "held", "advice_given": "Again"]).status == .conflict)
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(fid)", .patch, token: token, body: ["status": "cancelled"]).status == .ok)
            #expect(try await client.json("/api/v1/cases/\(id)/appointments/\(fid)", .patch, token: token,
                                          body: ["starts_at": Self.rfc(Self.tomorrow(hour: 15))]).status == .conflict)
            // A closed case takes no new appointment.
            #expect(try await client.json("/api/v1/cases/\(id)/close", .post, token: token, body: ["reason": "completed"]).status == .ok)
            let closed = try await client.json("/api/v1/cases/\(id)/appointments", .post, token: token,
                                               body: ["starts_at": Self.rfc(Self.tomorrow(hour: 16)), "duration_minutes": 30, "modality": "phone"])
            #expect(closed.status == .conflict && closed.errorCode == "case_not_open")
        }
        // The note is sealed: not in any row, event, audit line, log line or byte of the database files.
        let rows = try await harness.database.reader.read { db in
            try ["case_appointment", "case_event", "audit_log", "mail_outbox"].flatMap { try Row.fetchAll(db, sql: "SELECT * FROM \($0)").map { "\($0)" } }.joined()
        }
        #expect(!rows.contains(canary) && !harness.logs.text.contains(canary))
        #expect(try dir.rawBytes().range(of: Data(canary.utf8)) == nil)
    }
}
