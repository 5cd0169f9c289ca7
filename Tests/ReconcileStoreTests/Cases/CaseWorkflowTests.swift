import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

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

        try await h.stores.cases.assign(caseID: id, toPractitionerEmail: "  \(practitionerEmail.uppercased()) ", by: lead, now: tick())
        #expect(try h.stage(id) == .received)
        #expect(try await h.stores.cases.acknowledge(caseID: id, method: .phone, note: "  rang mum, all fine  ", by: practitioner, now: tick()).stage == .acknowledged)
        let s1 = try await h.stores.cases.recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 50, modality: .phone,
                                                       note: "first session note", by: practitioner, now: tick()).recordID!
        #expect(try h.stage(id) == .listening)
        let s2 = try await h.stores.cases.recordListeningSession(caseID: id, heldOn: "2026-03-11", durationMinutes: 90, modality: .inPerson,
                                                       note: nil, by: practitioner, now: tick()).recordID!
        #expect(try h.stage(id) == .listening)
        let a = try await h.stores.cases.recordAssessment(caseID: id, level: .complex, needs: [.counselling, .independentLegalAdvice, .counselling],
                                                note: "assessment note", by: practitioner, now: tick()).recordID!
        #expect(try h.stage(id) == .assessed)
        let sp = try await h.stores.cases.addSignpost(caseID: id, service: H.nspcc, need: .counselling, note: "signpost note",
                                            by: practitioner, now: tick()).recordID!
        #expect(try h.stage(id) == .signposted)
        try await h.stores.cases.recordSignpostOutcome(caseID: id, signpostID: sp, outcome: .accepted, by: practitioner, now: tick())
        let m = try await h.stores.cases.sendMessage(caseID: id, body: "  Hello from the partner  ", by: practitioner, now: tick()).recordID!
        try await h.stores.cases.close(caseID: id, reason: .completed, note: "closing note", by: lead, now: tick())
        #expect(try h.stage(id) == .closed)

        let detail = try await h.stores.cases.caseDetail(caseID: id, by: practitioner, acknowledgementWorkingDays: H.workingDays, now: tick())
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

        let timeline = try await h.stores.cases.caseTimeline(caseID: id, by: lead)
        #expect(timeline == detail.events)

        let audit = try h.stores.audit.auditEntries(caseID: id)
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
        #expect(try await h.stores.audit.verifyAuditChain().isIntact)
        #expect(try await h.db.integrityProblems().isEmpty)
    }

    @Test func everyRefusedTransitionChangesNothing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let keys = h.keys, now = H.now
        var cases: [(Stage, CaseID, String?)] = []
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
                (.acknowledge, { _ = try await CaseStore(db, keys).acknowledge(caseID: id, method: .email, note: "n", by: lead, now: now) }),
                (.recordListeningSession, { _ = try await CaseStore(db, keys).recordListeningSession(
                    caseID: id, heldOn: "2026-03-10", durationMinutes: 30, modality: .video, note: "n", by: lead, now: now) }),
                (.recordAssessment, { _ = try await CaseStore(db, keys).recordAssessment(caseID: id, level: .universal, needs: [.information],
                                                                        note: "n", by: lead, now: now) }),
                (.addSignpost, { _ = try await CaseStore(db, keys).addSignpost(caseID: id, service: H.legal, need: .independentLegalAdvice,
                                                              note: "n", by: lead, now: now) }),
                (.recordSignpostOutcome, { try await CaseStore(db, keys).recordSignpostOutcome(caseID: id, signpostID: signpost ?? "none",
                                                                              outcome: .declined, by: lead, now: now) }),
                (.recordSafeguarding, { _ = try await CaseStore(db, keys).recordSafeguarding(caseID: id, route: .police, note: "n", by: lead, now: now) }),
                (.sendMessage, { _ = try await CaseStore(db, keys).sendMessage(caseID: id, body: "hello", by: lead, now: now) }),
            ] + CloseReason.allCases.map { reason in
                (CaseAction.close(reason), { try await CaseStore(db, keys).close(caseID: id, reason: reason, note: "n", by: lead, now: now) })
            }
            for (action, attempt) in attempts where !CaseLifecycle.allows(action, at: stage) {
                refusals += 1
                try await expectTransitionRefused(h, "\(action.name) at \(stage)", attempt)
                #expect(try h.stage(id) == stage)
            }
            if stage == .closed {
                let practitioner = try h.staff(.practitioner)
                try await expectTransitionRefused(h, "assign at closed") {
                    try await CaseStore(db, keys).assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, now: now)
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
                _ = try await CaseStore(db, keys).recordListeningSession(caseID: acknowledged, heldOn: date, durationMinutes: 30, modality: .phone,
                                                        note: nil, by: lead, now: now)
            }
        }
        for minutes in [0, -5, 601, Int.max] {
            try await expectRefusedUnchanged(h, WorkflowError.invalidDuration, "duration \(minutes)") {
                _ = try await CaseStore(db, keys).recordListeningSession(caseID: acknowledged, heldOn: "2026-03-11", durationMinutes: minutes,
                                                        modality: .phone, note: nil, by: lead, now: now)
            }
        }
        let (received, _) = try await h.caseAt(.received, by: lead)
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long acknowledge note") {
            _ = try await CaseStore(db, keys).acknowledge(caseID: received, method: .post, note: long, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long session note") {
            _ = try await CaseStore(db, keys).recordListeningSession(caseID: acknowledged, heldOn: "2026-03-11", durationMinutes: 30, modality: .phone,
                                                    note: long, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long assessment note") {
            _ = try await CaseStore(db, keys).recordAssessment(caseID: listening, level: .acuteOrSpecialist, needs: [.mentalHealth], note: long,
                                              by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, AssessmentInputError.noNeeds, "no needs") {
            _ = try await CaseStore(db, keys).recordAssessment(caseID: listening, level: .universal, needs: [], note: nil, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.serviceDoesNotMeetNeed, "wrong need") {
            _ = try await CaseStore(db, keys).addSignpost(caseID: assessed, service: H.legal, need: .counselling, note: nil, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long safeguarding note") {
            _ = try await CaseStore(db, keys).recordSafeguarding(caseID: assessed, route: .socialCare, note: long, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.signpostNotFound, "another case's signpost") {
            try await CaseStore(db, keys).recordSignpostOutcome(caseID: signposted, signpostID: otherSignpost!, outcome: .accepted, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.signpostNotFound, "no such signpost") {
            try await CaseStore(db, keys).recordSignpostOutcome(caseID: otherSignposted, signpostID: "nope", outcome: .accepted, by: lead, now: now)
        }
        for body in ["", "   \n\t "] {
            try await expectRefusedUnchanged(h, WorkflowError.messageEmpty, "empty message") {
                _ = try await CaseStore(db, keys).sendMessage(caseID: signposted, body: body, by: lead, now: now)
            }
        }
        try await expectRefusedUnchanged(h, WorkflowError.messageTooLong, "long message") {
            _ = try await CaseStore(db, keys).sendMessage(caseID: signposted, body: long, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, WorkflowError.noteTooLong, "long close note") {
            try await CaseStore(db, keys).close(caseID: signposted, reason: .completed, note: long, by: lead, now: now)
        }
        try await expectRefusedUnchanged(h, StoreError.caseNotFound, "no such case") {
            _ = try await CaseStore(db, keys).acknowledge(caseID: CaseID("no-such-case"), method: .email, note: nil, by: lead, now: now)
        }
        _ = signpost

        // Boundaries that are accepted: exactly 10,000 characters, 1 and 600 minutes, today in London.
        let exact = String(repeating: "x", count: 10_000)
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: acknowledged, heldOn: "2026-03-11", durationMinutes: 600, modality: .video,
                                                note: "  " + exact + "  ", by: lead, now: now)
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: acknowledged, heldOn: "2024-02-29", durationMinutes: 1, modality: .video,
                                                note: "   ", by: lead, now: now)
        _ = try await CaseStore(db, keys).sendMessage(caseID: signposted, body: exact, by: lead, now: now)
        // 23:30 UTC on 1 June is already 2 June in London (BST).
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: acknowledged, heldOn: "2026-06-02", durationMinutes: 5, modality: .video,
                                                note: nil, by: lead, now: H.date("2026-06-01T23:30:00Z"))
        let detail = try await CaseStore(db, keys).caseDetail(caseID: acknowledged, by: lead, acknowledgementWorkingDays: 2, now: now)
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
                try await CaseStore(db, keys).assign(caseID: id, toPractitionerEmail: email, by: lead)
            }
        }
        for actor in [practitioner, admin, council] {
            try await expectRefusedUnchanged(h, CaseAccessError.forbidden, "assign by \(actor.role)") {
                try await CaseStore(db, keys).assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: actor)
            }
        }
        // Even a practitioner on their own case may not reassign it.
        try await CaseStore(db, keys).assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead)
        try await expectRefusedUnchanged(h, CaseAccessError.forbidden, "reassign by its practitioner") {
            try await CaseStore(db, keys).assign(caseID: id, toPractitionerEmail: try h.email(otherLead), by: practitioner)
        }
        try await CaseStore(db, keys).assign(caseID: id, toPractitionerEmail: try h.email(otherLead), by: lead)
        let summary = try await CaseStore(db, keys).caseList(filter: .init(), limit: 10, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
        #expect(summary.cases.first?.assignedTo == (try h.email(otherLead)), "a lead may be assigned too")
    }

    @Test func safeguardingAndSignpostOutcomesAreAllowedWhenClosed() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, signpost) = try await h.caseAt(.closed, by: lead)
        let escalation = try await h.stores.cases.recordSafeguarding(caseID: id, route: .socialCare, note: "safeguarding note", by: lead).recordID!
        try await h.stores.cases.recordSignpostOutcome(caseID: id, signpostID: signpost!, outcome: .noResponse, by: lead)
        #expect(try h.stage(id) == .closed)
        let detail = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2)
        #expect(detail.safeguarding.map(\.id) == [escalation])
        #expect(detail.safeguarding.first?.route == .socialCare && detail.safeguarding.first?.note == "safeguarding note")
        #expect(detail.signposts.first?.outcome == .noResponse)
        let last = try #require(detail.events.last { $0.action == "record_safeguarding" })
        #expect(last.fromStage == .closed && last.toStage == .closed && last.detail == "escalation=\(escalation),routes=social_care,outcome=pending")
        // Back to pending clears the outcome time.
        try await h.stores.cases.recordSignpostOutcome(caseID: id, signpostID: signpost!, outcome: .pending, by: lead)
        let again = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2)
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
                        _ = try await CaseStore(db, keys).acknowledge(caseID: id, method: .portal, note: "n", by: lead)
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
        let timeline = try await CaseStore(db, keys).caseTimeline(caseID: id, by: lead)
        #expect(timeline.map(\.action) == ["acknowledge"])
        #expect(try AuditStore(db, keys).auditEntries(caseID: id).filter { $0.action == "case.acknowledge" }.count == 1)
        #expect(try await AuditStore(db, keys).verifyAuditChain().isIntact)
    }
}
