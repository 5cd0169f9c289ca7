import Testing
@testable import ReconcileReports

/// The feedback and complaints tables in the reader's model: the three feedback tables share one total of
/// their own (responses given, not referrals); complaints by time to respond add up to the complaints cell of
/// complaints and compliments, and in a year to date are a snapshot.
@Suite struct FeedbackTablesAuditTests {
    typealias P = Published
    let c = PublishedValue.suppressed
    func n(_ value: Int) -> PublishedValue { .count(value) }

    /// A lone suppressed score, its own table's total withheld, is pinned through another feedback table's total.
    @Test(arguments: [ReportTables.feedbackListenedTo, ReportTables.feedbackBelieved, ReportTables.feedbackHelpWasRight])
    func aLoneSuppressedScoreIsPinnedThroughTheResponsesTotal(table: String) throws {
        let other = ReportTables.feedbackTables.first { $0 != table }!
        let release = P.release("2026-Q1", [
            table: ["5": n(20), "4": c, "total": .withheld],
            other: ["5": n(22), "total": n(22)],
        ])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, table, "4"))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
        let protected = try ReleaseProtection.protect(candidate: release, earlier: [], minimumRange: 2)
        #expect(try DisclosureAudit(releases: [protected]).ranges().allSatisfy { !$0.isNarrower(than: 2) })
    }

    /// Not every referral answers: the referrals total says nothing about the responses, so it pins nothing here.
    @Test func theReferralsTotalIsNotTheResponsesTotal() throws {
        let release = P.release("2026-Q1", figures: ["referrals_received": n(22)],
                                [ReportTables.feedbackListenedTo: ["5": n(20), "4": c, "total": .withheld]])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, ReportTables.feedbackListenedTo, "4"))
        #expect(range.minimum == 1 && range.maximum == nil, "\(range)")
    }

    /// A lone suppressed time band, its total withheld, is pinned through the complaints cell of the other table;
    /// protection fixes it.
    @Test func aLoneSuppressedBandIsPinnedThroughTheComplaintsCell() throws {
        let release = P.release("2026-Q1", [
            ReportTables.complaintsByKind: ["complaint": n(12), "compliment": n(9), "total": n(21)],
            ReportTables.complaintsByResponseTime: ["within_10_working_days": n(10), "not_yet_responded": c, "total": .withheld],
        ])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0,
                                         ReportTables.complaintsByResponseTime, "not_yet_responded"))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
        let protected = try ReleaseProtection.protect(candidate: release, earlier: [], minimumRange: 2)
        #expect(try DisclosureAudit(releases: [protected]).ranges().allSatisfy { !$0.isNarrower(than: 2) })
    }

    /// Complaints answered after their quarter was released move band in the year to date: the reader's model takes
    /// the year's bands as a snapshot over the same complaints, not the sum of the quarters' bands (which would not
    /// add up), and still pins a band through the complaints cell.
    @Test func aYearToDateReadsTimeToRespondAsASnapshot() throws {
        let q1 = P.release("2026-Q1", [
            ReportTables.complaintsByKind: ["complaint": n(12), "total": n(12)],
            ReportTables.complaintsByResponseTime: ["not_yet_responded": n(12), "total": n(12)],
        ])
        let ytd = P.release("2026-Q1", kind: .yearToDate, [
            ReportTables.complaintsByKind: ["complaint": n(12), "total": n(12)],
            ReportTables.complaintsByResponseTime: ["within_10_working_days": n(10), "11_to_20_working_days": c, "total": .withheld],
        ])
        let ranges = try DisclosureAudit(releases: [q1, ytd]).ranges()
        let range = try #require(P.range(ranges, release: 1, ReportTables.complaintsByResponseTime, "11_to_20_working_days"))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
    }
}
