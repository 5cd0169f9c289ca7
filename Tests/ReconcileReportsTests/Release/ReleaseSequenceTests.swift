import Foundation
import ReconcileCore
import Testing
@testable import ReconcileReports

/// A quarter's worth of statistical records, from which every table is counted the way the store counts them,
/// so the linked tables are consistent by construction (shared totals, multi-select ticks ≥ 1).
struct QuarterWorld {
    struct Referral { var role, setting, when: String; var harm, told, wishes: Set<String> }
    var referrals: [Referral] = []
    var assessments: [(level: String, needs: Set<String>)] = []
    var signposts: [(need: String, outcome: String)] = []
    var closures: [String] = []
    var notConsented = 0, listening = 0, escalations = 0, openAtEnd = 0

    static func pick(_ table: String, _ rng: inout DisclosureSplitMix64, among: Int = 3) -> String {
        // Few categories in use, as in a small area: many zeros, some small counts.
        ReportTables.categories(table).prefix(among).randomElement(using: &rng)!
    }
    static func ticks(_ table: String, _ rng: inout DisclosureSplitMix64) -> Set<String> {
        Set((0..<Int.random(in: 1...2, using: &rng)).map { _ in pick(table, &rng, among: 4) })
    }

    static func random(_ rng: inout DisclosureSplitMix64) -> QuarterWorld {
        var world = QuarterWorld()
        for _ in 0..<Int.random(in: 0...16, using: &rng) { world.addReferral(&rng) }
        for _ in 0..<Int.random(in: 0...world.referrals.count, using: &rng) {
            world.assessments.append((pick(ReportTables.levelOfNeed, &rng), ticks(ReportTables.needs, &rng)))
        }
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            world.signposts.append((pick(ReportTables.signpostsByNeed, &rng, among: 4), pick(ReportTables.signpostsByOutcome, &rng, among: 4)))
        }
        for _ in 0..<Int.random(in: 0...8, using: &rng) { world.closures.append(pick(ReportTables.closures, &rng)) }
        world.notConsented = Int.random(in: 0...6, using: &rng)
        world.listening = Int.random(in: 0...12, using: &rng)
        world.escalations = Int.random(in: 0...3, using: &rng)
        world.openAtEnd = Int.random(in: 0...20, using: &rng)
        return world
    }

    mutating func addReferral(_ rng: inout DisclosureSplitMix64) {
        referrals.append(Referral(role: Self.pick(ReportTables.referrerRole, &rng), setting: Self.pick(ReportTables.setting, &rng),
                                  when: Self.pick(ReportTables.when, &rng), harm: Self.ticks(ReportTables.harm, &rng),
                                  told: Self.ticks(ReportTables.toldBefore, &rng), wishes: Self.ticks(ReportTables.wishes, &rng)))
    }

    /// A year to date: the quarters together; outcomes are as they are now (re-drawn), open at end is the last's.
    static func yearToDate(_ quarters: [QuarterWorld], _ rng: inout DisclosureSplitMix64) -> QuarterWorld {
        var world = QuarterWorld()
        for q in quarters {
            world.referrals += q.referrals; world.assessments += q.assessments; world.closures += q.closures
            world.signposts += q.signposts.map { ($0.need, Bool.random(using: &rng) ? $0.outcome : pick(ReportTables.signpostsByOutcome, &rng, among: 4)) }
            world.notConsented += q.notConsented; world.listening += q.listening; world.escalations += q.escalations
        }
        world.openAtEnd = quarters.last!.openAtEnd
        return world
    }

    var counts: ReportCounts {
        var counts = ReportCounts()
        counts.referralsReceived = referrals.count
        counts.notConsented = notConsented; counts.listeningSessions = listening
        counts.safeguardingEscalations = escalations; counts.openCasesAtEnd = openAtEnd
        func table(_ name: String, _ values: [String], total: Int? = nil) -> CountTable {
            var tally: [String: Int] = [:]
            for v in values { tally[v, default: 0] += 1 }
            return CountTable(name: name, categories: ReportTables.categories(name), counts: tally, total: total ?? values.count,
                              additive: !ReportTables.nonAdditive.contains(name))
        }
        let r = referrals.count
        counts.tables = [
            table(ReportTables.referrerRole, referrals.map(\.role)), table(ReportTables.setting, referrals.map(\.setting)),
            table(ReportTables.harm, referrals.flatMap(\.harm), total: r), table(ReportTables.when, referrals.map(\.when)),
            table(ReportTables.toldBefore, referrals.flatMap(\.told), total: r),
            table(ReportTables.wishes, referrals.flatMap(\.wishes), total: r),
            table(ReportTables.levelOfNeed, assessments.map(\.level)),
            table(ReportTables.needs, assessments.flatMap(\.needs), total: assessments.count),
            table(ReportTables.signpostsByNeed, signposts.map(\.need)), table(ReportTables.signpostsByOutcome, signposts.map(\.outcome)),
            table(ReportTables.closures, closures),
        ]
        return counts
    }

    /// The true value behind a published figure.
    func truth(table: String, category: String) -> Int? {
        let counts = self.counts
        if table == ReportBuilder.figuresTable {
            return ["referrals_received": counts.referralsReceived, "not_consented_to_statistics": notConsented,
                    "listening_sessions": listening, "safeguarding_escalations": escalations, "open_cases_at_end": openAtEnd][category]
        }
        guard let t = counts.table(table) else { return nil }
        return category == "total" ? t.total : t.count(category)
    }
}

@Suite struct ReleaseSequenceTests {
    /// A year of releases for one area: Q1, Q2, year to date, sometimes a correction, Q3, year to date, Q4, year
    /// to date, each built from records and protected against what is already released. Every one must go out;
    /// after each, the GLPK audit finds no suppressed count narrower than the policy, and every true value lies
    /// inside its range (the reader's model is true of the data).
    @Test func everyReleaseOfRandomYearsGoesOutAndNoRangeIsTooNarrow() throws {
        var rng = DisclosureSplitMix64(seed: disclosureBaseSeed &+ 15)
        let harness = try ReportHarness()
        var released = 0, extraSuppressions = 0
        let years = propertyScale   // a year of releases is about 20 s of GLPK and protection in a debug build
        for trial in 0..<years {
            var policy = DisclosurePolicy()
            policy.minimumRange = [2, 2, 3].randomElement(using: &rng)!
            if trial % 4 == 3 { policy.threshold = 7; policy.roundingBase = 5 }   // the opensafely preset
            let builder = ReportBuilder(reports: harness.stores.reports, settings: harness.settings, policy: policy)
            var quarters: [QuarterWorld] = [], ledger: [ReportContent] = [], truths: [QuarterWorld] = []
            func release(_ world: QuarterWorld, _ quarter: Int, _ kind: ReleaseKind, keeping earlier: [PublishedTables] = []) throws {
                let q = Quarter(year: 2026, number: quarter)!
                let first = builder.assemble(counts: world.counts, themes: [], councilArea: "shropshire", quarter: q, kind: kind,
                                             earlier: earlier, carriedFigures: ReportBuilder.suppressedFigures(earlier), now: Date())
                let content: ReportContent
                do {
                    content = try ReleaseProtection.protect(candidate: first.content, earlier: ledger, minimumRange: policy.minimumRange)
                } catch {
                    Issue.record("trial \(trial): \(kind) \(q) refused: \(error.problems)"); return
                }
                extraSuppressions += zip(first.content.tables, content.tables).map { a, b in
                    zip(a.cells, b.cells).filter { $0.value != $1.value }.count + (a.total == b.total ? 0 : 1)
                }.reduce(0, +)
                ledger.append(content); truths.append(world); released += 1
                let audit = DisclosureAudit(releases: ledger)
                let ranges = try audit.ranges()
                #expect(audit.disclosing(ranges, minimumRange: policy.minimumRange).isEmpty, "trial \(trial)")
                for range in ranges {
                    if let truth = truths[range.figure.release].truth(table: range.figure.table, category: range.figure.category) {
                        #expect(truth >= range.minimum && truth <= (range.maximum ?? .max), "trial \(trial): \(range) holds \(truth)")
                    }
                }
            }
            for quarter in 1...4 {
                let world = QuarterWorld.random(&rng)
                quarters.append(world)
                try release(world, quarter, .quarter)
                if quarter >= 2, Bool.random(using: &rng) {
                    // A correction of an earlier quarter: a referral recorded late, keeping what it suppressed.
                    let corrected = Int.random(in: 0..<quarter, using: &rng)
                    quarters[corrected].addReferral(&rng)
                    let earlier = ledger.filter { $0.quarter == "2026-Q\(corrected + 1)" && $0.kind != "year_to_date" }
                        .map { PublishedTables(quarter: $0.quarter, tables: Self.cells($0)) }
                    try release(quarters[corrected], corrected + 1, .correction, keeping: earlier)
                }
                if quarter >= 2 { try release(QuarterWorld.yearToDate(quarters, &rng), quarter, .yearToDate) }
            }
        }
        #expect(released >= years * 7)
        #expect(extraSuppressions > 0, "the linked audit never had to add a suppression: the cases are too easy")
    }

    /// A release's published cells as `PublishedTables` (what a correction keeps suppressed).
    static func cells(_ content: ReportContent) -> [ProtectedTable] {
        func cell(_ v: PublishedValue) -> Cell { if case .count(let n) = v { .count(n) } else { .suppressed } }
        return content.tables.map { t in
            ProtectedTable(name: t.name, cells: Dictionary(uniqueKeysWithValues: t.cells.map { ($0.category, cell($0.value)) }), total: cell(t.total))
        } + [ProtectedTable(name: ReportBuilder.figuresTable,
                            cells: Dictionary(uniqueKeysWithValues: content.figures.filter { ReportBuilder.countFigures.contains($0.name) }
                                .map { ($0.name, cell($0.value)) }), total: .suppressed)]
    }
}
