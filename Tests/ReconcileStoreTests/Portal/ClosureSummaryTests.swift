import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// The closure summary: written for the family at closure, read in their portal and export; sealed,
/// bound to its case, replaced by a later closing, and gone with erasure.
@Suite struct ClosureSummaryTests {
    typealias H = WorkflowHarness

    @Test func theFamilyReadsWhatWasWrittenAtClosure() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.signposted, by: lead)
        let canary = "CANARY-\(UUID().uuidString.prefix(8))"
        try await h.stores.cases.close(caseID: id, reason: .completed, note: nil, summary: "  We talked about school. \(canary)  ",
                             by: lead, now: H.now)
        #expect(try await h.stores.portal.portalView(caseID: id).closureSummary == "We talked about school. \(canary)")
        #expect(try await h.stores.portal.exportCase(caseID: id).closureSummary == "We talked about school. \(canary)")
        #expect(try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2).closureSummary
                == "We talked about school. \(canary)")
        let stored = try await h.db.reader.read { db in
            try Data.fetchOne(db, sql: "SELECT closure_summary FROM referral_case WHERE id = ?", arguments: [id])
        }
        #expect(stored.map { !$0.contains(Data(canary.utf8)) } == true, "stored sealed")

        // Reopened and closed again: the new summary replaces the old.
        try await h.stores.cases.reopen(caseID: id, reason: "came back", by: lead, now: H.now)
        try await h.stores.cases.close(caseID: id, reason: .completed, note: nil, summary: "Second time", by: lead, now: H.now)
        #expect(try await h.stores.portal.portalView(caseID: id).closureSummary == "Second time")
    }

    @Test func aSummaryMovedToAnotherCaseFailsToOpen() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (a, _) = try await h.caseAt(.signposted, by: lead)
        let (b, _) = try await h.caseAt(.signposted, by: lead)
        try await h.stores.cases.close(caseID: a, reason: .completed, note: nil, summary: "for a", by: lead, now: H.now)
        try await h.stores.cases.close(caseID: b, reason: .completed, note: nil, summary: "for b", by: lead, now: H.now)
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET closure_summary = (SELECT closure_summary FROM referral_case WHERE id = ?) WHERE id = ?",
                           arguments: [a, b])
        }
        await #expect(throws: StoreError.self) { _ = try await h.stores.portal.portalView(caseID: b) }
    }

    @Test func aBadSummaryIsRefusedNamingItAndChangesNothing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.signposted, by: lead)
        try await expectRefusedUnchanged(h, WorkflowError.practiceTooLong("summary"), "too long") {
            try await h.stores.cases.close(caseID: id, reason: .completed, note: nil, summary: String(repeating: "x", count: 10_001), by: lead)
        }
        try await expectRefusedUnchanged(h, WorkflowError.practiceInvalidCharacters("summary"), "control character") {
            try await h.stores.cases.close(caseID: id, reason: .completed, note: nil, summary: "bye\u{7}", by: lead)
        }
    }

    @Test func erasureTakesTheSummaryAndTheHoldReasonIsNotInTheExport() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.signposted, by: lead)
        try await h.stores.retention.setEvidentialHold(caseID: id, on: true, reason: "SECRET police reason", by: lead, now: H.now)
        try await h.stores.cases.close(caseID: id, reason: .completed, note: nil, summary: "where to go next", by: lead, now: H.now)
        let export = try await h.stores.portal.exportCase(caseID: id)
        #expect(export.events.contains { $0.action == "evidential_hold" && $0.note == nil }, "the hold's reason is withheld from the family")
        try await h.stores.retention.setEvidentialHold(caseID: id, on: false, reason: nil, by: lead, now: H.now)
        let late = H.now.addingTimeInterval(3 * 365 * 86_400)
        #expect(try await h.stores.retention.runRetention(policy: RetentionPolicy(), now: late).erased == 1)
        let left = try await h.db.reader.read { db in
            try Data.fetchOne(db, sql: "SELECT closure_summary FROM referral_case WHERE id = ?", arguments: [id])
        }
        #expect(left == nil)
    }
}
