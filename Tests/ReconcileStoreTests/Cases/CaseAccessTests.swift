import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

@Suite struct CaseWorkflowAccessTests {
    typealias H = WorkflowHarness

    /// Every case method, each returning the error it threw (nil when it succeeded).
    static func everyMethod(_ h: H, caseID: CaseID, signpostID: String, target: String,
                            by actor: StaffActor) async -> [(String, (any Error)?)] {
        let db = h.db, keys = h.keys, now = H.now
        let calls: [(String, () async throws -> Void)] = [
            ("assign", { try await CaseStore(db, keys).assign(caseID: caseID, toPractitionerEmail: target, by: actor, now: now) }),
            ("acknowledge", { _ = try await CaseStore(db, keys).acknowledge(caseID: caseID, method: .email, note: nil, by: actor, now: now) }),
            ("listening", { _ = try await CaseStore(db, keys).recordListeningSession(caseID: caseID, heldOn: "2026-03-10", durationMinutes: 10,
                                                                    modality: .phone, note: nil, by: actor, now: now) }),
            ("assessment", { _ = try await CaseStore(db, keys).recordAssessment(caseID: caseID, level: .universal, needs: [.information], note: nil,
                                                               by: actor, now: now) }),
            ("signpost", { _ = try await CaseStore(db, keys).addSignpost(caseID: caseID, service: H.nspcc, need: .counselling, note: nil, by: actor, now: now) }),
            ("outcome", { try await CaseStore(db, keys).recordSignpostOutcome(caseID: caseID, signpostID: signpostID, outcome: .accepted, by: actor, now: now) }),
            ("safeguarding", { _ = try await CaseStore(db, keys).recordSafeguarding(caseID: caseID, route: .police, note: nil, by: actor, now: now) }),
            ("message", { _ = try await CaseStore(db, keys).sendMessage(caseID: caseID, body: "hi", by: actor, now: now) }),
            ("close", { try await CaseStore(db, keys).close(caseID: caseID, reason: .withdrawn, note: nil, by: actor, now: now) }),
            ("detail", { _ = try await CaseStore(db, keys).caseDetail(caseID: caseID, by: actor, acknowledgementWorkingDays: 2, now: now) }),
            ("timeline", { _ = try await CaseStore(db, keys).caseTimeline(caseID: caseID, by: actor) }),
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
        try await h.stores.cases.assign(caseID: theirs, toPractitionerEmail: try h.email(colleague), by: lead)
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

        let list = try await h.stores.cases.caseList(filter: .init(), limit: 100, cursor: nil, by: practitioner, acknowledgementWorkingDays: 2)
        #expect(list.cases.isEmpty)
        // Once assigned, everything but assign is let through (the lifecycle may still refuse, e.g. acknowledge).
        try await h.stores.cases.assign(caseID: unassigned, toPractitionerEmail: try h.email(practitioner), by: lead)
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
            for (name, error) in await Self.everyMethod(h, caseID: CaseID("no-such-case"), signpostID: "x", target: try h.email(lead), by: actor) {
                #expect((error as? CaseAccessError) == .forbidden, "\(role) \(name) on a missing case")
            }
            await #expect(throws: CaseAccessError.forbidden) {
                _ = try await h.stores.cases.caseList(filter: .init(), limit: 10, cursor: nil, by: actor, acknowledgementWorkingDays: 2)
            }
            #expect(try h.snapshot() == snapshot)
        }
        #expect(try h.snapshot()["audit_log"] == before["audit_log"])
    }

    @Test func readingACaseIsAuditedNamingTheReader() async throws {
        let h = try H()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner)
        let id = try await h.newCase()
        try await h.stores.cases.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead)
        _ = try await h.stores.cases.caseDetail(caseID: id, by: practitioner, acknowledgementWorkingDays: 2)
        _ = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2)
        _ = try await h.stores.cases.caseTimeline(caseID: id, by: practitioner)
        let reads = try h.stores.audit.auditEntries(caseID: id).filter { $0.action != "case.assign" }
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
            _ = try await h.stores.cases.acknowledge(caseID: id, method: .email, note: nil, by: lead)
        }
        await #expect(throws: StoreError.erased) {
            _ = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2)
        }
        let list = try await h.stores.cases.caseList(filter: .init(), limit: 10, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
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
        let s1 = try await h.stores.cases.recordListeningSession(caseID: a, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone,
                                                       note: "note one", by: lead, now: H.now).recordID!
        let s2 = try await h.stores.cases.recordListeningSession(caseID: a, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone,
                                                       note: "note two", by: lead, now: H.now).recordID!
        let sb = try await h.stores.cases.recordListeningSession(caseID: b, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone,
                                                       note: "note b", by: lead, now: H.now).recordID!
        let ma = try await h.stores.cases.sendMessage(caseID: a, body: "message a", by: lead, now: H.now).recordID!
        let mb = try await h.stores.cases.sendMessage(caseID: b, body: "message b", by: lead, now: H.now).recordID!

        // Another row of the same case.
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE listening_session SET note = (SELECT note FROM listening_session WHERE id = ?) WHERE id = ?",
                           arguments: [s1, s2])
        }
        await #expect(throws: StoreError.undecryptable(field: "listening_session.note/\(s2)")) {
            _ = try await h.stores.cases.caseDetail(caseID: a, by: lead, acknowledgementWorkingDays: 2)
        }
        // Another case.
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE listening_session SET note = (SELECT note FROM listening_session WHERE id = ?) WHERE id = ?",
                           arguments: [s1, sb])
            try db.execute(sql: "UPDATE case_message SET body = (SELECT body FROM case_message WHERE id = ?) WHERE id = ?",
                           arguments: [ma, mb])
        }
        await #expect(throws: StoreError.undecryptable(field: "listening_session.note/\(sb)")) {
            _ = try await h.stores.cases.caseDetail(caseID: b, by: lead, acknowledgementWorkingDays: 2)
        }
        // Another table: a session's note pasted into an event of the same case.
        let events = try await h.stores.cases.caseTimeline(caseID: a, by: lead)
        let target = try #require(events.first { $0.action == "acknowledge" })
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE case_event SET note = (SELECT note FROM listening_session WHERE id = ?) WHERE id = ?",
                           arguments: [s1, target.id])
        }
        await #expect(throws: StoreError.undecryptable(field: "case_event.note/\(target.id)")) {
            _ = try await h.stores.cases.caseTimeline(caseID: a, by: lead)
        }
        // Repair case b's session; its message (copied from a) still fails.
        try await h.db.writer.write { db in try db.execute(sql: "UPDATE listening_session SET note = NULL WHERE id = ?", arguments: [sb]) }
        await #expect(throws: StoreError.undecryptable(field: "case_message.body/\(mb)")) {
            _ = try await h.stores.cases.caseDetail(caseID: b, by: lead, acknowledgementWorkingDays: 2)
        }
    }

    /// Practice records are bound to their table, column and row: the advice moved into "actions agreed" of the
    /// same row, or a note pasted over the advice, does not open.
    @Test func aPracticeRecordMovedToAnotherColumnOrRowFailsToOpen() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (a, _) = try await h.caseAt(.acknowledged, by: lead)
        let s1 = try await h.stores.cases.recordListeningSession(caseID: a, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone, note: "a note",
                                                       practice: PracticeRecord(adviceGiven: "advice one", actionsAgreed: "actions one"),
                                                       by: lead, now: H.now).recordID!
        let detail = try await h.stores.cases.caseDetail(caseID: a, by: lead, acknowledgementWorkingDays: 2)
        #expect(detail.listeningSessions.first?.adviceGiven == "advice one" && detail.listeningSessions.first?.actionsAgreed == "actions one")
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE listening_session SET actions_agreed = advice_given WHERE id = ?", arguments: [s1])
        }
        await #expect(throws: StoreError.undecryptable(field: "listening_session.actions_agreed/\(s1)")) {
            _ = try await h.stores.cases.caseDetail(caseID: a, by: lead, acknowledgementWorkingDays: 2)
        }
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE listening_session SET actions_agreed = NULL, advice_given = note WHERE id = ?", arguments: [s1])
        }
        await #expect(throws: StoreError.undecryptable(field: "listening_session.advice_given/\(s1)")) {
            _ = try await h.stores.cases.caseDetail(caseID: a, by: lead, acknowledgementWorkingDays: 2)
        }
    }

    @Test func theDatabaseFilesHoldNoPlainNotesOrMessages() async throws {
        let dir = try TemporaryDirectory()
        let h = try H(try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try h.staff(.lead)
        let canary = "CANARY-\(UUID().uuidString)"
        let id = try await h.newCase(canary: canary)
        let keys = h.keys, db = h.db, now = H.now
        _ = try await CaseStore(db, keys).acknowledge(caseID: id, method: .phone, note: "\(canary)-ack", by: lead, now: now)
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 60, modality: .video,
                                                note: "\(canary)-session", by: lead, now: now)
        _ = try await CaseStore(db, keys).recordAssessment(caseID: id, level: .additional, needs: [.counselling], note: "\(canary)-assess",
                                          by: lead, now: now)
        let sp = try await CaseStore(db, keys).addSignpost(caseID: id, service: H.nspcc, need: .counselling, note: "\(canary)-signpost",
                                          by: lead, now: now).recordID!
        try await CaseStore(db, keys).recordSignpostOutcome(caseID: id, signpostID: sp, outcome: .accepted, by: lead, now: now)
        _ = try await CaseStore(db, keys).recordSafeguarding(caseID: id, route: .police, note: "\(canary)-safeguarding", by: lead, now: now)
        _ = try await CaseStore(db, keys).sendMessage(caseID: id, body: "\(canary)-message", by: lead, now: now)
        try await CaseStore(db, keys).close(caseID: id, reason: .completed, note: "\(canary)-close", by: lead, now: now)
        let detail = try await CaseStore(db, keys).caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2, now: now)
        #expect(detail.events.compactMap(\.note).count == 6, "the notes are there, sealed")

        func assertNoCanary() throws {
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.url.path) {
                let data = try Data(contentsOf: dir.url.appendingPathComponent(file))
                #expect(!data.contains(canary), "\(file) holds a plain note or message")
            }
        }
        try assertNoCanary()
        try await db.checkpoint()
        try assertNoCanary()
    }
}
