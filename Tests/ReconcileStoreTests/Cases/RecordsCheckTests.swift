import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// The records check: each incomplete-record rule at its boundary, the monthly sample's size, its
/// stability within the month and its new draw the next, leads only, an audit row for every view, and one draw
/// however many leads open it at once.
@Suite struct RecordsCheckTests {
    typealias H = WorkflowHarness
    static let policy = RecordingPolicy()   // shipped default: advice on every listening session, a reason on closing

    func check(_ h: H, by lead: StaffActor, at now: Date = H.now, month: AuditMonth? = nil, n: Int = 5,
               policy: RecordingPolicy = RecordsCheckTests.policy) async throws -> RecordsCheck {
        try await h.stores.cases.recordsCheck(month: month, samplePerPractitioner: n, policy: policy, acknowledgementWorkingDays: H.workingDays,
                                    by: lead, now: now)
    }

    func rules(_ c: RecordsCheck, _ caseID: CaseID) -> [String] {
        c.incomplete.first { $0.caseID == caseID }?.problems.map(\.rule) ?? []
    }

    // MARK: incomplete by policy

    @Test func aSessionWithoutTheAdviceThePolicyRequiresIsListedUntilThePolicyStopsAsking() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (bare, _) = try await h.caseAt(.acknowledged, by: lead)
        // Two sessions without advice (recorded before the policy asked for it), one with.
        for _ in 0..<2 {
            try await h.stores.cases.recordListeningSession(caseID: bare, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone, note: nil,
                                                  by: lead, now: H.now)
        }
        let (advised, _) = try await h.caseAt(.acknowledged, by: lead)
        try await h.stores.cases.recordListeningSession(caseID: advised, heldOn: "2026-03-10", durationMinutes: 30, modality: .phone, note: nil,
                                              practice: PracticeRecord(adviceGiven: "Options talked through"), by: lead, now: H.now)
        let c = try await check(h, by: lead)
        let entry = try #require(c.incomplete.first { $0.caseID == bare })
        #expect(entry.problems == [RecordsProblem(rule: "listening_session_without_advice_given", count: 2)])
        #expect(entry.stage == .listening && entry.assignedTo == nil)
        #expect(rules(c, advised) == [], "a session with advice is complete")
        // A policy that requires nothing lists nothing; one that also asks for actions lists the advised case too.
        #expect(try await check(h, by: lead, policy: try RecordingPolicy(required: [:])).incomplete.isEmpty)
        let stricter = try RecordingPolicy(required: [.listeningSession: ["advice_given", "actions_agreed"]])
        #expect(rules(try await check(h, by: lead, policy: stricter), advised) == ["listening_session_without_actions_agreed"])
    }

    @Test func assessmentSignpostAndClosureFieldsTheStricterPolicyRequiresAreListed() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (closed, _) = try await h.caseAt(.closed, by: lead)   // walked with no practice record at all
        let policy = try RecordingPolicy(required: [.assessment: ["reason"], .signpost: ["advice_given"], .close: ["summary", "note"]])
        #expect(rules(try await check(h, by: lead, policy: policy), closed)
                == ["assessment_without_reason", "close_without_note", "close_without_summary", "signpost_without_advice_given"])
    }

    @Test func anAcknowledgementIsListedFromTheMomentItIsOverdueAndNotAfterItIsMade() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        // Received Monday 9 March 2026, 10:00 GMT: two working days, so due by the end of Wednesday 11 March.
        let id = try await h.newCase(receivedAt: H.date("2026-03-09T10:00:00Z"))
        #expect(rules(try await check(h, by: lead, at: H.date("2026-03-11T23:59:59Z")), id) == [], "on the last day it is not yet overdue")
        #expect(rules(try await check(h, by: lead, at: H.date("2026-03-12T00:00:01Z")), id) == ["acknowledgement_overdue"])
        try await h.stores.cases.acknowledge(caseID: id, method: .phone, note: nil, by: lead, now: H.date("2026-03-12T09:00:00Z"))
        #expect(rules(try await check(h, by: lead, at: H.date("2026-03-12T09:00:01Z")), id) == [])
    }

    @Test func anEscalationWithoutAnOutcomeIsListedJustPastTenWorkingDaysNotAtThem() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.acknowledged, by: lead)
        try await h.stores.cases.recordListeningSession(caseID: id, heldOn: "2026-03-01", durationMinutes: 30, modality: .phone, note: nil,
                                              practice: PracticeRecord(adviceGiven: "advice"), by: lead, now: H.date("2026-03-02T09:00:00Z"))
        // Made Monday 2 March 2026 at 10:00 (GMT): ten working days are 3-6, 9-13 and 16 March.
        let made = H.date("2026-03-02T10:00:00Z")
        let change = try await h.stores.cases.recordSafeguarding(caseID: id, referral: SafeguardingReferral(routes: [.socialCare], parentsInformed: true),
                                                       note: nil, by: lead, now: made)
        #expect(rules(try await check(h, by: lead, at: H.date("2026-03-16T23:59:59Z")), id) == [], "ten working days exactly: not yet")
        let past = H.date("2026-03-17T00:00:01Z")
        let listed = try await check(h, by: lead, at: past)
        #expect(listed.incomplete.first { $0.caseID == id }?.problems == [RecordsProblem(rule: "safeguarding_outcome_overdue", count: 1)])
        // A second pending escalation made later is not yet due; an outcome takes the first off the list.
        try await h.stores.cases.recordSafeguarding(caseID: id, referral: SafeguardingReferral(routes: [.police], parentsInformed: true),
                                          note: nil, by: lead, now: H.date("2026-03-16T10:00:00Z"))
        #expect(try await check(h, by: lead, at: past).incomplete.first { $0.caseID == id }?.problems.first?.count == 1)
        try await h.stores.cases.recordSafeguardingOutcome(caseID: id, escalationID: change.recordID!, outcome: .accepted, by: lead, now: past)
        #expect(rules(try await check(h, by: lead, at: past), id) == [])
    }

    @Test func anErasedCaseIsNeverListedNorItsNoteKept() async throws {
        let h = try H()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner)
        let id = try await h.newCase(receivedAt: H.date("2026-03-02T10:00:00Z"))
        try await h.stores.cases.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, now: H.now)
        let c = try await check(h, by: lead)
        #expect(rules(c, id) == ["acknowledgement_overdue"])
        let sampled = try #require(c.sample?.cases.first { $0.caseID == id })
        try await h.stores.cases.reviewSampledCase(sampleID: sampled.id, note: "Looked at it", by: lead, now: H.now)
        try await h.db.writer.write { db in try AppDatabase.erase(db, caseID: id, reason: "request", keys: h.keys, at: H.now) }
        let after = try await check(h, by: lead)
        #expect(rules(after, id) == [])
        let kept = try #require(after.sample?.cases.first { $0.caseID == id }, "the sample still says it was drawn")
        #expect(kept.erased && kept.auditNote == nil)
        let raw = try await h.db.reader.read { db in try Data?.fetchOne(db, sql: "SELECT audit_note FROM records_sample_case WHERE id = ?", arguments: [sampled.id]) }
        #expect(raw == .some(nil), "erasure clears the audit note with the case's other notes")
        await #expect(throws: StoreError.erased) {
            try await h.stores.cases.reviewSampledCase(sampleID: sampled.id, note: "again", by: lead, now: H.now)
        }
    }

    // MARK: the monthly sample

    /// Practitioners holding 7, 5 and 2 cases active in March, a case closed in February and one nobody holds.
    func practice(_ h: H, lead: StaffActor) async throws -> [String: Set<CaseID>] {
        var held: [String: Set<CaseID>] = [:]
        for (count, email) in [(7, "seven@partner.example"), (5, "five@partner.example"), (2, "two@partner.example")] {
            let p = try h.staff(.practitioner, email: email)
            for _ in 0..<count {
                let id = try await h.newCase(receivedAt: H.date("2026-02-20T10:00:00Z"))
                try await h.stores.cases.assign(caseID: id, toPractitionerEmail: email, by: lead, now: H.date("2026-02-21T10:00:00Z"))
                held[p.id, default: []].insert(id)
            }
        }
        let closedEarlier = try await h.newCase(receivedAt: H.date("2026-02-02T10:00:00Z"))
        try await h.stores.cases.assign(caseID: closedEarlier, toPractitionerEmail: "two@partner.example", by: lead, now: H.date("2026-02-03T10:00:00Z"))
        try await h.stores.cases.close(caseID: closedEarlier, reason: .noContact, note: nil, by: lead, now: H.date("2026-02-27T10:00:00Z"))
        _ = try await h.newCase(receivedAt: H.date("2026-03-02T10:00:00Z"))
        return held
    }

    @Test func theSampleTakesNOfEachPractitionersActiveCasesAndStaysAllMonth() async throws {
        let h = try H()
        let lead = try h.staff(.lead), otherLead = try h.staff(.lead)
        let held = try await practice(h, lead: lead)
        let first = try #require(try await check(h, by: lead, n: 5).sample)
        #expect(first.perPractitioner == 5 && first.month.description == "2026-03")
        let byPractitioner = Dictionary(grouping: first.cases) { c in held.first { $0.value.contains(c.caseID) }?.key ?? "none" }
        #expect(byPractitioner.mapValues(\.count) == Dictionary(uniqueKeysWithValues: held.map { ($0.key, min(5, $0.value.count)) }),
                "five of seven, five of five, both of two; nothing closed before March nor held by nobody")
        #expect(Set(first.cases.map(\.caseID)).count == 12)
        // Another lead, later in the month, with another N: the same cases.
        let later = try #require(try await check(h, by: otherLead, at: H.date("2026-03-31T22:59:00Z"), n: 2).sample)
        #expect(later.cases.map(\.id) == first.cases.map(\.id) && later.perPractitioner == 5)
        // Nobody can delete the draw to draw again.
        #expect(throws: DatabaseError.self) {
            try h.db.writer.write { db in try db.execute(sql: "DELETE FROM records_sample_draw") }
        }
    }

    @Test func aNewMonthDrawsAgainAndAPastMonthKeepsItsSample() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        _ = try await practice(h, lead: lead)
        let march = try #require(try await check(h, by: lead, n: 3).sample)
        let drawn: Int = 3 + 3 + 2  // outside #expect: the literal sum inside the macro took 3.7 s to type-check
        #expect(march.cases.count == drawn)
        // 1 April 00:30 BST is still 31 March in UTC: London's calendar decides.
        let april = try await check(h, by: lead, at: H.date("2026-03-31T23:30:00Z"), n: 3)
        #expect(april.month.description == "2026-04")
        let aprilSample = try #require(april.sample)
        #expect(aprilSample.cases.count == 8 && Set(aprilSample.cases.map(\.id)).isDisjoint(with: march.cases.map(\.id)))
        let back = try await check(h, by: lead, at: H.date("2026-04-10T10:00:00Z"), month: AuditMonth("2026-03")!)
        #expect(back.sample?.cases.map(\.id) == march.cases.map(\.id), "March's sample is kept as drawn")
        #expect(try await check(h, by: lead, at: H.date("2026-04-10T10:00:00Z"), month: AuditMonth("2026-02")!).sample == nil,
                "a past month never drawn is not drawn after the fact by a view")
        await #expect(throws: RecordsCheckError.futureMonth) { try await check(h, by: lead, month: AuditMonth("2026-04")!) }
        let drawnByCommand = try await h.stores.cases.drawRecordsSample(month: AuditMonth("2026-02")!, perPractitioner: 1,
                                                              now: H.date("2026-04-10T10:00:00Z"))
        #expect(drawnByCommand.drawn && drawnByCommand.cases == 3)
        #expect(try await h.stores.cases.drawRecordsSample(month: AuditMonth("2026-02")!, perPractitioner: 5).drawn == false)
    }

    @Test func theDrawIsNotAlwaysTheSameCases() async throws {
        // With 7 cases and N = 3 there are 35 subsets: twenty fresh draws all equal would mean no randomness (p ≈ 35^-19).
        var seen = Set<[String]>()
        for _ in 0..<20 {
            seen.insert(AppDatabase.randomSubset((0..<7).map(String.init), count: 3).sorted())
        }
        #expect(seen.count > 1)
        #expect(AppDatabase.randomSubset(["a", "b"], count: 5).sorted() == ["a", "b"])
    }

    // MARK: who, and the audit

    @Test func onlyALeadOpensTheCheckOrReviewsAndEveryViewIsAudited() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        _ = try await practice(h, lead: lead)
        for role in [StaffRole.practitioner, .admin, .council] {
            let actor = try h.staff(role)
            await #expect(throws: CaseAccessError.forbidden) { try await check(h, by: actor) }
            await #expect(throws: CaseAccessError.forbidden) {
                try await h.stores.cases.reviewSampledCase(sampleID: UUID().uuidString.lowercased(), note: "x", by: actor)
            }
        }
        #expect(try await h.db.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records_sample_draw") } == 0,
                "a refused view draws nothing")
        func reads() async throws -> [Row] {
            try await h.db.reader.read { db in try Row.fetchAll(db, sql: "SELECT actor, detail FROM audit_log WHERE action = 'records_check.read' ORDER BY seq") }
        }
        _ = try await check(h, by: lead)
        _ = try await check(h, by: lead)
        let rows = try await reads()
        #expect(rows.count == 2 && rows.allSatisfy { $0["actor"] == lead.id })
        #expect((rows[0]["detail"] as String).hasPrefix("month=2026-03,incomplete="))
        #expect(try await h.db.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'records_check.sample_drawn'") } == 1)
        #expect(try await h.stores.audit.verifyAuditChain().isIntact)
    }

    @Test func theAuditNoteIsSealedUnderTheCaseKeyAndRequired() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        _ = try await practice(h, lead: lead)
        let sampled = try #require(try await check(h, by: lead).sample?.cases.first)
        await #expect(throws: RecordsCheckError.noteRequired) {
            try await h.stores.cases.reviewSampledCase(sampleID: sampled.id, note: "  ", by: lead)
        }
        await #expect(throws: RecordsCheckError.sampleNotFound) {
            try await h.stores.cases.reviewSampledCase(sampleID: UUID().uuidString.lowercased(), note: "x", by: lead)
        }
        let canary = "CANARY-AUDIT-\(UUID().uuidString.prefix(8))"
        try await h.stores.cases.reviewSampledCase(sampleID: sampled.id, note: "Good record \(canary)", by: lead, now: H.now)
        let seen = try #require(try await check(h, by: lead).sample?.cases.first { $0.id == sampled.id })
        let leadEmail = try h.email(lead)
        #expect(seen.auditNote == "Good record \(canary)" && seen.reviewedAt == H.now && seen.reviewedBy == leadEmail)
        let (stored, audit) = try await h.db.reader.read { db in
            (try Data.fetchOne(db, sql: "SELECT audit_note FROM records_sample_case WHERE id = ?", arguments: [sampled.id])!,
             try String.fetchAll(db, sql: "SELECT coalesce(detail, '') FROM audit_log").joined())
        }
        #expect(!stored.contains(canary) && !audit.contains(canary))
        // Bound to its row: moved to another sampled case of the same case key it does not open.
        let cipher = try await h.db.reader.read { db in try AppDatabase.caseCipher(db, caseID: sampled.caseID, keys: h.keys) }
        #expect(throws: (any Error).self) { try cipher.open(stored, field: AppDatabase.auditNoteField(UUID().uuidString.lowercased())) }
    }

    @Test func manyLeadsOpeningTheCheckAtOnceDrawOneSample() async throws {
        let dir = try TemporaryDirectory()
        let h = try H(try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try h.staff(.lead)
        _ = try await practice(h, lead: lead)
        let samples = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<16 {
                group.addTask { try await check(h, by: lead).sample?.cases.map(\.id) ?? [] }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(Set(samples).count == 1 && samples[0].count == 12)
        let (draws, cases, drawnRows) = try await h.db.reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records_sample_draw")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records_sample_case")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'records_check.sample_drawn'")!)
        }
        #expect(draws == 1 && cases == 12 && drawnRows == 1)
    }
}
