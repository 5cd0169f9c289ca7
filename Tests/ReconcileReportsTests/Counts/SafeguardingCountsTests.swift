import Foundation
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileReports

/// The safeguarding counts: escalations made in the quarter by route (one may take several) and by outcome so far, and
/// closed cases reopened; consented cases of the area only, like every other count.
@Suite struct SafeguardingCountsTests {
    typealias H = ReportHarness
    static let q1 = Quarter("2025-Q1")!

    @Test func escalationsAreCountedByRouteAndOutcomeAndReopeningsAreCounted() async throws {
        let h = try H()
        let a = try await h.newCase("2025-04-02T09:00:00Z"), b = try await h.newCase("2025-04-03T09:00:00Z")
        let late = try await h.newCase("2025-06-20T09:00:00Z"), refused = try await h.newCase("2025-04-04T09:00:00Z", consent: false)
        let elsewhere = try await h.newCase("2025-04-05T09:00:00Z", area: "herefordshire")
        func escalate(_ id: CaseID, _ routes: [SafeguardingRoute], _ at: String) async throws -> String {
            try await h.stores.cases.recordSafeguarding(caseID: id, referral: SafeguardingReferral(routes: routes), note: nil, by: h.lead, now: H.date(at)).recordID!
        }
        let first = try await escalate(a, [.socialCare, .police], "2025-04-10T09:00:00Z")
        _ = try await escalate(b, [.lado], "2025-05-10T09:00:00Z")
        _ = try await escalate(a, [.socialCare], "2025-06-01T09:00:00Z")
        _ = try await escalate(late, [.earlyHelp], "2025-07-02T09:00:00Z")          // next quarter
        _ = try await escalate(refused, [.police], "2025-04-10T09:00:00Z")          // not consented
        _ = try await escalate(elsewhere, [.police], "2025-04-10T09:00:00Z")        // another area
        _ = try await h.stores.cases.recordSafeguardingOutcome(caseID: a, escalationID: first, outcome: .accepted, by: h.lead,
                                                     now: H.date("2025-08-01T09:00:00Z"))
        // b closes and is reopened twice, once in the quarter and once after it.
        try await h.close(b, .withdrawn, "2025-05-20T09:00:00Z")
        _ = try await h.stores.cases.reopen(caseID: b, reason: "came back", by: h.lead, now: H.date("2025-06-02T09:00:00Z"))
        try await h.close(b, .withdrawn, "2025-06-10T09:00:00Z")
        _ = try await h.stores.cases.reopen(caseID: b, reason: "came back again", by: h.lead, now: H.date("2025-07-05T09:00:00Z"))

        let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: H.date("2025-08-02T00:00:00Z"))
        let c = report.counts
        #expect(c.safeguardingEscalations == 3)
        #expect(c.casesReopened == 1)
        let routes = try #require(c.table(ReportTables.safeguardingByRoute))
        #expect(routes.counts.filter { $0.value != 0 } == ["social_care": 2, "police": 1, "lado": 1] && routes.total == 3 && !routes.additive)
        let outcomes = try #require(c.table(ReportTables.safeguardingByOutcome))
        #expect(outcomes.counts.filter { $0.value != 0 } == ["accepted": 1, "pending": 2] && outcomes.total == 3 && outcomes.additive)
    }
}

/// The safeguarding tables in the reader's model share the headline escalations figure, and a year to date's
/// outcomes are a snapshot of their own, not the sum of the quarters' (outcomes change after release).
@Suite struct SafeguardingTablesAuditTests {
    typealias P = Published
    let c = PublishedValue.suppressed
    func n(_ value: Int) -> PublishedValue { .count(value) }

    @Test func aLoneSuppressedOutcomeIsPinnedThroughTheHeadlineFigure() throws {
        let release = P.release("2026-Q1", figures: ["safeguarding_escalations": n(9)],
                                [ReportTables.safeguardingByOutcome: ["pending": n(7), "accepted": c, "total": .withheld]])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, ReportTables.safeguardingByOutcome, "accepted"))
        #expect(range.minimum == 2 && range.maximum == 2)
        let protected = try ReleaseProtection.protect(candidate: release, earlier: [], minimumRange: 2)
        #expect(try DisclosureAudit(releases: [protected]).ranges().allSatisfy { !$0.isNarrower(than: 2) })
    }

    /// Every escalation takes a route: with one route shown and the rest suppressed, the suppressed one is bounded
    /// below by what the total leaves.
    @Test func everyEscalationTakesAtLeastOneRoute() throws {
        let release = P.release("2026-Q1", [ReportTables.safeguardingByRoute: ["social_care": n(6), "police": c, "total": n(9)]])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, ReportTables.safeguardingByRoute, "police"))
        #expect(range.minimum == 3 && range.maximum == 9)
    }

    @Test func aYearToDatesOutcomesAreASnapshotNotASum() throws {
        let q1 = P.release("2025-Q1", [ReportTables.safeguardingByOutcome: ["pending": n(8), "total": n(8)]])
        let ytd = P.release("2025-Q2", kind: .yearToDate, [ReportTables.safeguardingByOutcome: ["pending": n(6), "accepted": c, "total": n(9)]])
        // Were outcomes summed over the quarters, Q2's pending would have to be -2 and nothing would fit.
        let ranges = try DisclosureAudit(releases: [q1, ytd]).ranges()
        let range = try #require(P.range(ranges, release: 1, ReportTables.safeguardingByOutcome, "accepted"))
        #expect(range.minimum == 3 && range.maximum == 3, "the snapshot adds up to the year's escalations, 9")
    }
}
