import ReconcileCore
import Testing
@testable import ReconcileReports

/// Releases written by hand, as a reader holds them.
enum Published {
    static let harm = ReportTables.harm, byNeed = ReportTables.signpostsByNeed, byOutcome = ReportTables.signpostsByOutcome
    static let setting = ReportTables.setting

    /// One release with the given tables (category → value; "total" too); categories left out are shown as 0.
    static func release(_ quarter: String, kind: ReleaseKind = .quarter, roundingBase: Int? = nil,
                        figures: [String: PublishedValue] = [:], _ tables: [String: [String: PublishedValue]]) -> ReportContent {
        ReportContent(
            quarter: quarter, councilArea: "shropshire", kind: kind.rawValue, generatedAt: "2026-07-01T00:00:00Z",
            threshold: 4, marker: "c", roundingBase: roundingBase, minimumBaseForPercent: 10,
            figures: figures.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            tables: tables.keys.sorted().map { name in
                let cells = tables[name]!
                return ReportContent.Table(name: name, cells: ReportTables.categories(name).map { ($0, cells[$0] ?? .count(0)) },
                                           total: cells["total"] ?? .withheld)
            },
            themes: [])
    }

    static func range(_ ranges: [FigureRange], release: Int, _ table: String, _ category: String) -> FigureRange? {
        ranges.first { $0.figure == FigureID(release: release, table: table, category: category) }
    }
}

@Suite struct DisclosureAuditTests {
    typealias P = Published
    let c = PublishedValue.suppressed
    func n(_ value: Int) -> PublishedValue { .count(value) }

    /// The attack measured by the disclosure benchmark: every non-zero signpost-by-need cell and its total suppressed, while
    /// signposts by outcome showed the same total, 7, over seven suppressed need cells.
    func issueAttack() -> ReportContent {
        let needs = ReportTables.categories(P.byNeed)
        var byNeed: [String: PublishedValue] = ["total": c]
        for need in needs.prefix(7) { byNeed[need] = c }
        return P.release("2026-Q1", [P.byNeed: byNeed, P.byOutcome: ["accepted": c, "declined": c, "total": n(7)]])
    }

    @Test func theIssuesAttackPinsEverySuppressedNeedAtOne() throws {
        let ranges = try DisclosureAudit(releases: [issueAttack()]).ranges()
        for need in ReportTables.categories(P.byNeed).prefix(7) {
            let range = try #require(P.range(ranges, release: 0, P.byNeed, need))
            #expect(range.minimum == 1 && range.maximum == 1)
        }
        #expect(P.range(ranges, release: 0, P.byNeed, "total")?.possibleValues == 1)
        // The two outcome cells add up to 7: each 1...6, which the audit allows.
        #expect(P.range(ranges, release: 0, P.byOutcome, "accepted") == FigureRange(
            figure: FigureID(release: 0, table: P.byOutcome, category: "accepted"), minimum: 1, maximum: 6))
    }

    @Test func protectionHidesTheSharedTotalAndNothingElse() throws {
        let protected = try ReleaseProtection.protect(candidate: issueAttack(), earlier: [], minimumRange: 2)
        let outcome = try #require(protected.tables.first { $0.name == P.byOutcome })
        #expect(outcome.total == .suppressed)
        let changed = zip(issueAttack().tables, protected.tables).map { a, b in
            zip(a.cells, b.cells).filter { $0.value != $1.value }.count + (a.total == b.total ? 0 : 1)
        }.reduce(0, +)
        #expect(changed == 1)
        #expect(try DisclosureAudit(releases: [protected]).ranges().allSatisfy { !$0.isNarrower(than: 2) })
        // With a stricter policy (3 values) the same release still goes out, protected further if need be.
        let stricter = try ReleaseProtection.protect(candidate: issueAttack(), earlier: [], minimumRange: 3)
        #expect(try DisclosureAudit(releases: [stricter]).ranges().allSatisfy { !$0.isNarrower(than: 3) })
    }

    @Test func aYearToDateCellShownWhileOneQuarterSuppressedItIsNarrowAndGetsSuppressed() throws {
        // (No totals published: a multi-select table's cells only bound its total.)
        let q1 = P.release("2026-Q1", [P.harm: ["sexual_assault": c, "sexual_harassment": n(9)]])
        let q2 = P.release("2026-Q2", [P.harm: ["sexual_assault": n(12), "sexual_harassment": n(8)]])
        let ytd = P.release("2026-Q2", kind: .yearToDate, [P.harm: ["sexual_assault": n(15), "sexual_harassment": n(17)]])
        let ranges = try DisclosureAudit(releases: [q1, q2, ytd]).ranges()
        #expect(P.range(ranges, release: 0, P.harm, "sexual_assault")?.possibleValues == 1)   // 15 − 12 = 3
        let protected = try ReleaseProtection.protect(candidate: ytd, earlier: [q1, q2], minimumRange: 2)
        let cell = protected.tables[0].cells.first { $0.category == "sexual_assault" }!.value
        #expect(cell == .suppressed)
        #expect(protected.tables[0].cells.first { $0.category == "sexual_harassment" }!.value == n(17))
    }

    @Test func twoSuppressedQuartersAreSafeUnlessTheRemainderPinsThemAtOne() throws {
        let quarters = ["2026-Q1", "2026-Q2"].map { P.release($0, [P.harm: ["sexual_assault": c]]) }
            + [P.release("2026-Q3", [P.harm: ["sexual_assault": n(20)]])]
        func ytd(_ value: Int) -> ReportContent {
            P.release("2026-Q3", kind: .yearToDate, [P.harm: ["sexual_assault": n(value)]])
        }
        let safe = try DisclosureAudit(releases: quarters + [ytd(25)]).ranges()
        #expect(P.range(safe, release: 0, P.harm, "sexual_assault") == FigureRange(
            figure: FigureID(release: 0, table: P.harm, category: "sexual_assault"), minimum: 1, maximum: 4))
        let pinned = try DisclosureAudit(releases: quarters + [ytd(22)]).ranges()
        #expect(P.range(pinned, release: 1, P.harm, "sexual_assault")?.possibleValues == 1)
    }

    @Test func totalsAreAuditedLikeCellsAndHeadlinesShareThem() throws {
        let q1 = P.release("2026-Q1", [P.harm: ["prefer_not_to_say": c, "total": c]])
        let q2 = P.release("2026-Q2", [P.harm: ["sexual_assault": n(30), "total": n(30)]])
        let ytd = P.release("2026-Q2", kind: .yearToDate, [P.harm: ["prefer_not_to_say": c, "sexual_assault": n(30), "total": n(33)]])
        #expect(P.range(try DisclosureAudit(releases: [q1, q2, ytd]).ranges(), release: 0, P.harm, "total")?.possibleValues == 1)
        // The referrals headline is the same number as every referral table's total.
        let headline = P.release("2026-Q1", figures: ["referrals_received": n(3)], [P.setting: ["primary": c, "total": c]])
        #expect(P.range(try DisclosureAudit(releases: [headline]).ranges(), release: 0, P.setting, "total")?.possibleValues == 1)
    }

    @Test func twoYearToDateReleasesDifferingByOneQuarterAreCaught() throws {
        let quarters = ["2026-Q1", "2026-Q2", "2026-Q3"].map { P.release($0, [P.harm: ["sexual_assault": c]]) }
        let ytd2 = P.release("2026-Q2", kind: .yearToDate, [P.harm: ["sexual_assault": n(6)]])
        let ytd3 = P.release("2026-Q3", kind: .yearToDate, [P.harm: ["sexual_assault": n(9)]])
        let ranges = try DisclosureAudit(releases: [quarters[0], quarters[1], ytd2, quarters[2], ytd3]).ranges()
        #expect(P.range(ranges, release: 3, P.harm, "sexual_assault")?.possibleValues == 1)
        #expect(P.range(ranges, release: 0, P.harm, "sexual_assault")?.possibleValues == 5)
        let protected = try ReleaseProtection.protect(candidate: ytd3, earlier: [quarters[0], quarters[1], ytd2, quarters[2]], minimumRange: 2)
        #expect(protected.tables[0].cells.first { $0.category == "sexual_assault" }!.value == .suppressed)
    }

    @Test func aCorrectionReplacesItsQuarterAndTheOldVersionStaysProtected() throws {
        let q1 = P.release("2026-Q1", [P.setting: ["primary": c, "secondary": c, "college": n(10), "total": n(16)]])
        // The correction shows what the first release hid: it says nothing exact about the old version.
        let corrected = P.release("2026-Q1", kind: .correction, [P.setting: ["primary": n(5), "secondary": n(6), "college": n(10), "total": n(21)]])
        let ranges = try DisclosureAudit(releases: [q1, corrected]).ranges()
        #expect(P.range(ranges, release: 0, P.setting, "primary") == FigureRange(
            figure: FigureID(release: 0, table: P.setting, category: "primary"), minimum: 1, maximum: 5))
        // A year to date after the correction sums the corrected quarter, not the old one.
        let ytd = P.release("2026-Q1", kind: .yearToDate, [P.setting: ["primary": n(5), "secondary": n(6), "college": n(10), "total": n(21)]])
        #expect(try DisclosureAudit(releases: [q1, corrected, ytd]).ranges().count == 2)
        let wrong = P.release("2026-Q1", kind: .yearToDate, [P.setting: ["primary": n(7), "secondary": n(6), "college": n(10), "total": n(23)]])
        #expect(throws: DisclosureAuditError.inconsistent(tables: [P.setting])) { try DisclosureAudit(releases: [q1, corrected, wrong]).ranges() }
    }

    @Test func roundedFiguresAreReadAsIntervals() throws {
        // Base 5: "10" is 8...12, "15" is 13...17; the suppressed cell is total − college: 1...9.
        let release = P.release("2026-Q1", roundingBase: 5, [P.setting: ["primary": c, "college": n(10), "total": n(15)]])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, P.setting, "primary"))
        #expect(range.minimum == 1 && range.maximum == 9)
        #expect(Reading(threshold: 7, roundingBase: 5).interval(shown: 10) == (8, 12))
        #expect(Reading(threshold: 4, roundingBase: 5).interval(shown: 5) == (5, 7))
        #expect(Reading(threshold: 4, roundingBase: nil).interval(shown: 6) == (6, 6))
    }

    @Test func signpostOutcomesInAYearToDateAreASnapshotNotASum() throws {
        // Outcomes change after a quarter is released: "accepted" may grow without the figures being inconsistent.
        let q1 = P.release("2026-Q1", [P.byOutcome: ["pending": n(10), "total": n(10)]])
        let ytd = P.release("2026-Q1", kind: .yearToDate, [P.byOutcome: ["accepted": n(6), "pending": n(4), "total": n(10)]])
        #expect(try DisclosureAudit(releases: [q1, ytd]).ranges().isEmpty)
    }

    @Test func anAuditWithNothingSuppressedReportsNothing() throws {
        #expect(try DisclosureAudit(releases: [P.release("2026-Q1", [P.setting: ["college": n(10), "total": n(10)]])]).ranges().isEmpty)
        #expect(try DisclosureAudit(releases: []).ranges().isEmpty)
    }
}
