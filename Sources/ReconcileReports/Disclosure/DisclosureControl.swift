import Foundation

/// One published figure: a count, or the policy's marker in its place.
public enum Cell: Sendable, Equatable, Hashable {
    case count(Int), suppressed

    /// The number shown, or nil when suppressed.
    public var shown: Int? {
        if case .count(let n) = self { return n }
        return nil
    }

    public var isSuppressed: Bool { self == .suppressed }
}

/// One table of the report: categories → counts. `additive` is true when the categories partition the
/// total (single-choice questions: total = sum of cells); false for multi-select questions (harm, told
/// before, wishes, needs), whose total is the number of referrals, not the sum.
public struct RawTable: Sendable, Equatable {
    public var name: String
    public var counts: [String: Int]
    public var total: Int
    public var additive: Bool
    /// False for a multi-select question that may be left unanswered: its cells need not reach the total, so
    /// rule 3's inequality does not hold and is not protected against.
    public var everyoneAnswers = true
    /// False for counts of things rather than people (offers of help sent): nothing in them can identify a
    /// family, so they are shown as counted.
    public var aboutPeople = true

    public init(name: String, counts: [String: Int], total: Int, additive: Bool, everyoneAnswers: Bool = true, aboutPeople: Bool = true) {
        self.name = name
        self.counts = counts
        self.total = total
        self.additive = additive
        self.everyoneAnswers = everyoneAnswers
        self.aboutPeople = aboutPeople
    }
}

/// A table as it may be published: every count shown, rounded, or replaced by the marker.
public struct ProtectedTable: Sendable, Equatable {
    public let name: String
    public let cells: [String: Cell]
    public let total: Cell

    /// Also used to rebuild what a release published from the ledger's stored cells.
    public init(name: String, cells: [String: Cell], total: Cell) {
        self.name = name
        self.cells = cells
        self.total = total
    }
}

/// Statistical disclosure control for the council's quarterly figures (SPEC "Quarterly feedback to the
/// council"). Pure functions: the same tables and policy always give the same protected tables.
///
/// What a reader is assumed to know: the published tables, the policy (threshold, rounding), that zeros are
/// shown (so every suppressed count is at least 1), and, for a single-choice table, that the total is the
/// sum of its cells. The rules below make sure that, from these, no suppressed count can be worked out.
///
/// 1. **Primary.** Every count and total in 1...threshold is suppressed. 0 is shown: it discloses no one.
///    (A negative count is a bug upstream; it is suppressed rather than published.)
/// 2. **Secondary, single-choice (additive) tables with a shown total.** A reader can compute
///    `rest = total − sum(shown cells)`, the sum of the suppressed cells, and knows each is ≥ 1. With `k`
///    suppressed cells, each lies anywhere in `1...rest − (k − 1)`, i.e. has at least two possible values
///    exactly when `k ≥ 2` and `rest > k`. So while `k == 1` (the lone cell *is* `rest`) or `rest == k` (every
///    suppressed cell must be 1, e.g. two suppressed 1s), the smallest other non-zero shown cell is suppressed
///    too (ties broken by category name). Zero cells are never chosen: suppressing a 0 adds nothing to
///    `rest`, so it protects nothing. If no non-zero shown cell is left, the total is suppressed instead.
///    With the total suppressed (always so when it is 1...threshold) cells cannot be recovered from it.
///    Net effect: in every additive table with a shown total, the number of suppressed cells is 0 or ≥ 2.
/// 3. **Multi-select (non-additive) tables** (harm, told before, wishes, needs): a referral may count in
///    several cells, so the cells do not sum to the total and there is no equation to solve for a suppressed
///    cell; only primary suppression applies, as a rule. One inequality does remain: where every referral
///    ticks at least one option (harm, told before and wishes are required questions), the cells sum to at
///    least the total, and since only primary suppression applies a reader knows each suppressed cell is at
///    most `threshold`. If `total − sum(shown cells)` reaches `k × threshold`, every suppressed cell would
///    be pinned to exactly `threshold` (e.g. total 16, one shown cell 12, one `c` with threshold 4: the `c`
///    must be 4). Only in that case the smallest non-zero shown cell is suppressed too (or, if there is
///    none, the total).
/// 4. **Rounding** (when `roundingBase` is set) is applied last, to the shown counts and totals only: the
///    nearest multiple of the base, halves up. Totals are rounded independently of their cells, so rounded
///    rows may not add up to the rounded total (the report should say so). A count above the threshold is
///    never rounded down into `0...threshold` (that would look like a zero, or like a count that escaped
///    suppression); it becomes the smallest multiple of the base above the threshold instead.
///
/// These rules protect tables one at a time, a cheap first pass. What links tables and releases (shared totals,
/// headline figures, year to date = sum of quarters, corrections) is then handled by `ReleaseProtection`, which
/// audits the whole year with an integer-programming solver and suppresses more where a range is too narrow.
/// A reader who knows rule 2's choice of "smallest shown cell" can bound a secondary cell above by the next
/// smallest shown cell, which in rare ties narrows the pair of suppressed values to a known set without
/// telling which cell holds which (the audit's model does not assume the reader knows the choice rule).
public enum DisclosureControl {
    /// Primary then secondary suppression, then rounding. Deterministic (same input → same output; ties broken by category name).
    public static func protect(_ tables: [RawTable], policy: DisclosurePolicy) -> [ProtectedTable] {
        tables.map { protect($0, policy: policy, alreadySuppressed: [], totalAlreadySuppressed: false) }
    }

    /// As `protect(_:policy:)`, for a correction of a quarter already released: every cell (and total) that
    /// an earlier release of the quarter suppressed starts out suppressed, before the rules above run again.
    /// A correction built this way never shows later a count an earlier version hid (unless it is now 0), which
    /// would let a reader assuming the rest unchanged recover the old value, while still protecting any new small
    /// counts. The linked-table audit (`ReleaseProtection`) then runs on top.
    public static func protect(_ tables: [RawTable], policy: DisclosurePolicy, keepingSuppressed earlier: [PublishedTables]) -> [ProtectedTable] {
        tables.map { table in
            let earlierTables = earlier.flatMap(\.tables).filter { $0.name == table.name }
            let carried = Set(earlierTables.flatMap { $0.cells.filter { $0.value.isSuppressed }.map(\.key) })
            let totalCarried = earlierTables.contains { $0.total.isSuppressed }
            return protect(table, policy: policy, alreadySuppressed: carried, totalAlreadySuppressed: totalCarried)
        }
    }

    /// A single headline figure (e.g. referrals received): suppressed if 1...threshold, else (rounded) count.
    public static func protect(figure: Int, policy: DisclosurePolicy) -> Cell {
        isSmall(figure, policy) ? .suppressed : .count(rounded(figure, policy))
    }

    /// A percentage only when the base is shown and ≥ minimumBaseForPercent; nil otherwise.
    ///
    /// Also nil when `part`, or `base − part`, is itself a count that would be suppressed: with the base
    /// shown, a percentage gives the part back exactly (2 of 40 is 5%), so "5% acknowledged late" would
    /// publish a suppressed count by another route. A part outside `0...base` is a bug upstream: nil.
    public static func percent(_ part: Int, of base: Int, policy: DisclosurePolicy) -> Double? {
        guard base > 0, !isSmall(base, policy), base >= policy.minimumBaseForPercent,
              (0...base).contains(part), !isSmall(part, policy), !isSmall(base - part, policy) else { return nil }
        return Double(part) * 100 / Double(base)
    }

    // MARK: - The rules

    /// Rule 1's test: a count that must not be shown.
    static func isSmall(_ n: Int, _ policy: DisclosurePolicy) -> Bool {
        n != 0 && n <= policy.threshold
    }

    private static func protect(_ table: RawTable, policy: DisclosurePolicy, alreadySuppressed: Set<String>,
                                totalAlreadySuppressed: Bool) -> ProtectedTable {
        guard table.aboutPeople else {
            return ProtectedTable(name: table.name, cells: table.counts.mapValues { .count($0) }, total: .count(table.total))
        }
        // Categories in name order: every choice below is then independent of dictionary order.
        let names = table.counts.keys.sorted()
        // A carried cell that is now 0 is shown: a reader takes every suppressed count as at least 1.
        var hidden = Set(names.filter {
            isSmall(table.counts[$0, default: 0], policy) || (alreadySuppressed.contains($0) && table.counts[$0, default: 0] != 0)
        })
        var totalHidden = isSmall(table.total, policy) || (totalAlreadySuppressed && table.total != 0)

        /// The smallest non-zero shown cell, ties by name (names are sorted and `min` keeps the first).
        func nextToSuppress() -> String? {
            names.filter { !hidden.contains($0) && table.counts[$0, default: 0] != 0 }.min { table.counts[$0, default: 0] < table.counts[$1, default: 0] }
        }
        /// What a reader computes as the sum of the suppressed cells, from the total and the shown cells.
        func rest() -> Int { table.total - names.filter { !hidden.contains($0) }.reduce(0) { $0 + table.counts[$1, default: 0] } }

        if table.additive {
            // Rule 2: while some suppressed cell has a single possible value, suppress one more cell.
            while !totalHidden, !hidden.isEmpty, hidden.count == 1 || rest() <= hidden.count {
                if let next = nextToSuppress() { hidden.insert(next) } else { totalHidden = true }
            }
        } else if table.everyoneAnswers, !totalHidden, !hidden.isEmpty, rest() >= hidden.count * policy.threshold {
            // Rule 3: the inequality "cells sum to at least the total" would pin the suppressed cells.
            if let next = nextToSuppress() { hidden.insert(next) } else { totalHidden = true }
        }

        var cells: [String: Cell] = [:]
        for name in names {
            cells[name] = hidden.contains(name) ? .suppressed : .count(rounded(table.counts[name, default: 0], policy))
        }
        return ProtectedTable(name: table.name, cells: cells, total: totalHidden ? .suppressed : .count(rounded(table.total, policy)))
    }

    /// Rule 4: nearest multiple of the rounding base, halves up, never down into 0...threshold.
    static func rounded(_ n: Int, _ policy: DisclosurePolicy) -> Int {
        guard let base = policy.roundingBase, base > 1, n > 0 else { return n }
        let nearest = (2 * n + base) / (2 * base) * base
        if nearest <= policy.threshold { return (policy.threshold / base + 1) * base }
        return nearest
    }
}
