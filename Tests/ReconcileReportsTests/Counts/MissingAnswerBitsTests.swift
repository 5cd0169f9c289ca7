import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileReports
@testable import ReconcileStore

/// A case of the period whose multi-select answers have no bit sets (a writer that forgot them) stops the
/// report with an integrity error rather than undercounting every category in silence; outside the period it
/// counts for nothing and the report is built.
@Suite struct MissingAnswerBitsTests {
    typealias H = ReportHarness

    @Test(arguments: ["harm_bits", "told_before_bits", "wishes_bits"], [true, false])
    func aPeriodCaseWithoutBitSetsStopsTheReport(column: String, consented: Bool) async throws {
        let h = try H()
        try await h.newCase("2025-04-10T10:00:00Z")
        let late = try await h.newCase("2025-04-12T10:00:00Z", consent: consented)
        try await h.db.writer.write { db in
            try db.execute(sql: "UPDATE referral_case SET \(column) = NULL WHERE id = ?", arguments: [late])
        }
        await #expect(throws: StoreError.integrity("some multi-select answers are not stored as bit sets; run `reconcile migrate`")) {
            _ = try await h.builder.build(councilArea: "shropshire", quarter: Quarter("2025-Q1")!, now: H.date("2025-07-02T09:00:00Z"))
        }
        // The quarter before does not include it.
        let before = try await h.builder.build(councilArea: "shropshire", quarter: Quarter("2024-Q4")!, now: H.date("2025-07-02T09:00:00Z"))
        #expect(before.counts.referralsReceived == 0)
    }
}
