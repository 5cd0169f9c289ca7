import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

@Suite struct ClosedCaseRetentionTests {
    typealias H = WorkflowHarness

    @Test func closedCasesAreErasedAfterTheRetentionPeriodUnlessHeld() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let policy = RetentionPolicy()
        let received = H.date("2024-01-02T09:00:00Z"), closed = H.date("2024-01-15T12:00:00Z")
        let plain = try await h.newCase(receivedAt: received)
        let held = try await h.newCase(receivedAt: received)
        let open = try await h.newCase(receivedAt: received)
        let withdrawn = try await h.referral(at: received)
        for id in [plain, held] {
            try await h.stores.cases.close(caseID: id, reason: .noContact, note: "closing note", by: lead, now: closed)
        }
        try await h.stores.portal.withdraw(caseID: withdrawn.caseID, now: closed)
        try await h.stores.retention.setSafeguardingHold(caseID: held, on: true, by: lead, now: closed)

        // Not before 24 months.
        #expect(try await h.stores.retention.runRetention(policy: policy, now: H.date("2026-01-15T11:59:59Z"))
                == RetentionReport(erased: 0, heldBack: 0))
        #expect(try h.stores.intake.caseRecord(id: plain)?.erasedAt == nil)

        // After: both unheld closed cases go; the held one is counted; the open one stays.
        let after = H.date("2026-01-16T00:00:00Z")
        #expect(try await h.stores.retention.runRetention(policy: policy, now: after) == RetentionReport(erased: 2, heldBack: 1))
        #expect(try h.stores.intake.caseRecord(id: plain)?.erasedAt == after)
        #expect(try h.stores.intake.caseRecord(id: withdrawn.caseID)?.erasedAt == after)
        #expect(try h.stores.intake.caseRecord(id: held)?.erasedAt == nil)
        #expect(try h.stores.intake.caseRecord(id: open)?.erasedAt == nil)
        #expect(try h.stores.audit.auditEntries(caseID: plain).last?.detail == "retention")
        #expect(try h.stores.intake.caseRecord(id: plain)?.closeReason == .noContact, "statistics stay")

        // Twice is a no-op.
        #expect(try await h.stores.retention.runRetention(policy: policy, now: after) == RetentionReport(erased: 0, heldBack: 1))

        // Once the hold is released the case goes at the next run.
        try await h.stores.retention.setSafeguardingHold(caseID: held, on: false, by: lead, now: after)
        #expect(try await h.stores.retention.runRetention(policy: policy, now: after) == RetentionReport(erased: 1, heldBack: 0))
        #expect(try await h.stores.retention.runRetention(policy: policy, now: after) == RetentionReport(erased: 0, heldBack: 0))
    }

    @Test func anInvalidPolicyIsRefusedBeforeAnythingChanges() async throws {
        let h = try H()
        let receipt = try await h.referral()
        var policy = RetentionPolicy()
        policy.closedCaseRetentionMonths = 0
        await #expect(throws: RetentionPolicyError.self) { _ = try await h.stores.retention.runRetention(policy: policy) }
        policy = RetentionPolicy()
        policy.erasureCoolingOffDays = -1
        await #expect(throws: RetentionPolicyError.self) {
            _ = try await h.stores.retention.requestErasure(caseID: receipt.caseID, policy: policy)
        }
    }
}
