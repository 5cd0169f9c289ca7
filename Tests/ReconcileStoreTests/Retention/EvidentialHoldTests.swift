import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// The evidential hold: the notes may be needed by the police or a court. Tried as a retention run
/// that comes due, a family that asks for erasure, and a practitioner who tries to place or lift it.
@Suite struct EvidentialHoldTests {
    typealias H = WorkflowHarness
    static let day: TimeInterval = 86_400
    static let policy = RetentionPolicy(erasureCoolingOffDays: 14, closedCaseRetentionMonths: 24)

    func isErased(_ h: H, _ id: CaseID) throws -> Bool { try h.stores.intake.caseRecord(id: id)?.erasedAt != nil }

    @Test func aHeldCaseOutlivesRetentionAndTheFamilysRequestUntilTheHoldIsLifted() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        // A closed case long past retention, and an open one whose family has asked for erasure.
        let (closed, _) = try await h.caseAt(.closed, by: lead, closeReason: .withdrawn)
        let asked = try await h.referral().caseID
        _ = try await h.stores.retention.requestErasure(caseID: asked, policy: Self.policy, now: H.now)
        for id in [closed, asked] {
            try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "Police asked for the notes", by: lead, now: H.now)
        }
        let status = try #require(try await h.stores.portal.portalView(caseID: asked).erasure)
        #expect(status.held && status.heldForEvidence, "the family is told the truth about why")

        let late = H.now.addingTimeInterval(3 * 365 * Self.day)
        #expect(try await h.stores.retention.runRetention(policy: Self.policy, now: late) == RetentionReport(erased: 0, heldBack: 2))
        #expect(try !isErased(h, closed) && !isErased(h, asked))

        // Lifting one hold lets the next run erase that case only; the stage never moved.
        #expect(try await h.stores.retention.setEvidentialHold(caseID: closed, on: false, reason: nil, by: lead, now: late).stage == .closed)
        #expect(try await h.stores.retention.runRetention(policy: Self.policy, now: late) == RetentionReport(erased: 1, heldBack: 1))
        #expect(try isErased(h, closed) && !isErased(h, asked))
        #expect(try h.auditActions(asked).filter { $0 == "case.evidential_hold" }.count == 1)
    }

    @Test func theReasonIsSealedInTheTimelineAndASecondPlacingChangesNothing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let id = try await h.referral().caseID
        let canary = "CANARY-\(UUID().uuidString.prefix(8))"
        try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "  \(canary) court order  ", by: lead, now: H.now)
        try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "again", by: lead, now: H.now)
        let events = try await h.stores.cases.caseTimeline(caseID: id, by: lead).filter { $0.action == "evidential_hold" }
        #expect(events.map(\.detail) == ["on"] && events.first?.note == "\(canary) court order")
        let sealedNote = try await h.db.reader.read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM case_event WHERE case_id = ? AND action = 'evidential_hold'", arguments: [id])
        }
        #expect(sealedNote.map { !$0.contains(Data(canary.utf8)) } == true, "the reason is stored sealed")
        let detail = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2)
        #expect(detail.evidentialHoldSince == H.now)
    }

    @Test func onlyALeadPlacesOrLiftsItAndNeverWithoutAReason() async throws {
        let h = try H()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner), admin = try h.staff(.admin)
        let id = try await h.referral().caseID
        try await h.stores.cases.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, now: H.now)
        for actor in [practitioner, admin] {
            try await expectRefusedUnchanged(h, CaseAccessError.forbidden, "\(actor.role) may not hold") {
                try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "asked", by: actor)
            }
        }
        for blank in [nil, "", "   \n"] {
            try await expectRefusedUnchanged(h, WorkflowError.reasonRequired, "no reason") {
                try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: blank, by: lead)
            }
        }
        try await expectRefusedUnchanged(h, WorkflowError.practiceInvalidCharacters("reason"), "a bidi override") {
            try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "held\u{202E}", by: lead)
        }
    }

    /// Not a lifecycle step: a hold goes on and off at every stage and leaves the stage where it was.
    @Test(arguments: Stage.allCases)
    func aHoldNeverMovesTheStage(stage: Stage) async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(stage, by: lead)
        #expect(try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "court", by: lead).stage == stage)
        #expect(try await h.stores.retention.setEvidentialHold(caseID: id, on: false, reason: nil, by: lead).stage == stage)
        #expect(try h.stage(id) == stage)
    }
}
