import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// Coming back: a family that has "a wobble" asks from the portal; a lead reopens the case where it
/// left off. Tried from every stage, by every role, twice at once, and against retention.
@Suite struct ReopeningTests {
    typealias H = WorkflowHarness

    func closeReason(_ h: H, _ id: CaseID) throws -> (String?, Date?) {
        try h.db.reader.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT close_reason, closed_at FROM referral_case WHERE id = ?", arguments: [id])!
            return (row["close_reason"], row["closed_at"])
        }
    }

    @Test(arguments: [Stage.received, .acknowledged, .listening, .assessed, .signposted])
    func aClosedCaseReopensAtTheStageItClosedFrom(stage: Stage) async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(stage, by: lead)
        try await h.stores.cases.close(caseID: id, reason: .withdrawn, note: nil, by: lead, now: H.now)
        let change = try await h.stores.cases.reopen(caseID: id, reason: "The family came back", by: lead, now: H.now)
        #expect(change.stage == stage)
        #expect(try h.stage(id) == stage)
        let (reason, closedAt) = try closeReason(h, id)
        #expect(reason == nil && closedAt == nil, "closure facts are cleared, so retention counts from the next closing")
        let event = try #require(try await h.stores.cases.caseTimeline(caseID: id, by: lead).last)
        #expect(event.action == "reopen" && event.note == "The family came back" && event.fromStage == .closed && event.toStage == stage)
        // Closed again and reopened again: still where the work had got to.
        try await h.stores.cases.close(caseID: id, reason: .noContact, note: nil, by: lead, now: H.now)
        #expect(try await h.stores.cases.reopen(caseID: id, reason: "Back again", by: lead, now: H.now).stage == stage)
    }

    @Test func onlyALeadReopensOnlyAClosedCaseAndOnlyWithAReason() async throws {
        let h = try H()
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner), admin = try h.staff(.admin)
        // Assigned to the practitioner while open, then closed: their own case, yet not theirs to reopen.
        let (closed, _) = try await h.caseAt(.signposted, by: lead)
        try await h.stores.cases.assign(caseID: closed, toPractitionerEmail: try h.email(practitioner), by: lead, now: H.now)
        try await h.stores.cases.close(caseID: closed, reason: .completed, note: nil, by: lead, now: H.now)
        for actor in [practitioner, admin] {
            try await expectRefusedUnchanged(h, CaseAccessError.forbidden, "\(actor.role)") {
                try await h.stores.cases.reopen(caseID: closed, reason: "asked", by: actor)
            }
        }
        for blank in [nil, "", " \n "] {
            try await expectRefusedUnchanged(h, WorkflowError.reasonRequired, "no reason") {
                try await h.stores.cases.reopen(caseID: closed, reason: blank, by: lead)
            }
        }
        let (open, _) = try await h.caseAt(.listening, by: lead)
        try await expectTransitionRefused(h, "an open case") {
            try await h.stores.cases.reopen(caseID: open, reason: "asked", by: lead)
        }
    }

    @Test func tenLeadsReopeningAtOnceReopenItOnce() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.closed, by: lead)
        let (db, keys) = (h.db, h.keys)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<10 {
                group.addTask { (try? await CaseStore(db, keys).reopen(caseID: id, reason: "attempt \(i)", by: lead)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await h.stores.cases.caseTimeline(caseID: id, by: lead).filter { $0.action == "reopen" }.count == 1)
        #expect(try h.stage(id) == .signposted)
    }

    @Test func aFamilyAsksToComeBackAndTheLeadsListShowsItUntilReopened() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (open, _) = try await h.caseAt(.assessed, by: lead)
        try await expectRefusedUnchanged(h, ComeBackError.notClosed, "an open case") {
            _ = try await h.stores.portal.askToComeBack(caseID: open)
        }
        let (closed, _) = try await h.caseAt(.closed, by: lead, closeReason: .withdrawn)
        let first = try await h.stores.portal.askToComeBack(caseID: closed, now: H.now)
        #expect(try await h.stores.portal.askToComeBack(caseID: closed, now: H.now.addingTimeInterval(60)) == first, "asking again changes nothing")
        #expect(try h.auditActions(closed).filter { $0 == "portal.come_back" }.count == 1)
        #expect(try await h.stores.portal.portalView(caseID: closed).comeBackRequestedAt == first)

        var filter = CaseListFilter()
        filter.askedToComeBack = true
        let listed = try await h.stores.cases.caseList(filter: filter, limit: 10, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
        #expect(listed.cases.map(\.id) == [closed] && listed.cases.first?.askedToComeBack == true)

        #expect(try await h.stores.cases.reopen(caseID: closed, reason: "Came back", by: lead).stage == .received)
        #expect(try await h.stores.cases.caseList(filter: filter, limit: 10, cursor: nil, by: lead, acknowledgementWorkingDays: 2).cases.isEmpty)
        #expect(try await h.stores.portal.portalView(caseID: closed).comeBackRequestedAt == nil)
    }

    @Test func aReopenedCaseIsNotErasedByTheRetentionOfItsEarlierClosing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.closed, by: lead)
        try await h.stores.cases.reopen(caseID: id, reason: "Came back", by: lead, now: H.now)
        let late = H.now.addingTimeInterval(3 * 365 * 86_400)
        #expect(try await h.stores.retention.runRetention(policy: RetentionPolicy(), now: late).erased == 0)
        #expect(try h.stores.intake.caseRecord(id: id)?.erasedAt == nil)
    }
}
