import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// A database with staff accounts inserted directly (independent of the staff-account API) and helpers to
/// bring a case to any stage and to snapshot every table a workflow write may touch.
struct WorkflowHarness {
    let db: AppDatabase
    let keys = KeyRing.ephemeral()
    static let workingDays = 2
    /// Wednesday 11 March 2026, noon in London (GMT).
    static let now = date("2026-03-11T12:00:00Z")
    static let nspcc = Service(id: "nspcc", name: "NSPCC", description: "Support for children and families.",
                               needs: [.counselling, .emotionalSupport, .familySupport], areas: ["national"],
                               howToReach: "to be confirmed by the partner")
    static let legal = Service(id: "legal_advice", name: "Independent legal advice", description: "Legal advice.",
                               needs: [.independentLegalAdvice], areas: ["national"], howToReach: "to be confirmed by the partner")

    init(_ db: AppDatabase? = nil) throws {
        self.db = try db ?? AppDatabase.inMemory()
    }

    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @discardableResult
    func staff(_ role: StaffRole, email: String? = nil, disabled: Bool = false) throws -> StaffActor {
        let id = UUID().uuidString.lowercased()
        let email = email ?? "\(role.rawValue)-\(id.prefix(8))@partner.example"
        try db.writer.write { db in
            try db.execute(sql: """
                INSERT INTO staff_account (id, email, role, council_area, password_hash, totp_secret, totp_key_version,
                                           created_at, disabled_at)
                VALUES (?, ?, ?, ?, '$argon2id$dummy', X'00', 1, ?, ?)
                """, arguments: [id, email, role.rawValue, role == .council ? "shropshire" : nil, Date(),
                                 disabled ? Date() : nil])
        }
        return StaffActor(id: id, role: role)
    }

    func email(_ actor: StaffActor) throws -> String {
        try db.reader.read { db in try String.fetchOne(db, sql: "SELECT email FROM staff_account WHERE id = ?", arguments: [actor.id])! }
    }

    func newCase(receivedAt: Date = WorkflowHarness.now.addingTimeInterval(-3600), canary: String? = nil) async throws -> String {
        let referral = canary.map { Fixtures.referral(canary: $0) } ?? Fixtures.referral()
        return try await db.createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: receivedAt, keys: keys).id
    }

    func stage(_ caseID: String) throws -> Stage {
        try db.caseRecord(id: caseID)!.stage
    }

    /// A new case walked to `stage` by `lead`; returns its id and (from `signposted` on) a signpost id.
    func caseAt(_ stage: Stage, by lead: StaffActor, closeReason: CloseReason = .completed) async throws -> (id: String, signpost: String?) {
        let id = try await newCase()
        let now = Self.now
        if stage == .received { return (id, nil) }
        if stage == .closed && closeReason != .completed {
            try await db.close(caseID: id, reason: closeReason, note: nil, by: lead, keys: keys, now: now)
            return (id, nil)
        }
        _ = try await db.acknowledge(caseID: id, method: .phone, note: nil, by: lead, keys: keys, now: now)
        if stage == .acknowledged { return (id, nil) }
        _ = try await db.recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 45, modality: .phone,
                                                note: nil, by: lead, keys: keys, now: now)
        if stage == .listening { return (id, nil) }
        _ = try await db.recordAssessment(caseID: id, level: .additional, needs: [.counselling], note: nil, by: lead, keys: keys, now: now)
        if stage == .assessed { return (id, nil) }
        let signpost = try await db.addSignpost(caseID: id, service: Self.nspcc, need: .counselling, note: nil, by: lead,
                                                keys: keys, now: now).recordID!
        if stage == .signposted { return (id, signpost) }
        try await db.close(caseID: id, reason: .completed, note: nil, by: lead, keys: keys, now: now)
        return (id, signpost)
    }

    static let tables = ["referral_case", "case_key", "case_event", "listening_session", "assessment", "signpost",
                         "safeguarding_escalation", "case_message", "audit_log", "audit_head"]

    /// Every row of every table a workflow write may touch, to show that a refused call changed nothing.
    func snapshot() throws -> [String: [Row]] {
        try db.reader.read { db in
            var all: [String: [Row]] = [:]
            for table in Self.tables { all[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") }
            return all
        }
    }
}

/// Runs `body`, expecting it to throw `expected`, and checks that the database is exactly as before.
func expectRefusedUnchanged<E: Error & Equatable>(
    _ h: WorkflowHarness, _ expected: E, _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async throws {
    let before = try h.snapshot()
    do {
        try await body()
        Issue.record("\(label): expected \(expected), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, "\(label)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(label): expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
    #expect(try h.snapshot() == before, "\(label): a refused call changed the database", sourceLocation: sourceLocation)
}

/// As `expectRefusedUnchanged`, for any `TransitionRefused`.
func expectTransitionRefused(
    _ h: WorkflowHarness, _ label: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async throws {
    let before = try h.snapshot()
    do {
        try await body()
        Issue.record("\(label): expected TransitionRefused, but it succeeded", sourceLocation: sourceLocation)
    } catch is TransitionRefused {
    } catch {
        Issue.record("\(label): expected TransitionRefused, got \(error)", sourceLocation: sourceLocation)
    }
    #expect(try h.snapshot() == before, "\(label): a refused transition changed the database", sourceLocation: sourceLocation)
}

@Suite struct CaseWorkflowTests {
    typealias H = WorkflowHarness

    @Test func aCaseWalksFromReceivedToClosedWithEventsAuditAndNotes() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let practitioner = try h.staff(.practitioner)
        let leadEmail = try h.email(lead), practitionerEmail = try h.email(practitioner)
        let id = try await h.newCase(receivedAt: H.date("2026-03-09T10:00:00Z"))
        var t = H.now
        func tick() -> Date { t = t.addingTimeInterval(60); return t }

        try await h.db.assign(caseID: id, toPractitionerEmail: "  \(practitionerEmail.uppercased()) ", by: lead, keys: h.keys, now: tick())
        #expect(try h.stage(id) == .received)
        #expect(try await h.db.acknowledge(caseID: id, method: .phone, note: "  rang mum, all fine  ", by: practitioner,
                                           keys: h.keys, now: tick()).stage == .acknowledged)
        let s1 = try await h.db.recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 50, modality: .phone,
                                                       note: "first session note", by: practitioner, keys: h.keys, now: tick()).recordID!
        #expect(try h.stage(id) == .listening)
        let s2 = try await h.db.recordListeningSession(caseID: id, heldOn: "2026-03-11", durationMinutes: 90, modality: .inPerson,
                                                       note: nil, by: practitioner, keys: h.keys, now: tick()).recordID!
        #expect(try h.stage(id) == .listening)
        let a = try await h.db.recordAssessment(caseID: id, level: .complex, needs: [.counselling, .independentLegalAdvice, .counselling],
                                                note: "assessment note", by: practitioner, keys: h.keys, now: tick()).recordID!
        #expect(try h.stage(id) == .assessed)
        let sp = try await h.db.addSignpost(caseID: id, service: H.nspcc, need: .counselling, note: "signpost note",
                                            by: practitioner, keys: h.keys, now: tick()).recordID!
        #expect(try h.stage(id) == .signposted)
        try await h.db.recordSignpostOutcome(caseID: id, signpostID: sp, outcome: .accepted, by: practitioner, keys: h.keys, now: tick())
        let m = try await h.db.sendMessage(caseID: id, body: "  Hello from the partner  ", by: practitioner, keys: h.keys, now: tick()).recordID!
        try await h.db.close(caseID: id, reason: .completed, note: "closing note", by: lead, keys: h.keys, now: tick())
        #expect(try h.stage(id) == .closed)

        let detail = try await h.db.caseDetail(caseID: id, by: practitioner, keys: h.keys, acknowledgementWorkingDays: H.workingDays, now: tick())
        #expect(detail.stage == .closed && detail.closeReason == .completed && detail.closedAt != nil && detail.acknowledgedAt != nil)
        #expect(detail.assignedTo == practitionerEmail && !detail.overdue)
        #expect(detail.referral.story?.hasSuffix("-story") == true)
        #expect(detail.harm == [.sexualAssault, .onlineOrImageBased] && detail.consentStatistics)
        #expect(detail.listeningSessions.map(\.id) == [s1, s2])
        #expect(detail.listeningSessions.map(\.note) == ["first session note", nil])
        #expect(detail.listeningSessions.map(\.modality) == [.phone, .inPerson])
        #expect(detail.listeningSessions.allSatisfy { $0.recordedBy == practitionerEmail })
        #expect(detail.assessments.map(\.id) == [a])
        #expect(detail.assessments.first?.needs == [.counselling, .independentLegalAdvice], "needs de-duplicated, order kept")
        #expect(detail.assessments.first?.level == .complex && detail.assessments.first?.note == "assessment note")
        #expect(detail.signposts.map(\.id) == [sp])
        #expect(detail.signposts.first?.outcome == .accepted && detail.signposts.first?.outcomeAt != nil)
        #expect(detail.signposts.first?.serviceID == "nspcc" && detail.signposts.first?.note == "signpost note")
        #expect(detail.messages.map(\.id) == [m])
        #expect(detail.messages.first?.body == "Hello from the partner" && detail.messages.first?.sender == "partner")

        let expectedEvents: [(String, Stage, Stage, String)] = [
            ("assign", .received, .received, leadEmail),
            ("acknowledge", .received, .acknowledged, practitionerEmail),
            ("record_listening_session", .acknowledged, .listening, practitionerEmail),
            ("record_listening_session", .listening, .listening, practitionerEmail),
            ("record_assessment", .listening, .assessed, practitionerEmail),
            ("add_signpost", .assessed, .signposted, practitionerEmail),
            ("record_signpost_outcome", .signposted, .signposted, practitionerEmail),
            ("send_message", .signposted, .signposted, practitionerEmail),
            ("close", .signposted, .closed, leadEmail),
        ]
        #expect(detail.events.count == expectedEvents.count)
        for (event, expected) in zip(detail.events, expectedEvents) {
            #expect(event.action == expected.0 && event.fromStage == expected.1 && event.toStage == expected.2
                    && event.actor == expected.3, "\(event.action)")
        }
        #expect(detail.events[0].detail == "to=\(practitioner.id)")
        #expect(detail.events[1].detail == "method=phone" && detail.events[1].note == "rang mum, all fine")
        #expect(detail.events[8].detail == "reason=completed" && detail.events[8].note == "closing note")
        #expect(detail.events[7].note == nil, "a message body is never copied into the event")
        #expect(detail.events.allSatisfy { !($0.detail ?? "").contains("Hello") })

        let timeline = try await h.db.caseTimeline(caseID: id, by: lead, keys: h.keys)
        #expect(timeline == detail.events)

        let audit = try h.db.auditEntries(caseID: id)
        #expect(audit.map(\.action) == [
            "case.assign", "case.acknowledge", "case.record_listening_session", "case.record_listening_session",
            "case.record_assessment", "case.add_signpost", "case.record_signpost_outcome", "case.send_message", "case.close",
            "case.read", "case.timeline",
        ])
        #expect(audit[0].actor == lead.id && audit[1].actor == practitioner.id)
        #expect(audit[1].detail == "method=phone,stage=received->acknowledged")
        #expect(audit[8].detail == "reason=completed,stage=signposted->closed")
        #expect(audit[9].actor == practitioner.id && audit[10].actor == lead.id)
        #expect(audit.allSatisfy { !($0.detail ?? "").contains("note") || $0.detail!.contains("=") })
        #expect(try await h.db.verifyAuditChain(keys: h.keys).isIntact)
        #expect(try await h.db.integrityProblems().isEmpty)
    }

    @Test func everyRefusedTransitionChangesNothing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let keys = h.keys, now = H.now
        var cases: [(Stage, String, String?)] = []
        for stage in Stage.allCases {
            let (id, signpost) = try await h.caseAt(stage, by: lead)
            cases.append((stage, id, signpost))
        }
        let (withdrawn, _) = try await h.caseAt(.closed, by: lead, closeReason: .withdrawn)
        cases.append((.closed, withdrawn, nil))

        var refusals = 0
        for (stage, id, signpost) in cases {
            let db = h.db
            let attempts: [(CaseAction, () async throws -> Void)] = [
                (.acknowledge, { _ = try await db.acknowledge(caseID: id, method: .email, note: "n", by: lead, keys: keys, now: now) }),
                (.recordListeningSession, { _ = try await db.recordListeningSession(
                    caseID: id, heldOn: "2026-03-10", durationMinutes: 30, modality: .video, note: "n", by: lead, keys: keys, now: now) }),
                (.recordAssessment, { _ = try await db.recordAssessment(caseID: id, level: .universal, needs: [.information],
                                                                        note: "n", by: lead, keys: keys, now: now) }),
                (.addSignpost, { _ = try await db.addSignpost(caseID: id, service: H.legal, need: .independentLegalAdvice,
                                                              note: "n", by: lead, keys: keys, now: now) }),
                (.recordSignpostOutcome, { try await db.recordSignpostOutcome(caseID: id, signpostID: signpost ?? "none",
                                                                              outcome: .declined, by: lead, keys: keys, now: now) }),
                (.recordSafeguarding, { _ = try await db.recordSafeguarding(caseID: id, route: .police, note: "n", by: lead, keys: keys, now: now) }),
                (.sendMessage, { _ = try await db.sendMessage(caseID: id, body: "hello", by: lead, keys: keys, now: now) }),
            ] + CloseReason.allCases.map { reason in
                (CaseAction.close(reason), { try await db.close(caseID: id, reason: reason, note: "n", by: lead, keys: keys, now: now) })
            }
            for (action, attempt) in attempts where !CaseLifecycle.allows(action, at: stage) {
                refusals += 1
                try await expectTransitionRefused(h, "\(action.name) at \(stage)", attempt)
                #expect(try h.stage(id) == stage)
            }
            if stage == .closed {
                let practitioner = try h.staff(.practitioner)
                try await expectTransitionRefused(h, "assign at closed") {
                    try await db.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, keys: keys, now: now)
                }
            }
        }
        #expect(refusals >= 30, "the lifecycle refuses many actions; all were tried")
    }

    @Test func badInputIsRefusedAndChangesNothing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let keys = h.keys, now = H.now, db = h.db
        let (acknowledged, _) = try await h.caseAt(.acknowledged, by: lead)
        let (listening, _) = try await h.caseAt(.listening, by: lead)
        let (assessed, _) = try await h.caseAt(.assessed, by: lead)
        let (signposted, signpost) = try await h.caseAt(.signposted, by: lead)
        let (otherSignposted, otherSignpost) = try await h.caseAt(.signposted, by: lead)
        let long = String(repeating: "é", count: 10_001)

        for date in ["2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-3-10", "10/03/2026", "", "2026-03-12",
                     "2027-01-01", "1999-12-31", "２０２６-03-10", " 2026-03-10"] {
            try await expectRefusedUnchanged(h, WorkflowError.invalidDate, "date \(date)") {
                _ = try await db.recordListeningSession(caseID: acknowledged, heldOn: date, durationMinutes: 30, modality: .phone,
                                                        note: nil, by: lead, keys: keys, now: now)
            }
        }
        for minutes in [0, -5, 601, Int.max] {
            try await expectRefusedUnchanged(h, WorkflowError.invalidDuration, "duration \(minutes)") {
                _ = try await db.recordListeningSession(caseID: acknowledged, heldOn: "2026-03-11", durationMinutes: minutes,
                                                        modality: .phone, note: nil, by: lead, keys: keys, now: now)
            }
        }
        let (received, _) = try await h.caseAt(.received, by: lead)
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long acknowledge note") {
            _ = try await db.acknowledge(caseID: received, method: .post, note: long, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long session note") {
            _ = try await db.recordListeningSession(caseID: acknowledged, heldOn: "2026-03-11", durationMinutes: 30, modality: .phone,
                                                    note: long, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long assessment note") {
            _ = try await db.recordAssessment(caseID: listening, level: .acuteOrSpecialist, needs: [.mentalHealth], note: long,
                                              by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, AssessmentInputError.noNeeds, "no needs") {
            _ = try await db.recordAssessment(caseID: listening, level: .universal, needs: [], note: nil, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.serviceDoesNotMeetNeed, "wrong need") {
            _ = try await db.addSignpost(caseID: assessed, service: H.legal, need: .counselling, note: nil, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long safeguarding note") {
            _ = try await db.recordSafeguarding(caseID: assessed, route: .socialCare, note: long, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.signpostNotFound, "another case's signpost") {
            try await db.recordSignpostOutcome(caseID: signposted, signpostID: otherSignpost!, outcome: .accepted, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.signpostNotFound, "no such signpost") {
            try await db.recordSignpostOutcome(caseID: otherSignposted, signpostID: "nope", outcome: .accepted, by: lead, keys: keys, now: now)
        }
        for body in ["", "   \n\t "] {
            try await expectRefusedUnchanged(h, WorkflowError.messageEmpty, "empty message") {
                _ = try await db.sendMessage(caseID: signposted, body: body, by: lead, keys: keys, now: now)
            }
        }
        try await expectRefusedUnchanged(h, WorkflowError.messageTooLong, "long message") {
            _ = try await db.sendMessage(caseID: signposted, body: long, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long close note") {
            try await db.close(caseID: signposted, reason: .completed, note: long, by: lead, keys: keys, now: now)
        }
        try await expectRefusedUnchanged(h, StoreError.caseNotFound, "no such case") {
            _ = try await db.acknowledge(caseID: "no-such-case", method: .email, note: nil, by: lead, keys: keys, now: now)
        }
        _ = signpost

        // Boundaries that are accepted: exactly 10,000 characters, 1 and 600 minutes, today in London.
        let exact = String(repeating: "x", count: 10_000)
        _ = try await db.recordListeningSession(caseID: acknowledged, heldOn: "2026-03-11", durationMinutes: 600, modality: .video,
                                                note: "  " + exact + "  ", by: lead, keys: keys, now: now)
        _ = try await db.recordListeningSession(caseID: acknowledged, heldOn: "2024-02-29", durationMinutes: 1, modality: .video,
                                                note: "   ", by: lead, keys: keys, now: now)
        _ = try await db.sendMessage(caseID: signposted, body: exact, by: lead, keys: keys, now: now)
        // 23:30 UTC on 1 June is already 2 June in London (BST).
        _ = try await db.recordListeningSession(caseID: acknowledged, heldOn: "2026-06-02", durationMinutes: 5, modality: .video,
                                                note: nil, by: lead, keys: keys, now: H.date("2026-06-01T23:30:00Z"))
        let detail = try await db.caseDetail(caseID: acknowledged, by: lead, keys: keys, acknowledgementWorkingDays: 2, now: now)
        // Ordered by date held; the blank note is stored as no note, the long one trimmed and kept whole.
        #expect(detail.listeningSessions.map(\.heldOn) == ["2024-02-29", "2026-03-11", "2026-06-02"])
        #expect(detail.listeningSessions.map { $0.note?.count } == [nil, 10_000, nil])
        #expect(detail.listeningSessions[1].note == exact)
    }

    @Test func assignIsLeadOnlyAndOnlyToEnabledWorkingAccounts() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let otherLead = try h.staff(.lead)
        let practitioner = try h.staff(.practitioner)
        let disabled = try h.staff(.practitioner, disabled: true)
        let admin = try h.staff(.admin), council = try h.staff(.council)
        let id = try await h.newCase()
        let keys = h.keys, db = h.db

        for (label, email) in [("unknown", "nobody@partner.example"), ("disabled", try h.email(disabled)),
                               ("admin", try h.email(admin)), ("council", try h.email(council)), ("empty", "")] {
            try await expectRefusedUnchanged(h, WorkflowError.unknownPractitioner, "assign to \(label)") {
                try await db.assign(caseID: id, toPractitionerEmail: email, by: lead, keys: keys)
            }
        }
        for actor in [practitioner, admin, council] {
            try await expectRefusedUnchanged(h, CaseAccessError.forbidden, "assign by \(actor.role)") {
                try await db.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: actor, keys: keys)
            }
        }
        // Even a practitioner on their own case may not reassign it.
        try await db.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, keys: keys)
        try await expectRefusedUnchanged(h, CaseAccessError.forbidden, "reassign by its practitioner") {
            try await db.assign(caseID: id, toPractitionerEmail: try h.email(otherLead), by: practitioner, keys: keys)
        }
        try await db.assign(caseID: id, toPractitionerEmail: try h.email(otherLead), by: lead, keys: keys)
        let summary = try await db.caseList(filter: .init(), limit: 10, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
        #expect(summary.cases.first?.assignedTo == (try h.email(otherLead)), "a lead may be assigned too")
    }

    @Test func safeguardingAndSignpostOutcomesAreAllowedWhenClosed() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, signpost) = try await h.caseAt(.closed, by: lead)
        let escalation = try await h.db.recordSafeguarding(caseID: id, route: .socialCare, note: "safeguarding note", by: lead, keys: h.keys).recordID!
        try await h.db.recordSignpostOutcome(caseID: id, signpostID: signpost!, outcome: .noResponse, by: lead, keys: h.keys)
        #expect(try h.stage(id) == .closed)
        let detail = try await h.db.caseDetail(caseID: id, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        #expect(detail.safeguarding.map(\.id) == [escalation])
        #expect(detail.safeguarding.first?.route == .socialCare && detail.safeguarding.first?.note == "safeguarding note")
        #expect(detail.signposts.first?.outcome == .noResponse)
        let last = try #require(detail.events.last { $0.action == "record_safeguarding" })
        #expect(last.fromStage == .closed && last.toStage == .closed && last.detail == "escalation=\(escalation),route=social_care")
        // Back to pending clears the outcome time.
        try await h.db.recordSignpostOutcome(caseID: id, signpostID: signpost!, outcome: .pending, by: lead, keys: h.keys)
        let again = try await h.db.caseDetail(caseID: id, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        #expect(again.signposts.first?.outcome == .pending && again.signposts.first?.outcomeAt == nil)
    }

    @Test func twentyConcurrentAcknowledgementsSucceedExactlyOnce() async throws {
        let dir = try TemporaryDirectory()
        let h = try H(try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try h.staff(.lead)
        let id = try await h.newCase()
        let db = h.db, keys = h.keys
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await db.acknowledge(caseID: id, method: .portal, note: "n", by: lead, keys: keys)
                        return "ok"
                    } catch is TransitionRefused {
                        return "refused"
                    } catch {
                        return "other: \(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "ok" }.count == 1)
        #expect(outcomes.filter { $0 == "refused" }.count == 19, "\(outcomes)")
        let timeline = try await db.caseTimeline(caseID: id, by: lead, keys: keys)
        #expect(timeline.map(\.action) == ["acknowledge"])
        #expect(try db.auditEntries(caseID: id).filter { $0.action == "case.acknowledge" }.count == 1)
        #expect(try await db.verifyAuditChain(keys: keys).isIntact)
    }
}

@Suite struct CaseWorkflowAccessTests {
    typealias H = WorkflowHarness

    /// Every case method, each returning the error it threw (nil when it succeeded).
    static func everyMethod(_ h: H, caseID: String, signpostID: String, target: String,
                            by actor: StaffActor) async -> [(String, (any Error)?)] {
        let db = h.db, keys = h.keys, now = H.now
        let calls: [(String, () async throws -> Void)] = [
            ("assign", { try await db.assign(caseID: caseID, toPractitionerEmail: target, by: actor, keys: keys, now: now) }),
            ("acknowledge", { _ = try await db.acknowledge(caseID: caseID, method: .email, note: nil, by: actor, keys: keys, now: now) }),
            ("listening", { _ = try await db.recordListeningSession(caseID: caseID, heldOn: "2026-03-10", durationMinutes: 10,
                                                                    modality: .phone, note: nil, by: actor, keys: keys, now: now) }),
            ("assessment", { _ = try await db.recordAssessment(caseID: caseID, level: .universal, needs: [.information], note: nil,
                                                               by: actor, keys: keys, now: now) }),
            ("signpost", { _ = try await db.addSignpost(caseID: caseID, service: H.nspcc, need: .counselling, note: nil, by: actor,
                                                        keys: keys, now: now) }),
            ("outcome", { try await db.recordSignpostOutcome(caseID: caseID, signpostID: signpostID, outcome: .accepted, by: actor,
                                                             keys: keys, now: now) }),
            ("safeguarding", { _ = try await db.recordSafeguarding(caseID: caseID, route: .police, note: nil, by: actor, keys: keys, now: now) }),
            ("message", { _ = try await db.sendMessage(caseID: caseID, body: "hi", by: actor, keys: keys, now: now) }),
            ("close", { try await db.close(caseID: caseID, reason: .withdrawn, note: nil, by: actor, keys: keys, now: now) }),
            ("detail", { _ = try await db.caseDetail(caseID: caseID, by: actor, keys: keys, acknowledgementWorkingDays: 2, now: now) }),
            ("timeline", { _ = try await db.caseTimeline(caseID: caseID, by: actor, keys: keys) }),
        ]
        var results: [(String, (any Error)?)] = []
        for (name, call) in calls {
            do { try await call(); results.append((name, nil)) } catch { results.append((name, error)) }
        }
        return results
    }

    @Test func aPractitionerMayNotTouchACaseThatIsNotTheirs() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let practitioner = try h.staff(.practitioner), colleague = try h.staff(.practitioner)
        let (unassigned, signpost) = try await h.caseAt(.signposted, by: lead)
        let (theirs, theirSignpost) = try await h.caseAt(.signposted, by: lead)
        try await h.db.assign(caseID: theirs, toPractitionerEmail: try h.email(colleague), by: lead, keys: h.keys)
        let before = try h.snapshot()
        for (caseID, sid) in [(unassigned, signpost!), (theirs, theirSignpost!)] {
            let results = await Self.everyMethod(h, caseID: caseID, signpostID: sid, target: try h.email(practitioner), by: practitioner)
            #expect(results.count == 11)
            for (name, error) in results {
                let expected: CaseAccessError = name == "assign" ? .forbidden : .notAssigned
                #expect((error as? CaseAccessError) == expected, "\(name): \(String(describing: error))")
            }
        }
        #expect(try h.snapshot() == before, "refused calls (reads included) wrote nothing, not even an audit row")

        let list = try await h.db.caseList(filter: .init(), limit: 100, cursor: nil, by: practitioner, acknowledgementWorkingDays: 2)
        #expect(list.cases.isEmpty)
        // Once assigned, everything but assign is let through (the lifecycle may still refuse, e.g. acknowledge).
        try await h.db.assign(caseID: unassigned, toPractitionerEmail: try h.email(practitioner), by: lead, keys: h.keys)
        let results = await Self.everyMethod(h, caseID: unassigned, signpostID: signpost!, target: try h.email(practitioner), by: practitioner)
        for (name, error) in results {
            switch name {
            case "assign": #expect((error as? CaseAccessError) == .forbidden)
            case "acknowledge": #expect(error is TransitionRefused, "a signposted case is past acknowledgement")
            default: #expect(error == nil, "\(name): \(String(describing: error))")
            }
        }
    }

    @Test func adminAndCouncilAreRefusedEverywhere() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, signpost) = try await h.caseAt(.signposted, by: lead)
        let before = try h.snapshot()
        for role in [StaffRole.admin, .council] {
            let actor = try h.staff(role)
            let snapshot = try h.snapshot()
            for (name, error) in await Self.everyMethod(h, caseID: id, signpostID: signpost!, target: try h.email(lead), by: actor) {
                #expect((error as? CaseAccessError) == .forbidden, "\(role) \(name): \(String(describing: error))")
            }
            // Not even whether a case exists.
            for (name, error) in await Self.everyMethod(h, caseID: "no-such-case", signpostID: "x", target: try h.email(lead), by: actor) {
                #expect((error as? CaseAccessError) == .forbidden, "\(role) \(name) on a missing case")
            }
            await #expect(throws: CaseAccessError.forbidden) {
                _ = try await h.db.caseList(filter: .init(), limit: 10, cursor: nil, by: actor, acknowledgementWorkingDays: 2)
            }
            #expect(try h.snapshot() == snapshot)
        }
        #expect(try h.snapshot()["audit_log"] == before["audit_log"])
    }

    @Test func readingACaseIsAuditedNamingTheReader() async throws {
        let h = try H()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner)
        let id = try await h.newCase()
        try await h.db.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, keys: h.keys)
        _ = try await h.db.caseDetail(caseID: id, by: practitioner, keys: h.keys, acknowledgementWorkingDays: 2)
        _ = try await h.db.caseDetail(caseID: id, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        _ = try await h.db.caseTimeline(caseID: id, by: practitioner, keys: h.keys)
        let reads = try h.db.auditEntries(caseID: id).filter { $0.action != "case.assign" }
        #expect(reads.map(\.action) == ["case.read", "case.read", "case.timeline"])
        #expect(reads.map(\.actor) == [practitioner.id, lead.id, practitioner.id])
        #expect(reads.allSatisfy { $0.caseId == id })
    }

    @Test func erasedCasesAreRefused() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let id = try await h.newCase()
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET erased_at = ? WHERE id = ?", arguments: [Date(), id])
        }
        await #expect(throws: StoreError.erased) {
            _ = try await h.db.acknowledge(caseID: id, method: .email, note: nil, by: lead, keys: h.keys)
        }
        await #expect(throws: StoreError.erased) {
            _ = try await h.db.caseDetail(caseID: id, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        }
        let list = try await h.db.caseList(filter: .init(), limit: 10, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
        #expect(list.cases.isEmpty, "erased cases leave the work list")
    }
}

@Suite struct CaseWorkflowSealingTests {
    typealias H = WorkflowHarness

    @Test func aSealedNoteCopiedToAnotherRowOrCaseFailsToOpen() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (a, _) = try await h.caseAt(.acknowledged, by: lead)
        let (b, _) = try await h.caseAt(.acknowledged, by: lead)
        let s1 = try await h.db.recordListeningSession(caseID: a, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone,
                                                       note: "note one", by: lead, keys: h.keys, now: H.now).recordID!
        let s2 = try await h.db.recordListeningSession(caseID: a, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone,
                                                       note: "note two", by: lead, keys: h.keys, now: H.now).recordID!
        let sb = try await h.db.recordListeningSession(caseID: b, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone,
                                                       note: "note b", by: lead, keys: h.keys, now: H.now).recordID!
        let ma = try await h.db.sendMessage(caseID: a, body: "message a", by: lead, keys: h.keys, now: H.now).recordID!
        let mb = try await h.db.sendMessage(caseID: b, body: "message b", by: lead, keys: h.keys, now: H.now).recordID!

        // Another row of the same case.
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE listening_session SET note = (SELECT note FROM listening_session WHERE id = ?) WHERE id = ?",
                           arguments: [s1, s2])
        }
        await #expect(throws: StoreError.undecryptable(field: "listening_session.note/\(s2)")) {
            _ = try await h.db.caseDetail(caseID: a, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        }
        // Another case.
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE listening_session SET note = (SELECT note FROM listening_session WHERE id = ?) WHERE id = ?",
                           arguments: [s1, sb])
            try db.execute(sql: "UPDATE case_message SET body = (SELECT body FROM case_message WHERE id = ?) WHERE id = ?",
                           arguments: [ma, mb])
        }
        await #expect(throws: StoreError.undecryptable(field: "listening_session.note/\(sb)")) {
            _ = try await h.db.caseDetail(caseID: b, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        }
        // Another table: a session's note pasted into an event of the same case.
        let events = try await h.db.caseTimeline(caseID: a, by: lead, keys: h.keys)
        let target = try #require(events.first { $0.action == "acknowledge" })
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE case_event SET note = (SELECT note FROM listening_session WHERE id = ?) WHERE id = ?",
                           arguments: [s1, target.id])
        }
        await #expect(throws: StoreError.undecryptable(field: "case_event.note/\(target.id)")) {
            _ = try await h.db.caseTimeline(caseID: a, by: lead, keys: h.keys)
        }
        // Repair case b's session; its message (copied from a) still fails.
        try await h.db.writer.write { db in try db.execute(sql: "UPDATE listening_session SET note = NULL WHERE id = ?", arguments: [sb]) }
        await #expect(throws: StoreError.undecryptable(field: "case_message.body/\(mb)")) {
            _ = try await h.db.caseDetail(caseID: b, by: lead, keys: h.keys, acknowledgementWorkingDays: 2)
        }
    }

    @Test func theDatabaseFilesHoldNoPlainNotesOrMessages() async throws {
        let dir = try TemporaryDirectory()
        let h = try H(try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try h.staff(.lead)
        let canary = "CANARY-\(UUID().uuidString)"
        let id = try await h.newCase(canary: canary)
        let keys = h.keys, db = h.db, now = H.now
        _ = try await db.acknowledge(caseID: id, method: .phone, note: "\(canary)-ack", by: lead, keys: keys, now: now)
        _ = try await db.recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 60, modality: .video,
                                                note: "\(canary)-session", by: lead, keys: keys, now: now)
        _ = try await db.recordAssessment(caseID: id, level: .additional, needs: [.counselling], note: "\(canary)-assess",
                                          by: lead, keys: keys, now: now)
        let sp = try await db.addSignpost(caseID: id, service: H.nspcc, need: .counselling, note: "\(canary)-signpost",
                                          by: lead, keys: keys, now: now).recordID!
        try await db.recordSignpostOutcome(caseID: id, signpostID: sp, outcome: .accepted, by: lead, keys: keys, now: now)
        _ = try await db.recordSafeguarding(caseID: id, route: .police, note: "\(canary)-safeguarding", by: lead, keys: keys, now: now)
        _ = try await db.sendMessage(caseID: id, body: "\(canary)-message", by: lead, keys: keys, now: now)
        try await db.close(caseID: id, reason: .completed, note: "\(canary)-close", by: lead, keys: keys, now: now)
        let detail = try await db.caseDetail(caseID: id, by: lead, keys: keys, acknowledgementWorkingDays: 2, now: now)
        #expect(detail.events.compactMap(\.note).count == 6, "the notes are there, sealed")

        func assertNoCanary() throws {
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.url.path) {
                let data = try Data(contentsOf: dir.url.appendingPathComponent(file))
                #expect(!data.contains(canary), "\(file) holds a plain note or message")
            }
        }
        try assertNoCanary()
        try db.checkpoint()
        try assertNoCanary()
    }
}

@Suite struct CaseWorkflowListTests {
    typealias H = WorkflowHarness

    @Test func filtersByStageAssigneeAndOverdue() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let p1 = try h.staff(.practitioner), p2 = try h.staff(.practitioner)
        let now = H.now  // Wednesday 11 March 2026, 12:00
        // Received: Thursday (overdue), Friday evening (overdue, target end of Tuesday), Saturday (overdue),
        // Monday (target end of Wednesday: not yet), Wednesday morning (not).
        let thursday = try await h.newCase(receivedAt: H.date("2026-03-05T09:00:00Z"))
        let friday = try await h.newCase(receivedAt: H.date("2026-03-06T19:00:00Z"))
        let saturday = try await h.newCase(receivedAt: H.date("2026-03-07T10:00:00Z"))
        let monday = try await h.newCase(receivedAt: H.date("2026-03-09T10:00:00Z"))
        let wednesday = try await h.newCase(receivedAt: H.date("2026-03-11T08:00:00Z"))
        // Old but acknowledged: never overdue.
        let acknowledged = try await h.newCase(receivedAt: H.date("2026-03-02T09:00:00Z"))
        _ = try await h.db.acknowledge(caseID: acknowledged, method: .email, note: nil, by: lead, keys: h.keys, now: now)
        try await h.db.assign(caseID: friday, toPractitionerEmail: try h.email(p1), by: lead, keys: h.keys, now: now)
        try await h.db.assign(caseID: monday, toPractitionerEmail: try h.email(p1), by: lead, keys: h.keys, now: now)
        try await h.db.assign(caseID: acknowledged, toPractitionerEmail: try h.email(p2), by: lead, keys: h.keys, now: now)

        func ids(_ filter: CaseListFilter, by actor: StaffActor? = nil) async throws -> [String] {
            try await h.db.caseList(filter: filter, limit: 100, cursor: nil, by: actor ?? lead,
                                    acknowledgementWorkingDays: H.workingDays, now: now).cases.map(\.id)
        }
        #expect(try await ids(.init()) == [wednesday, monday, saturday, friday, thursday, acknowledged], "newest first")
        #expect(try await ids(.init(overdue: true)) == [saturday, friday, thursday])
        #expect(try await ids(.init(overdue: false)) == [wednesday, monday, acknowledged])
        #expect(try await ids(.init(stage: .acknowledged)) == [acknowledged])
        #expect(try await ids(.init(stage: .acknowledged, overdue: true)) == [])
        #expect(try await ids(.init(stage: .received, overdue: false)) == [wednesday, monday])
        #expect(try await ids(.init(assignedTo: p1.id)) == [monday, friday])
        #expect(try await ids(.init(assignedTo: p1.id, overdue: true)) == [friday])
        #expect(try await ids(.init(unassigned: true)) == [wednesday, saturday, thursday])
        #expect(try await ids(.init(unassigned: true, overdue: true)) == [saturday, thursday])

        // A practitioner sees only their own, whatever the filter asks.
        #expect(try await ids(.init(), by: p1) == [monday, friday])
        #expect(try await ids(.init(assignedTo: p2.id), by: p1) == [])
        #expect(try await ids(.init(unassigned: true), by: p1) == [])
        #expect(try await ids(.init(overdue: true), by: p1) == [friday])
        #expect(try await ids(.init(), by: p2) == [acknowledged])

        let page = try await h.db.caseList(filter: .init(), limit: 100, cursor: nil, by: lead, acknowledgementWorkingDays: 2, now: now)
        let fridaySummary = try #require(page.cases.first { $0.id == friday })
        #expect(fridaySummary.assignedTo == (try h.email(p1)) && fridaySummary.overdue && fridaySummary.stage == .received)
        #expect(fridaySummary.councilArea == "shropshire" && fridaySummary.receivedAt == H.date("2026-03-06T19:00:00Z"))
        #expect(page.cases.first { $0.id == wednesday }?.assignedTo == nil)
        #expect(page.nextCursor == nil)
        // A practitioner's list is not audited as a read: it holds no personal field.
        let encoded = String(decoding: try JSONEncoder().encode(page.cases), as: UTF8.self)
        #expect(!encoded.contains("CANARY"))
    }

    @Test func pagingVisitsEveryCaseExactlyOnce() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let base = H.now
        var all: [String] = []
        for i in 0..<250 {
            // Groups of three share a received time, so the id breaks ties.
            all.append(try await h.newCase(receivedAt: base.addingTimeInterval(-Double(i / 3) * 3 * 3600)))
        }
        func walk(_ filter: CaseListFilter, limit: Int) async throws -> (ids: [String], pages: Int) {
            var seen: [String] = [], cursor: String? = nil, pages = 0
            repeat {
                let page = try await h.db.caseList(filter: filter, limit: limit, cursor: cursor, by: lead,
                                                   acknowledgementWorkingDays: H.workingDays, now: base)
                pages += 1
                #expect(page.cases.count <= limit)
                if page.nextCursor != nil { #expect(page.cases.count == limit) }
                seen += page.cases.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil && pages < 1000
            return (seen, pages)
        }
        let (ids, pages) = try await walk(.init(), limit: 100)
        #expect(pages == 3)
        #expect(ids.count == 250 && Set(ids) == Set(all))
        let full = try await h.db.caseList(filter: .init(), limit: 1000, cursor: nil, by: lead, acknowledgementWorkingDays: 2, now: base)
        #expect(full.cases.map(\.id) == ids, "pages join up into the one ordering")
        #expect(zip(full.cases, full.cases.dropFirst()).allSatisfy { $0.receivedAt > $1.receivedAt || ($0.receivedAt == $1.receivedAt && $0.id > $1.id) })

        // Overdue filtering across pages (most of these are overdue; the newest few are not).
        let overdue = full.cases.filter(\.overdue).map(\.id)
        let notOverdue = full.cases.filter { !$0.overdue }.map(\.id)
        #expect(!overdue.isEmpty && !notOverdue.isEmpty)
        #expect(try await walk(.init(overdue: true), limit: 7).ids == overdue)
        #expect(try await walk(.init(overdue: false), limit: 3).ids == notOverdue)
        #expect(try await walk(.init(), limit: 1).ids == ids)
        // An exact multiple of the limit ends without an empty page.
        #expect(try await walk(.init(), limit: 125).pages == 2)
    }

    @Test func aMalformedCursorIsRefused() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        for _ in 0..<3 { _ = try await h.newCase() }
        let first = try await h.db.caseList(filter: .init(), limit: 1, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
        let good = try #require(first.nextCursor)
        #expect(!good.contains("=") && !good.contains("+") && !good.contains("/"))
        _ = try await h.db.caseList(filter: .init(), limit: 1, cursor: good, by: lead, acknowledgementWorkingDays: 2)
        func b64(_ s: String) -> String {
            Data(s.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        for bad in ["", "!!!", "not base64 at all", String(repeating: "A", count: 500), b64("v1|yesterday|abc"),
                    b64("v2|2026-03-11 12:00:00.000|abc"), b64("v1|2026-03-11 12:00:00.000|abc' OR 1=1 --"),
                    b64("v1|2026-03-11 12:00:00.000"), good + "%"] {
            await #expect(throws: WorkflowError.invalidCursor, "\(bad)") {
                _ = try await h.db.caseList(filter: .init(), limit: 1, cursor: bad, by: lead, acknowledgementWorkingDays: 2)
            }
        }
    }
}
