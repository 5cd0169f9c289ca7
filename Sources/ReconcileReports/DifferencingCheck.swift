import Foundation
import ReconcileCore

/// What a release published (also built from the ledger's stored cells).
///
/// `quarter` names what the figures cover: a plain quarter (`2026-Q1`) for a quarter's release and its
/// corrections; for a year-to-date release, the range it sums, `2026-Q1..2026-Q3`
/// (`DifferencingCheck.yearToDateLabel(quarters:)`), so that later checks know its figures are sums.
public struct PublishedTables: Sendable, Equatable {
    public let quarter: String
    public let tables: [ProtectedTable]

    public init(quarter: String, tables: [ProtectedTable]) {
        self.quarter = quarter
        self.tables = tables
    }
}

public enum ReleaseKind: String, Sendable, Codable {
    case quarter, correction, yearToDate = "year_to_date"
}

/// The release ledger's guard against differencing (SPEC "Quarterly feedback to the council"): each release
/// is safe on its own (`DisclosureControl`), but a reader holds every release, and sums or differences of
/// published figures must not give back a figure that was suppressed.
///
/// **Year to date** (`.yearToDate`). Every quarter it sums must have been released first (otherwise the
/// check has nothing to compare against). The reader's picture, table by table: each quarter's cells are
/// those of that quarter's latest release in `published` (corrections replace what they correct); each
/// year-to-date cell, earlier or candidate, is the sum of that cell over its quarters; and, for a
/// single-choice table (`additiveTables`), each total is the sum of its cells. Every shown figure is a linear
/// equation. A suppressed figure (of a quarter, of an earlier year to date, or of the candidate) is
/// recoverable when it is a linear combination of the shown ones, decided exactly by integer Gaussian
/// elimination. The commonest case is the SPEC's: a year-to-date cell shown while exactly one of its
/// quarters suppressed that cell (the hidden value is YTD − the other quarters); the elimination also
/// catches two year-to-date releases differing by one quarter, and a year-to-date table whose secondary
/// suppression is undone by the shown quarters. One bound is checked too: suppressed counts are never 0,
/// so a shown year-to-date cell whose unexplained remainder equals the number of quarters that
/// suppressed it (two suppressed quarters, remainder 2) pins each of them at 1.
/// A candidate figure that is suppressed but equals a sum of figures already shown is not a problem: it
/// reveals nothing new.
///
/// **Correction** (`.correction` of a released quarter). The rule chosen, stricter than "refuse only when
/// the total is unchanged": *a cell or total suppressed in any earlier release of that quarter must be
/// suppressed in the correction too.* A correction that shows it would let a reader assume the rest of the
/// table unchanged and recover the earlier hidden values, e.g. a cell suppressed only as a secondary
/// (its value above the threshold all along) that a later change of pattern shows; that attack needs no
/// equal totals, so the total is not consulted. A corrected count that rises above the threshold therefore
/// stays `c`; `DisclosureControl.protect(_:policy:keepingSuppressed:)` builds corrections that obey this.
///
/// **Quarter** (`.quarter`): refused if that quarter was already released (use a correction).
///
/// Limits, stated plainly. With rounding on, shown figures are not exact: the linear test is structural
/// (it does not use values, so it still flags what would be recoverable without rounding), but the bound
/// check uses the rounded values and can miss or over-report, and rounding itself can narrow a hidden
/// value to a range without pinning it (not analysed; rounding is off in the default policy). An earlier
/// year to date is taken as summing the quarters' *latest* figures; one released before a correction of
/// its quarters summed older ones, so checks against it are approximate. Corrections that change a table
/// by a few cases let a reader see in which shown cells the changed cases fell (small differences
/// between versions are not suppressed). Tables are checked one at a time.
public enum DifferencingCheck {
    /// The report's single-choice tables (SPEC "Automation contract"): total = sum of cells. The others
    /// (harm, told before, wishes, needs identified) are multi-select.
    public static let singleChoiceTables: Set<String> = [
        "referrals_by_referrer_role", "referrals_by_setting", "referrals_by_when", "level_of_need",
        "signposts_by_need", "signposts_by_outcome", "closures_by_reason",
    ]

    /// The label a year-to-date release is published under: `first..last` of a run of consecutive
    /// quarters (`2026-Q1..2026-Q3`). Nil unless `quarters` are valid and consecutive.
    public static func yearToDateLabel(quarters: [String]) -> String? {
        let parsed = quarters.compactMap(Quarter.init).sorted()
        guard parsed.count == quarters.count, let first = parsed.first, let last = parsed.last,
              zip(parsed, parsed.dropFirst()).allSatisfy({ $0.next == $1 }) else { return nil }
        return "\(first)..\(last)"
    }

    /// Problems (human-readable, naming table and category, never a hidden value) that would let a reader recover a suppressed cell by combining `candidate` with what was already published. Empty = safe to release.
    ///
    /// `published`: every earlier release of the same council area, oldest first. Single-choice tables are
    /// `singleChoiceTables`.
    public static func problems(candidate: PublishedTables, candidateKind: ReleaseKind, quarters: [String] /* for year_to_date: the quarters it sums */, published: [PublishedTables]) -> [String] {
        problems(candidate: candidate, candidateKind: candidateKind, quarters: quarters, published: published,
                 additiveTables: singleChoiceTables)
    }

    /// As above, naming the single-choice (additive) tables explicitly.
    public static func problems(candidate: PublishedTables, candidateKind: ReleaseKind, quarters: [String],
                                published: [PublishedTables], additiveTables: Set<String>) -> [String] {
        let ledger = Ledger(published)
        switch candidateKind {
        case .quarter:
            guard let quarter = Quarter(candidate.quarter) else { return [notAQuarter(candidate.quarter)] }
            if ledger.releases[quarter] != nil { return ["\(quarter) is already released; use a correction"] }
            // A quarter is normally released before any year to date that covers it; if one exists already,
            // check the quarter against it like any other linked release.
            return linearProblems(candidate: candidate, sums: [quarter], ledger: ledger, additive: additiveTables,
                                  includeLatestOfCandidateQuarters: false)
        case .correction:
            guard let quarter = Quarter(candidate.quarter) else { return [notAQuarter(candidate.quarter)] }
            guard let earlier = ledger.releases[quarter] else {
                return ["\(quarter) has not been released, so there is nothing to correct; release it as a quarter first"]
            }
            return correctionProblems(candidate: candidate, quarter: quarter, earlier: earlier)
        case .yearToDate:
            var problems: [String] = []
            var sums: [Quarter] = []
            if quarters.isEmpty { problems.append("a year to date must list the quarters it sums") }
            for label in quarters {
                guard let quarter = Quarter(label) else { problems.append(notAQuarter(label)); continue }
                if sums.contains(quarter) { problems.append("the year to date lists \(quarter) twice"); continue }
                sums.append(quarter)
                if ledger.releases[quarter] == nil {
                    problems.append("year to date needs every quarter released first: \(quarter) has not been released")
                }
            }
            problems += ledger.unreadable
            guard problems.isEmpty else { return problems }
            return linearProblems(candidate: candidate, sums: sums, ledger: ledger, additive: additiveTables,
                                  includeLatestOfCandidateQuarters: true)
                + boundProblems(candidate: candidate, sums: sums, ledger: ledger)
        }
    }

    // MARK: - Corrections

    private static func correctionProblems(candidate: PublishedTables, quarter: Quarter, earlier: [PublishedTables]) -> [String] {
        var problems: [String] = []
        for table in candidate.tables {
            let before = earlier.flatMap(\.tables).filter { $0.name == table.name }
            for category in table.cells.keys.sorted() where table.cells[category]?.isSuppressed == false {
                if before.contains(where: { $0.cells[category]?.isSuppressed == true }) {
                    problems.append("\(place(table.name, category)): suppressed in an earlier release of \(quarter) but shown in this correction; keep it suppressed, or a reader comparing the two could recover the hidden figure")
                }
            }
            if !table.total.isSuppressed, before.contains(where: { $0.total.isSuppressed }) {
                problems.append("\(place(table.name, nil)): suppressed in an earlier release of \(quarter) but shown in this correction; keep it suppressed, or a reader comparing the two could recover the hidden figure")
            }
        }
        return problems
    }

    // MARK: - Linear recoverability

    /// One source of equations: a release's table and the quarters each of its figures sums.
    private struct Source {
        let table: ProtectedTable
        let sums: [Quarter]
        let isCandidate: Bool
        /// How a suppressed figure of this source is named in a message.
        let hiddenName: String
    }

    private static func linearProblems(candidate: PublishedTables, sums: [Quarter], ledger: Ledger,
                                       additive: Set<String>, includeLatestOfCandidateQuarters: Bool) -> [String] {
        var problems: [String] = []
        var seenTables: Set<String> = []
        for table in candidate.tables where seenTables.insert(table.name).inserted {
            // The quarters linked to the candidate: its own, and those of any earlier year to date sharing one.
            var universe = Set(sums)
            var linked: [Int] = []   // indices into ledger.ranges, in release order
            var grew = true
            while grew {
                grew = false
                for (index, range) in ledger.ranges.enumerated() where !linked.contains(index) {
                    guard range.release.tables.contains(where: { $0.name == table.name }),
                          range.quarters.contains(where: universe.contains) else { continue }
                    linked.append(index)
                    universe.formUnion(range.quarters)
                    grew = true
                }
            }
            var sources: [Source] = []
            for quarter in universe.sorted() where includeLatestOfCandidateQuarters || !sums.contains(quarter) {
                // The reader's picture of a quarter: its latest release that has this table.
                if let latest = ledger.releases[quarter]?.last(where: { $0.tables.contains { $0.name == table.name } }),
                   let t = latest.tables.first(where: { $0.name == table.name }) {
                    sources.append(Source(table: t, sums: [quarter], isCandidate: false, hiddenName: "the suppressed \(quarter) figure"))
                }
            }
            for index in linked.sorted() {
                let range = ledger.ranges[index]
                sources.append(Source(table: range.release.tables.first { $0.name == table.name }!, sums: range.quarters,
                                      isCandidate: false, hiddenName: "the suppressed year-to-date figure for \(range.label)"))
            }
            sources.append(Source(table: table, sums: sums, isCandidate: true, hiddenName: "the figure this release suppresses"))
            do {
                problems += try linearProblems(table: table.name, sources: sources, quarters: universe.sorted(),
                                               additive: additive.contains(table.name))
            } catch {
                problems.append("\(place(table.name, nil)): too many linked figures to check automatically; not safe to release without review")
            }
        }
        return problems
    }

    private static func linearProblems(table name: String, sources: [Source], quarters: [Quarter], additive: Bool) throws -> [String] {
        let categories = Set(sources.flatMap { $0.table.cells.keys }).sorted()
        // Unknowns: each quarter's count in each category, and (multi-select) each quarter's total, which is
        // then not the sum of the cells.
        let stride = categories.count + (additive ? 0 : 1)
        let width = quarters.count * stride
        let position = Dictionary(uniqueKeysWithValues: quarters.enumerated().map { ($1, $0 * stride) })
        func vector(sums: [Quarter], category: String?) -> [Int] {
            var v = [Int](repeating: 0, count: width)
            for quarter in sums {
                let base = position[quarter]!
                if let category { v[base + categories.firstIndex(of: category)!] += 1 }
                else if additive { for j in 0..<categories.count { v[base + j] += 1 } }
                else { v[base + categories.count] += 1 }
            }
            return v
        }

        var before = Span(), after = Span()
        var targets: [(vector: [Int], source: Source, category: String?)] = []
        for source in sources {
            let figures: [(String?, Cell)] = source.table.cells.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                + [(nil, source.table.total)]
            for (category, cell) in figures {
                let v = vector(sums: source.sums, category: category)
                if cell.isSuppressed {
                    targets.append((v, source, category))
                } else {
                    if !source.isCandidate { try before.add(v) }
                    try after.add(v)
                }
            }
        }
        var problems: [String] = []
        for target in targets {
            guard try after.contains(target.vector) else { continue }
            let already = try before.contains(target.vector)
            if target.source.isCandidate {
                // A suppressed candidate figure that is a sum of figures already shown reveals nothing new.
                if !already {
                    problems.append("\(place(name, target.category)): \(target.source.hiddenName) could be worked out from the figures it shows and those already published")
                }
            } else if already {
                problems.append("\(place(name, target.category)): \(target.source.hiddenName) can already be worked out from figures published before this release; review the ledger before releasing more")
            } else {
                problems.append("\(place(name, target.category)): \(target.source.hiddenName) could be worked out by combining this release with figures already published")
            }
        }
        return problems
    }

    // MARK: - The "never zero" bound

    /// A shown year-to-date cell whose remainder (YTD − the quarters that showed it) equals the number of
    /// quarters that suppressed it: each suppressed quarter must then be exactly 1. (One suppressed quarter
    /// is the linear case, reported already.)
    private static func boundProblems(candidate: PublishedTables, sums: [Quarter], ledger: Ledger) -> [String] {
        var problems: [String] = []
        for table in candidate.tables {
            let latest: [(Quarter, ProtectedTable)] = sums.compactMap { quarter in
                ledger.releases[quarter]?.last(where: { $0.tables.contains { $0.name == table.name } })?
                    .tables.first { $0.name == table.name }.map { (quarter, $0) }
            }
            guard latest.count == sums.count else { continue }   // a quarter without this table: nothing to bound
            var figures: [(String?, Cell, [Cell?])] = table.cells.keys.sorted().map { category in
                (category, table.cells[category]!, latest.map { $0.1.cells[category] })
            }
            figures.append((nil, table.total, latest.map { $0.1.total }))
            for (category, cell, quarterCells) in figures {
                guard let value = cell.shown, quarterCells.allSatisfy({ $0 != nil }) else { continue }
                let hidden = zip(latest, quarterCells).filter { $0.1!.isSuppressed }.map { "\($0.0.0)" }
                let shownSum = quarterCells.compactMap { $0?.shown }.reduce(0, +)
                if hidden.count >= 2, value - shownSum == hidden.count {
                    problems.append("\(place(table.name, category)): the suppressed figures for \(hidden.joined(separator: ", ")) could be worked out from this year-to-date figure, because a suppressed count is never zero")
                }
            }
        }
        return problems
    }

    // MARK: - Helpers

    private static func notAQuarter(_ label: String) -> String {
        "\"\(label)\" is not a quarter (YYYY-QN)"
    }

    /// How a message names a figure: table and category in quotes, so names are never mistaken for values.
    private static func place(_ table: String, _ category: String?) -> String {
        if let category { return "table \"\(table)\", category \"\(category)\"" }
        return "table \"\(table)\", total"
    }

    /// The published releases, sorted by what they cover.
    private struct Ledger {
        /// Releases of single quarters (the original, then corrections), oldest first.
        var releases: [Quarter: [PublishedTables]] = [:]
        /// Year-to-date releases, by range label.
        var ranges: [(label: String, quarters: [Quarter], release: PublishedTables)] = []
        /// Problems with labels that are neither: such a release cannot be checked against, so nothing that
        /// might combine with it is released.
        var unreadable: [String] = []

        init(_ published: [PublishedTables]) {
            for release in published {
                if let quarter = Quarter(release.quarter) {
                    releases[quarter, default: []].append(release)
                } else if let quarters = DifferencingCheck.range(release.quarter) {
                    ranges.append((release.quarter, quarters, release))
                } else {
                    unreadable.append("an earlier release is labelled \"\(release.quarter)\", neither a quarter (YYYY-QN) nor a year-to-date range (YYYY-QN..YYYY-QN), so later releases cannot be checked against it")
                }
            }
        }
    }

    /// The quarters of a `first..last` label, or nil.
    static func range(_ label: String) -> [Quarter]? {
        let ends = label.components(separatedBy: "..")
        guard ends.count == 2, let first = Quarter(ends[0]), let last = Quarter(ends[1]), first <= last else { return nil }
        var quarters = [first]
        while quarters.last! < last {
            guard quarters.count < 40 else { return nil }
            quarters.append(quarters.last!.next)
        }
        return quarters
    }
}

/// The row space of a set of integer vectors, kept in echelon form with exact integer arithmetic (each
/// row divided by the gcd of its entries), so membership is decided without rounding error. Overflow,
/// which the small 0/1 systems here do not reach, throws rather than answers wrongly.
struct Span {
    struct Overflow: Error {}
    private var rows: [(pivot: Int, row: [Int])] = []

    mutating func add(_ vector: [Int]) throws {
        let reduced = try reduce(vector)
        if let pivot = reduced.firstIndex(where: { $0 != 0 }) { rows.append((pivot, reduced)) }
    }

    func contains(_ vector: [Int]) throws -> Bool {
        try reduce(vector).allSatisfy { $0 == 0 }
    }

    /// Eliminates each basis row's pivot from `vector`, in insertion order. Every basis row has zeros at the
    /// pivots of the rows before it, so eliminating a later pivot never brings back an earlier one.
    private func reduce(_ vector: [Int]) throws -> [Int] {
        var v = vector
        for (pivot, row) in rows where v[pivot] != 0 {
            let a = row[pivot], c = v[pivot]
            for j in v.indices {
                let (x, o1) = v[j].multipliedReportingOverflow(by: a)
                let (y, o2) = row[j].multipliedReportingOverflow(by: c)
                let (z, o3) = x.subtractingReportingOverflow(y)
                guard !o1, !o2, !o3 else { throw Overflow() }
                v[j] = z
            }
            let divisor = v.reduce(0) { gcd($0, $1) }
            if divisor > 1 { v = v.map { $0 / divisor } }
        }
        return v
    }

    private func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a.magnitude, b.magnitude)
        while y != 0 { (x, y) = (y, x % y) }
        return Int(x)
    }
}
