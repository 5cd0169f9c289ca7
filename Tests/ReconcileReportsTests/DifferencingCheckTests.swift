import Foundation
import Testing
@testable import ReconcileReports

@Suite struct DifferencingCheckTests {
    /// A multi-select table name (no total = sum relation) and a single-choice one.
    static let multi = "referrals_by_harm", single = "referrals_by_setting"

    func release(_ quarter: String, _ cells: [String: Cell], total: Cell = .count(100), table name: String = multi) -> PublishedTables {
        PublishedTables(quarter: quarter, tables: [ProtectedTable(name: name, cells: cells, total: total)])
    }

    func ytd(_ quarters: [String], _ candidate: PublishedTables, _ published: [PublishedTables]) -> [String] {
        DifferencingCheck.problems(candidate: candidate, candidateKind: .yearToDate, quarters: quarters, published: published)
    }

    // MARK: - Quarters and year to date

    @Test func aQuarterIsReleasedOnceThenOnlyCorrected() {
        let q1 = release("2026-Q1", ["a": .count(10)])
        #expect(DifferencingCheck.problems(candidate: q1, candidateKind: .quarter, quarters: ["2026-Q1"], published: []).isEmpty)
        let again = DifferencingCheck.problems(candidate: q1, candidateKind: .quarter, quarters: ["2026-Q1"], published: [q1])
        #expect(again.count == 1 && again[0].contains("already released; use a correction"))
        #expect(!DifferencingCheck.problems(candidate: release("Q1", [:]), candidateKind: .quarter, quarters: [], published: []).isEmpty)
    }

    @Test func yearToDateNeedsEveryQuarterReleasedFirst() {
        let problems = ytd(["2026-Q1", "2026-Q2"], release("2026-Q2", ["a": .count(20)]), [release("2026-Q1", ["a": .count(10)])])
        #expect(problems == ["year to date needs every quarter released first: 2026-Q2 has not been released"])
        #expect(!ytd([], release("2026-Q2", [:]), []).isEmpty)
        #expect(!ytd(["2026-Q1", "2026-Q1"], release("2026-Q1", [:]), [release("2026-Q1", [:])]).isEmpty)
        #expect(!ytd(["spring"], release("2026-Q1", [:]), []).isEmpty)
    }

    @Test func aYearToDateCellShownWhileExactlyOneQuarterSuppressedItIsRefused() {
        let published = [release("2026-Q1", ["a": .suppressed, "b": .count(9)]), release("2026-Q2", ["a": .count(12), "b": .count(8)])]
        let candidate = release("2026-Q2", ["a": .count(15), "b": .count(17)], total: .count(200))
        let problems = ytd(["2026-Q1", "2026-Q2"], candidate, published)
        #expect(problems == [#"table "referrals_by_harm", category "a": the suppressed 2026-Q1 figure could be worked out by combining this release with figures already published"#])
        // Suppressing the year-to-date cell as well removes the problem.
        let safe = release("2026-Q2", ["a": .suppressed, "b": .count(17)], total: .count(200))
        #expect(ytd(["2026-Q1", "2026-Q2"], safe, published).isEmpty)
    }

    @Test func aCellSuppressedInTwoQuartersIsSafeUnlessTheRemainderPinsThemAtOne() {
        let published = [release("2026-Q1", ["a": .suppressed]), release("2026-Q2", ["a": .suppressed]), release("2026-Q3", ["a": .count(20)])]
        let quarters = ["2026-Q1", "2026-Q2", "2026-Q3"]
        #expect(ytd(quarters, release("2026-Q3", ["a": .count(25)], total: .count(300)), published).isEmpty)   // 5 = 2 + 3, 1 + 4, ...
        let pinned = ytd(quarters, release("2026-Q3", ["a": .count(22)], total: .count(300)), published)      // 2 = 1 + 1 only
        #expect(pinned.count == 1 && pinned[0].contains(#"category "a""#) && pinned[0].contains("2026-Q1, 2026-Q2"))
    }

    @Test func totalsAreCheckedLikeCells() {
        let published = [release("2026-Q1", [:], total: .suppressed), release("2026-Q2", [:], total: .count(30))]
        let problems = ytd(["2026-Q1", "2026-Q2"], release("2026-Q2", [:], total: .count(33)), published)
        #expect(problems == [#"table "referrals_by_harm", total: the suppressed 2026-Q1 figure could be worked out by combining this release with figures already published"#])
    }

    @Test func twoYearToDateReleasesDifferingByOneQuarterAreCaught() {
        // Each quarter suppressed "a"; the year to date to Q2 showed it (two suppressed quarters: safe then).
        let quarters = ["2026-Q1", "2026-Q2", "2026-Q3"]
        var published = quarters.map { release($0, ["a": .suppressed]) }
        published.insert(release(DifferencingCheck.yearToDateLabel(quarters: ["2026-Q1", "2026-Q2"])!, ["a": .count(6)]), at: 2)
        let problems = ytd(quarters, release("2026-Q3", ["a": .count(9)]), published)
        #expect(problems.contains(#"table "referrals_by_harm", category "a": the suppressed 2026-Q3 figure could be worked out by combining this release with figures already published"#))
        #expect(DifferencingCheck.yearToDateLabel(quarters: ["2026-Q2", "2026-Q1"]) == "2026-Q1..2026-Q2")
        #expect(DifferencingCheck.yearToDateLabel(quarters: ["2026-Q1", "2026-Q3"]) == nil)
        #expect(DifferencingCheck.range("2026-Q4..2027-Q1")?.map(\.description) == ["2026-Q4", "2027-Q1"])
    }

    @Test func aReleaseWithAnUnreadableLabelBlocksYearToDate() {
        let published = [release("2026-Q1", ["a": .count(10)]), release("ytd-2026", ["a": .count(10)])]
        let problems = ytd(["2026-Q1"], release("2026-Q1", ["a": .count(10)]), published)
        #expect(problems.count == 1 && problems[0].contains(#""ytd-2026""#))
    }

    @Test func aSecondarySuppressionUndoneByTheQuartersIsCaughtInSingleChoiceTables() {
        // Q1: a = 3 (primary) with e = 6 as its partner; Q2 all shown. Year to date a = 3, b = 20, e = 36: "b" is
        // a's partner now, but b was shown every quarter (10 + 10), so a = 59 − 20 − 36, and then a(Q1) = a − 0.
        let published = [
            release("2026-Q1", ["a": .suppressed, "b": .count(10), "e": .suppressed], total: .count(19), table: Self.single),
            release("2026-Q2", ["a": .count(0), "b": .count(10), "e": .count(30)], total: .count(40), table: Self.single),
        ]
        let raw = RawTable(name: Self.single, counts: ["a": 3, "b": 20, "e": 36], total: 59, additive: true)
        let protected = DisclosureControl.protect([raw], policy: DisclosurePolicy())
        #expect(protected[0].cells == ["a": .suppressed, "b": .suppressed, "e": .count(36)])
        let candidate = PublishedTables(quarter: "2026-Q2", tables: protected)
        let problems = ytd(["2026-Q1", "2026-Q2"], candidate, published)
        #expect(problems.contains { $0.contains(#"category "a": the figure this release suppresses"#) })
        #expect(problems.contains { $0.contains(#"category "a": the suppressed 2026-Q1 figure"#) })
        #expect(problems.contains { $0.contains(#"category "e": the suppressed 2026-Q1 figure"#) }, "e: one suppressed quarter")
        #expect(!problems.contains { $0.contains(#"category "b""#) }, "b is a sum of shown figures: nothing new")
        // Without the total = sum relation (a multi-select table) "a" could not be solved for.
        let plain = DifferencingCheck.problems(candidate: candidate, candidateKind: .yearToDate, quarters: ["2026-Q1", "2026-Q2"],
                                               published: published, additiveTables: [])
        #expect(!plain.contains { $0.contains(#"category "a""#) })
        #expect(plain.contains { $0.contains(#"category "e""#) })
    }

    @Test func aPreexistingLeakIsReportedAsSuch() {
        let published = [
            release("2026-Q1", ["a": .suppressed]), release("2026-Q2", ["a": .count(10)]),
            release("2026-Q1..2026-Q2", ["a": .count(13)]),   // released before this check existed
        ]
        let problems = ytd(["2026-Q1", "2026-Q2", "2026-Q3"], release("2026-Q3", ["a": .count(20)]),
                           published + [release("2026-Q3", ["a": .count(7)])])
        #expect(problems.contains { $0.contains("2026-Q1 figure can already be worked out") })
    }

    @Test func theLatestReleaseOfAQuarterIsTheReadersPicture() {
        // Q1 was corrected: "a" shown at first, suppressed since. The year to date must treat it as suppressed.
        let published = [release("2026-Q1", ["a": .count(10)]), release("2026-Q2", ["a": .count(12)]), release("2026-Q1", ["a": .suppressed])]
        let problems = ytd(["2026-Q1", "2026-Q2"], release("2026-Q2", ["a": .count(15)]), published)
        #expect(problems.contains { $0.contains("the suppressed 2026-Q1 figure") })
    }

    // MARK: - Corrections

    @Test func aCorrectionMayNotShowWhatAnEarlierReleaseOfTheQuarterSuppressed() {
        let original = release("2026-Q1", ["a": .suppressed, "b": .suppressed, "c": .count(12)], total: .count(25), table: Self.single)
        let shows = release("2026-Q1", ["a": .suppressed, "b": .count(10), "c": .suppressed], total: .count(25), table: Self.single)
        let problems = DifferencingCheck.problems(candidate: shows, candidateKind: .correction, quarters: [], published: [original])
        #expect(problems.count == 1 && problems[0].contains(#"table "referrals_by_setting", category "b": suppressed in an earlier release of 2026-Q1"#))
        // The total need not be unchanged: a reader can still assume the rest of the table unchanged.
        let moved = release("2026-Q1", ["a": .suppressed, "b": .count(10), "c": .count(12), "d": .suppressed], total: .count(30), table: Self.single)
        #expect(DifferencingCheck.problems(candidate: moved, candidateKind: .correction, quarters: [], published: [original]).count == 1)
        // Even a count that rose above the threshold stays suppressed.
        let risen = release("2026-Q1", ["a": .count(9), "b": .suppressed, "c": .count(12)], total: .count(30), table: Self.single)
        #expect(DifferencingCheck.problems(candidate: risen, candidateKind: .correction, quarters: [], published: [original]).count == 1)
        // Keeping every earlier suppression (and suppressing more) is fine; so is changing shown counts.
        let keeps = release("2026-Q1", ["a": .suppressed, "b": .suppressed, "c": .count(14)], total: .count(27), table: Self.single)
        #expect(DifferencingCheck.problems(candidate: keeps, candidateKind: .correction, quarters: [], published: [original]).isEmpty)
        // A total suppressed before stays suppressed.
        let hiddenTotal = release("2026-Q1", ["a": .suppressed], total: .suppressed, table: Self.multi)
        let showsTotal = release("2026-Q1", ["a": .suppressed], total: .count(12), table: Self.multi)
        #expect(DifferencingCheck.problems(candidate: showsTotal, candidateKind: .correction, quarters: [], published: [hiddenTotal])
            == [#"table "referrals_by_harm", total: suppressed in an earlier release of 2026-Q1 but shown in this correction; keep it suppressed, or a reader comparing the two could recover the hidden figure"#])
    }

    @Test func everyEarlierReleaseOfTheQuarterCountsNotJustTheLatest() {
        let first = release("2026-Q1", ["a": .suppressed, "b": .count(10)])
        let second = release("2026-Q1", ["a": .suppressed, "b": .suppressed])
        let third = release("2026-Q1", ["a": .count(12), "b": .count(10)])
        let problems = DifferencingCheck.problems(candidate: third, candidateKind: .correction, quarters: [], published: [first, second])
        #expect(problems.count == 2)
    }

    @Test func aCorrectionNeedsAReleasedQuarter() {
        let problems = DifferencingCheck.problems(candidate: release("2026-Q1", [:]), candidateKind: .correction, quarters: [],
                                                  published: [release("2026-Q2", [:])])
        #expect(problems.count == 1 && problems[0].contains("nothing to correct"))
    }

    @Test func correctionsBuiltByKeepingEarlierSuppressionsAlwaysPass() {
        for index in 0..<1_000 {
            let seed = disclosureBaseSeed &+ 900_000 &+ UInt64(index)
            var rng = DisclosureSplitMix64(seed: seed)
            let policy = DisclosureControlTests.randomPolicy(&rng, rounding: false)
            let raw = DisclosureControlTests.randomTable(&rng, additive: Bool.random(using: &rng))
            var changed = raw
            for key in changed.counts.keys where Bool.random(using: &rng) { changed.counts[key] = Int.random(in: 0...30, using: &rng) }
            if changed.additive { changed.total = changed.counts.values.reduce(0, +) }
            let original = PublishedTables(quarter: "2026-Q1", tables: DisclosureControl.protect([raw], policy: policy))
            let correction = PublishedTables(quarter: "2026-Q1",
                                             tables: DisclosureControl.protect([changed], policy: policy, keepingSuppressed: [original]))
            let problems = DifferencingCheck.problems(candidate: correction, candidateKind: .correction, quarters: [], published: [original])
            if !problems.isEmpty { Issue.record("\(problems); seed \(seed)") }
        }
    }

    // MARK: - Properties over random scenarios

    /// One random cell over a year: each quarter's true count and whether it was published suppressed (always
    /// when 1...threshold, sometimes as a secondary when larger), and the year to date's.
    struct Scenario {
        var values: [Int] = [], hidden: [Bool] = []
        var ytdHidden = false
        var ytd: Int { values.reduce(0, +) }

        /// What the check must report for this cell: the SPEC's single-quarter leak, or every suppressed quarter
        /// pinned at 1 (a suppressed count is never 0).
        var leaks: Bool {
            guard !ytdHidden else { return false }
            let h = hidden.filter { $0 }.count
            let rest = ytd - zip(values, hidden).filter { !$0.1 }.map(\.0).reduce(0, +)
            return h == 1 || (h >= 2 && rest == h)
        }
    }

    static func scenario(_ rng: inout DisclosureSplitMix64, quarters: Int, threshold: Int) -> Scenario {
        var s = Scenario()
        for _ in 0..<quarters {
            let value: Int = switch Int.random(in: 0..<10, using: &rng) {
            case 0..<2: 0
            case 2..<4: 1
            case 4..<7: Int.random(in: 1...threshold, using: &rng)
            default: Int.random(in: (threshold + 1)...(threshold + 30), using: &rng)
            }
            s.values.append(value)
            s.hidden.append((1...threshold).contains(value) || (value > threshold && Int.random(in: 0..<5, using: &rng) == 0))
        }
        s.ytdHidden = (1...threshold).contains(s.ytd) || Int.random(in: 0..<8, using: &rng) == 0
        return s
    }

    /// Messages with quoted names and quarter labels taken out hold no digits at all, so no hidden count.
    static func holdsNoNumber(_ message: String) -> Bool {
        let stripped = message
            .replacingOccurrences(of: #""[^"]*""#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"[0-9]{4}-Q[1-4]"#, with: "", options: .regularExpression)
        return !stripped.contains { $0.isNumber }
    }

    @Test func yearToDateLeaksAreFoundExactlyInRandomScenarios() {
        var leaking = 0, safeWithSuppression = 0
        for index in 0..<3_000 {
            let seed = disclosureBaseSeed &+ 500_000 &+ UInt64(index)
            var rng = DisclosureSplitMix64(seed: seed)
            let threshold = Int.random(in: 1...9, using: &rng)
            let count = Int.random(in: 1...4, using: &rng)
            let quarters = (1...count).map { "2026-Q\($0)" }
            let categories = (0..<Int.random(in: 1...6, using: &rng)).map { "cat_\($0)" }
            var scenarios: [String: Scenario] = [:]
            for category in categories { scenarios[category] = Self.scenario(&rng, quarters: count, threshold: threshold) }

            let published = quarters.enumerated().map { q, label in
                release(label, Dictionary(uniqueKeysWithValues: categories.map { c in
                    (c, scenarios[c]!.hidden[q] ? Cell.suppressed : .count(scenarios[c]!.values[q]))
                }), total: .suppressed)
            }
            let candidate = release(quarters.last!, Dictionary(uniqueKeysWithValues: categories.map { c in
                (c, scenarios[c]!.ytdHidden ? Cell.suppressed : .count(scenarios[c]!.ytd))
            }), total: .suppressed)
            let problems = ytd(quarters, candidate, published)

            for category in categories {
                let expected = scenarios[category]!.leaks
                let found = problems.contains { $0.contains(#"category "\#(category)""#) }
                if expected != found { Issue.record("\(category): expected leak \(expected), found \(found): \(problems); seed \(seed)") }
                if expected { leaking += 1 }
                let h = scenarios[category]!.hidden.filter { $0 }.count
                if !expected && h >= 2 && !scenarios[category]!.ytdHidden { safeWithSuppression += 1 }
            }
            for message in problems where !Self.holdsNoNumber(message) { Issue.record("a number in \"\(message)\"; seed \(seed)") }
        }
        #expect(leaking > 300)
        #expect(safeWithSuppression > 300, "year to date accepted when each cell is suppressed in 0 or ≥ 2 quarters")
    }

    @Test func protectedSingleChoiceQuartersAndYearToDateNeverLeakUnnoticed() {
        // Quarters and year to date built by DisclosureControl itself, as the report builder does. Every
        // single-suppressed-quarter leak must be reported (the check may find more, through totals).
        var leaks = 0
        for index in 0..<1_500 {
            let seed = disclosureBaseSeed &+ 700_000 &+ UInt64(index)
            var rng = DisclosureSplitMix64(seed: seed)
            var policy = DisclosurePolicy()
            policy.threshold = Int.random(in: 1...9, using: &rng)
            let count = Int.random(in: 2...4, using: &rng)
            let quarters = (1...count).map { "2026-Q\($0)" }
            let name = Bool.random(using: &rng) ? Self.single : Self.multi
            let raws = (0..<count).map { _ in
                var t = DisclosureControlTests.randomTable(&rng, additive: name == Self.single)
                t.name = name
                return t
            }
            let categories = Set(raws.flatMap(\.counts.keys))
            let published = zip(quarters, raws).map { PublishedTables(quarter: $0, tables: DisclosureControl.protect([$1], policy: policy)) }
            var sum = RawTable(name: name, counts: [:], total: raws.map(\.total).reduce(0, +), additive: name == Self.single)
            for c in categories { sum.counts[c] = raws.map { $0.counts[c] ?? 0 }.reduce(0, +) }
            let candidate = PublishedTables(quarter: quarters.last!, tables: DisclosureControl.protect([sum], policy: policy))
            let problems = ytd(quarters, candidate, published)

            for c in categories.sorted() where candidate.tables[0].cells[c]?.isSuppressed == false {
                let cells = published.map { $0.tables[0].cells[c] }
                guard cells.allSatisfy({ $0 != nil }), cells.filter({ $0!.isSuppressed }).count == 1 else { continue }
                leaks += 1
                if !problems.contains(where: { $0.contains(#"category "\#(c)""#) }) {
                    Issue.record("single-suppressed-quarter leak of \(c) not reported; seed \(seed)")
                }
            }
            for message in problems where !Self.holdsNoNumber(message) { Issue.record("a number in \"\(message)\"; seed \(seed)") }
        }
        #expect(leaks > 100)
    }
}
