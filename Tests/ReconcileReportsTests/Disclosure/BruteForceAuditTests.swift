import Foundation
import ReconcileCore
import Testing
@testable import ReconcileReports

/// An independent check of the GLPK audit on tiny cases: every world of signpost counts (both linked signpost
/// tables, two quarters, sometimes a correction, and a year to date) is enumerated, kept when it agrees with
/// every published figure as a reader reads it, and the values each suppressed figure takes are collected.
/// Every unknown is capped (at `cap`) in both, so the two must agree exactly.
@Suite struct BruteForceAuditTests {
    static let cap = 6
    static let tables = [ReportTables.signpostsByNeed, ReportTables.signpostsByOutcome]

    /// One unknown of the enumeration: its possible values.
    struct Unknown { let values: ClosedRange<Int> }

    /// Values each suppressed signpost figure takes over every world consistent with `releases`; nil when too many worlds.
    static func bruteForce(_ releases: [ReportContent]) -> [FigureID: Set<Int>]? {
        var unknowns: [ClosedRange<Int>] = []
        func domain(_ value: PublishedValue, _ reading: Reading) -> ClosedRange<Int>? {
            switch value {
            case .count(let n): let (lo, hi) = reading.interval(shown: n); return lo...hi
            case .suppressed: return 1...cap
            default: return 0...cap
            }
        }
        // Each release's cells: a fixed value or the index of an unknown. Year-to-date cells are sums (except outcomes).
        enum Term { case unknown(Int), sum([Int]) }   // indices into `cellsOf` of quarter blocks
        struct Block { var cells: [String: [String: Int]] }   // table → category → unknown index
        var blocks: [Block] = [], current: [String: Int] = [:]
        var ytdOutcomes: [Int: [String: Int]] = [:]
        // Where a quarter block's unknowns end: the block is checked there, pruning the enumeration early.
        var blockEnds: [Int: (block: Int, release: ReportContent)] = [:]
        for (r, release) in releases.enumerated() {
            let reading = Reading(threshold: release.threshold, roundingBase: release.roundingBase)
            if release.kind != "year_to_date" {
                var block = Block(cells: [:])
                for name in tables {
                    let table = release.tables.first { $0.name == name }!
                    for cell in table.cells {
                        unknowns.append(domain(cell.value, reading)!)
                        block.cells[name, default: [:]][cell.category] = unknowns.count - 1
                    }
                }
                blocks.append(block); current[release.quarter] = blocks.count - 1
                blockEnds[unknowns.count] = (blocks.count - 1, release)
            } else {
                let table = release.tables.first { $0.name == ReportTables.signpostsByOutcome }!
                for cell in table.cells {
                    unknowns.append(domain(cell.value, reading)!)
                    ytdOutcomes[r, default: [:]][cell.category] = unknowns.count - 1
                }
            }
        }
        let worlds = unknowns.reduce(1.0) { $0 * Double($1.count) }
        guard worlds <= 3e6 else { return nil }
        // Which block each release reads (quarter releases: their own; year to date: the current ones then).
        var reads: [[Int]] = [], seen: [String: Int] = [:], next = 0
        for release in releases {
            if release.kind != "year_to_date" { seen[release.quarter] = next; reads.append([next]); next += 1 }
            else { reads.append(Quarter(release.quarter)!.yearToDate.compactMap { seen[$0.description] }) }
        }
        var values = [Int](repeating: 0, count: unknowns.count)
        var found: [FigureID: Set<Int>] = [:]
        func check() {
            var taken: [FigureID: Int] = [:]
            for block in blocks {
                let need = block.cells[tables[0]]!.values.reduce(0) { $0 + values[$1] }
                let outcome = block.cells[tables[1]]!.values.reduce(0) { $0 + values[$1] }
                guard need == outcome, need <= cap else { return }
            }
            for (r, release) in releases.enumerated() {
                let reading = Reading(threshold: release.threshold, roundingBase: release.roundingBase)
                for name in tables {
                    let table = release.tables.first { $0.name == name }!
                    var total = 0
                    for cell in table.cells {
                        let v: Int
                        if release.kind == "year_to_date", name == ReportTables.signpostsByOutcome {
                            v = values[ytdOutcomes[r]![cell.category]!]
                        } else {
                            v = reads[r].reduce(0) { $0 + values[blocks[$1].cells[name]![cell.category]!] }
                        }
                        total += v
                        guard holds(cell.value, v, reading) else { return }
                        if cell.value == .suppressed { taken[FigureID(release: r, table: name, category: cell.category)] = v }
                    }
                    if release.kind == "year_to_date", name == ReportTables.signpostsByOutcome {
                        let ytdTotal = reads[r].reduce(0) { sum, b in sum + blocks[b].cells[tables[0]]!.values.reduce(0) { $0 + values[$1] } }
                        guard total == ytdTotal else { return }
                    }
                    guard holds(table.total, total, reading) else { return }
                    if table.total == .suppressed { taken[FigureID(release: r, table: name, category: "total")] = total }
                }
            }
            for (id, v) in taken { found[id, default: []].insert(v) }
        }
        func holds(_ published: PublishedValue, _ v: Int, _ reading: Reading) -> Bool {
            switch published {
            case .count(let n): let (lo, hi) = reading.interval(shown: n); return v >= lo && v <= hi
            case .suppressed: return v >= 1
            default: return true
            }
        }
        func blockHolds(_ b: Int, _ release: ReportContent) -> Bool {
            let reading = Reading(threshold: release.threshold, roundingBase: release.roundingBase)
            var sums: [Int] = []
            for name in tables {
                let table = release.tables.first { $0.name == name }!
                var total = 0
                for cell in table.cells {
                    let v = values[blocks[b].cells[name]![cell.category]!]
                    guard holds(cell.value, v, reading) else { return false }
                    total += v
                }
                guard holds(table.total, total, reading) else { return false }
                sums.append(total)
            }
            return sums[0] == sums[1] && sums[0] <= cap
        }
        func walk(_ i: Int) {
            if let end = blockEnds[i], !blockHolds(end.block, end.release) { return }
            if i == unknowns.count { check(); return }
            for v in unknowns[i] { values[i] = v; walk(i + 1) }
        }
        walk(0)
        return found
    }

    @Test func theSolverAgreesWithEnumerationAndProtectedReleasesKeepTwoValues() throws {
        var rng = DisclosureSplitMix64(seed: disclosureBaseSeed &+ 1515)
        let harness = try ReportHarness()
        var compared = 0, figures = 0
        for trial in 0..<(30 * propertyScale) {
            var policy = DisclosurePolicy()
            if trial % 3 == 2 { policy.threshold = 7; policy.roundingBase = 5 }
            let builder = ReportBuilder(reports: harness.stores.reports, settings: harness.settings, policy: policy)
            var ledger: [ReportContent] = [], quarters: [QuarterWorld] = []
            func world() -> QuarterWorld {
                var w = QuarterWorld()
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    w.signposts.append((QuarterWorld.pick(ReportTables.signpostsByNeed, &rng, among: 2),
                                        QuarterWorld.pick(ReportTables.signpostsByOutcome, &rng, among: 2)))
                }
                return w
            }
            func add(_ w: QuarterWorld, _ quarter: Int, _ kind: ReleaseKind) throws {
                let first = builder.assemble(counts: w.counts, themes: [], councilArea: "shropshire", quarter: Quarter(year: 2026, number: quarter)!,
                                             kind: kind, earlier: [], carriedFigures: [], now: Date())
                do {
                    ledger.append(try ReleaseProtection.protect(candidate: first.content, earlier: ledger, minimumRange: policy.minimumRange))
                } catch {
                    let shown = (ledger + [first.content]).map { r in
                        "\(r.kind) \(r.quarter): " + r.tables.filter { Self.tables.contains($0.name) }.map { t in
                            t.name + " " + t.cells.filter { $0.value != .count(0) }.map { "\($0.category)=\($0.value)" }.joined(separator: ",") + " total=\(t.total)"
                        }.joined(separator: "; ")
                    }
                    Issue.record("trial \(trial): \(error.problems) \(shown)")
                    throw error
                }
            }
            quarters = [world(), world()]
            try add(quarters[0], 1, .quarter)
            try add(quarters[1], 2, .quarter)
            if trial % 2 == 1 {
                quarters[0].signposts.append((ReportTables.categories(ReportTables.signpostsByNeed)[0], "accepted"))
                try add(quarters[0], 1, .correction)
            }
            try add(QuarterWorld.yearToDate(quarters, &rng), 2, .yearToDate)

            guard let expected = Self.bruteForce(ledger) else { continue }
            let audit = DisclosureAudit(releases: ledger, cap: Self.cap)
            let ranges = try audit.ranges().filter { Self.tables.contains($0.figure.table) }
            // Narrow but hiding nothing: its value follows from figures published before its release.
            let known = Set(ranges.filter { $0.isNarrower(than: policy.minimumRange) }.map(\.figure))
                .subtracting(audit.disclosing(ranges, minimumRange: policy.minimumRange).map(\.figure))
            #expect(Set(ranges.map(\.figure)) == Set(expected.keys), "trial \(trial)")
            for range in ranges {
                let values = try #require(expected[range.figure], "trial \(trial): \(range.figure)")
                #expect(range.minimum == values.min() && range.maximum == values.max(), "trial \(trial): \(range) vs \(values.sorted())")
                #expect(values.count >= policy.minimumRange || known.contains(range.figure),
                        "trial \(trial): \(range.figure) takes only \(values.sorted())")
                figures += 1
            }
            compared += 1
        }
        #expect(compared >= 8 && figures >= 8, "too few cases were small enough to enumerate: \(compared), \(figures)")
    }
}
