import Testing
@testable import ReconcileReports

/// The intake tables in the reader's model: each shares the referrals total with every other
/// referral table and the headline figure, and the optional "what it was like" table is not read as if every
/// referral had ticked something.
@Suite struct IntakeTablesAuditTests {
    typealias P = Published
    let c = PublishedValue.suppressed
    func n(_ value: Int) -> PublishedValue { .count(value) }

    /// A lone suppressed channel, its table's total withheld, is still pinned by the headline referrals figure.
    @Test(arguments: [ReportTables.channel, ReportTables.involvement, ReportTables.ageBand, ReportTables.heardFrom,
                      ReportTables.childSex, ReportTables.send, ReportTables.language])
    func aLoneSuppressedCellIsPinnedThroughTheReferralsTotal(table: String) throws {
        let categories = ReportTables.categories(table)
        let release = P.release("2026-Q1", figures: ["referrals_received": n(22)],
                                [table: [categories[0]: n(20), categories[1]: c, "total": .withheld]])
        let ranges = try DisclosureAudit(releases: [release]).ranges()
        let range = try #require(P.range(ranges, release: 0, table, categories[1]))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
        // Protection fixes it, and the release still goes out.
        let protected = try ReleaseProtection.protect(candidate: release, earlier: [], minimumRange: 2)
        #expect(try DisclosureAudit(releases: [protected]).ranges().allSatisfy { !$0.isNarrower(than: 2) })
    }

    /// The same secret through another table: a channel suppressed in one table is recovered from the setting
    /// table's total, which is the same referrals.
    @Test func theReferralsTotalOfOneTablePinsACellOfAnother() throws {
        let release = P.release("2026-Q1", [
            ReportTables.setting: ["secondary": n(9), "total": n(12), "primary": n(3)],
            ReportTables.channel: ["web": n(10), "phone": c, "total": .withheld],
        ])
        let ranges = try DisclosureAudit(releases: [release]).ranges()
        let range = try #require(P.range(ranges, release: 0, ReportTables.channel, "phone"))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
    }

    /// Not every referral answers "what it was like": a suppressed cell over a shown total is not pinned at the
    /// total, as it would be in a required multi-select table such as harm.
    @Test func theOptionalPatternTableIsNotReadAsRequired() throws {
        let pattern = P.release("2026-Q1", [ReportTables.pattern: ["online": c, "total": n(10)]])
        let range = try #require(P.range(try DisclosureAudit(releases: [pattern]).ranges(), release: 0, ReportTables.pattern, "online"))
        #expect(range.minimum == 1 && range.maximum == 10)
        let harm = P.release("2026-Q1", [ReportTables.harm: ["sexual_assault": c, "total": n(10)]])
        let pinned = try #require(P.range(try DisclosureAudit(releases: [harm]).ranges(), release: 0, ReportTables.harm, "sexual_assault"))
        #expect(pinned.minimum == 10 && pinned.maximum == 10, "a required question's one ticked cell is the total")
    }

    /// Rule 3 guards the "every referral ticks one" inequality; an optional question has none, so its lone small
    /// cell is not made to take another with it. Counts of letters are not counts of people and are shown as counted.
    @Test func protectionFollowsWhatATableCounts() {
        let policy = DisclosurePolicy()
        let required = DisclosureControl.protect([RawTable(name: "t", counts: ["a": 12, "b": 4], total: 16, additive: false)], policy: policy)[0]
        #expect(required.cells == ["a": .suppressed, "b": .suppressed], "a required question: 12 + b >= 16 pins b")
        let optional = DisclosureControl.protect([RawTable(name: "t", counts: ["a": 12, "b": 4], total: 16, additive: false,
                                                           everyoneAnswers: false)], policy: policy)[0]
        #expect(optional.cells == ["a": .count(12), "b": .suppressed])
        let letters = DisclosureControl.protect([RawTable(name: "t", counts: ["a": 3, "b": 0], total: 3, additive: true,
                                                          aboutPeople: false)], policy: policy)[0]
        #expect(letters.cells == ["a": .count(3), "b": .count(0)] && letters.total == .count(3))
    }
}
