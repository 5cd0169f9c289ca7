import Foundation
import ReconcileCore
import ReconcileStore
import Sodium

/// Why a report was not built or released. Messages name a table, category, theme number or rule, never a
/// hidden count or a personal value, so they are safe to print, log and return to the lead.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The release would disclose something: a differencing problem, a theme holding a personal value, or a
    /// quarter already released.
    case refused([String])
    case unknownCouncilArea
    /// A quarter can be released only after it ends.
    case quarterNotOver

    public var description: String {
        switch self {
        case .refused(let problems): "release refused: " + problems.joined(separator: "; ")
        case .unknownCouncilArea: "the council area is not one of the configured council areas"
        case .quarterNotOver: "the quarter has not ended yet; a quarter can be released only after it ends"
        }
    }
}

/// A built report: the exact JSON bytes that would be signed, and what it publishes.
public struct QuarterReport: Sendable {
    public let quarter: Quarter
    public let councilArea: String
    public let kind: ReleaseKind
    /// Canonical JSON, UTF-8: exactly what is signed and stored.
    public let document: [UInt8]
    /// The approved themes included, in report order ("theme 1" first).
    public let themes: [String]
    /// The counts before disclosure control. Never published, so not public: tests read them.
    let counts: ReportCounts
    let content: ReportContent
    /// The statements the document carries (marked released in the release's transaction).
    var voiceIDs: [String] = []

    public func csv(words: ReportWords = ReportWords()) -> String { content.csv(words: words) }
    public func html(words: ReportWords = ReportWords()) -> String { content.html(words: words) }

    /// Every published cell and figure, as the release ledger stores them (nil = suppressed or withheld).
    public var ledgerCells: [LedgerCell] {
        var cells = content.figures.map { LedgerCell(table: ReportBuilder.figuresTable, category: $0.name, value: $0.value.ledgerValue) }
        for table in content.tables {
            cells += table.cells.map { LedgerCell(table: table.name, category: $0.category, value: $0.value.ledgerValue) }
            cells.append(LedgerCell(table: table.name, category: "total", value: table.total.ledgerValue))
        }
        return cells
    }
}

/// Builds, screens, checks, signs and records quarterly reports for one council area at a time.
public struct ReportBuilder: Sendable {
    let reports: ReportStore
    let settings: Settings
    let policy: DisclosurePolicy

    /// The ledger's table name for the headline figures.
    public static let figuresTable = "figures"
    /// Headline figures that are counts (protected like table cells); the other two are a median and a percentage.
    static let countFigures = ["referrals_received", "duplicate_referrals", "not_consented_to_statistics", "listening_sessions",
                               "safeguarding_escalations", "cases_reopened", "open_cases_at_end", "voices_offered"]

    public init(reports: ReportStore, settings: Settings, policy: DisclosurePolicy) {
        self.reports = reports
        self.settings = settings
        self.policy = policy
    }

    static func kindName(_ kind: ReleaseKind) -> String {
        switch kind {
        case .quarter: "quarter"
        case .correction: "correction"
        case .yearToDate: "year_to_date"
        }
    }

    /// The quarters a report of `kind` for `quarter` covers: the quarter itself, or for a year-to-date report
    /// every quarter of that financial year up to it.
    static func quarters(_ quarter: Quarter, kind: ReleaseKind) -> [Quarter] {
        kind == .yearToDate ? quarter.yearToDate : [quarter]
    }

    // MARK: - Build

    /// Builds the report without storing anything, protected against everything already released for the
    /// area's financial year (`ReleaseProtection`). `now` becomes `generated_at`.
    /// With `withVoices` (a release and its preview), a quarter's report carries the area's approved statements in
    /// families' own words when there are at least `voices.minimum_per_release` of them (else none: they wait for
    /// the next release).
    public func build(councilArea: String, quarter: Quarter, kind: ReleaseKind = .quarter, withVoices: Bool = false,
                      now: Date = Date()) async throws -> QuarterReport {
        try await stages(councilArea: councilArea, quarter: quarter, kind: kind, withVoices: withVoices, now: now).final
    }

    /// The statements a quarter's release carries: every approved one of the area, or none when fewer than the
    /// minimum. Ordered by their random ids, so the order says nothing of when or by whom they were written, and a
    /// preview shows the same order as the release.
    func voices(councilArea: String, kind: ReleaseKind, withVoices: Bool) async throws -> [(id: String, text: String)] {
        guard kind == .quarter, withVoices else { return [] }
        let approved = try await reports.approvedVoices(councilArea: councilArea)
        return approved.count >= settings.voices.minimumPerRelease ? approved.sorted { $0.id < $1.id } : []
    }

    /// The report before the linked audit (each table and figure protected on its own, and a correction's carried
    /// cells) and after it (what is signed): the preview tells a lead which step hid each count.
    func stages(councilArea: String, quarter: Quarter, kind: ReleaseKind, withVoices: Bool, now: Date) async throws -> (first: QuarterReport, final: QuarterReport,
                                                                                                       carried: Set<String>) {
        guard settings.areas.councilAreas.contains(councilArea) else { throw ReportError.unknownCouncilArea }
        let startMonth = settings.reporting.quarterStartMonth
        let covered = Self.quarters(quarter, kind: kind)
        let start = covered[0].start(startMonth: startMonth), end = quarter.end(startMonth: startMonth)
        let workingDays = settings.workflow.acknowledgementWorkingDays
        let counts = try await ReportAggregation.counts(reports, councilArea: councilArea, start: start, end: end,
                                                        acknowledgementWorkingDays: workingDays)
        let themes = try await reports.themes(quarters: covered, councilArea: councilArea).map(\.text)
        let ledger = try await reports.ledgerReleases(councilArea: councilArea)
        // A correction keeps suppressed whatever the quarter's earlier releases suppressed (see
        // `DisclosureControl.protect(_:policy:keepingSuppressed:)`).
        var earlier: [PublishedTables] = [], carriedFigures: Set<String> = []
        if kind == .correction {
            earlier = ledger.filter { $0.summary.quarter == quarter.description && $0.summary.kind != Self.kindName(.yearToDate) }
                .map(Self.publishedTables)
            carriedFigures = Self.suppressedFigures(earlier)
        }
        let voices = try await self.voices(councilArea: councilArea, kind: kind, withVoices: withVoices)
        let first = assemble(counts: counts, themes: themes, voices: voices.map(\.text), councilArea: councilArea, quarter: quarter, kind: kind,
                             earlier: earlier, carriedFigures: carriedFigures, now: now)
        let year = try Self.sameYear(ledger, as: quarter)
        let minimumRange = policy.minimumRange
        // Integer programming is CPU-bound: off the cooperative threads.
        let content = try await Self.offload {
            do {
                return try ReleaseProtection.protect(candidate: first.content, earlier: year, minimumRange: minimumRange)
            } catch let refusal as ReleaseProtection.Refusal {
                throw ReportError.refused(refusal.problems)
            }
        }
        let final = QuarterReport(quarter: quarter, councilArea: councilArea, kind: kind, document: content.bytes,
                                  themes: themes, counts: counts, content: content, voiceIDs: voices.map(\.id))
        let carried = Set(earlier.flatMap(\.tables).flatMap { t in t.cells.filter { $0.value.isSuppressed }.map { "\(t.name).\($0.key)" } })
        return (first, final, carried)
    }

    static let openAtEnd = "open_cases_at_end"

    static func suppressedFigures(_ releases: [PublishedTables]) -> Set<String> {
        Set(releases.flatMap(\.tables).filter { $0.name == figuresTable }.flatMap { $0.cells.filter { $0.value.isSuppressed }.map(\.key) })
    }

    /// The documents of the releases a reader links with one of `quarter`: those of its financial year, oldest
    /// first. (Nothing links years: "open at end" is a stock, not a sum.)
    static func sameYear(_ ledger: [LedgerRelease], as quarter: Quarter) throws -> [ReportContent] {
        try ledger.filter { Quarter($0.summary.quarter)?.year == quarter.year }.map { try ReportContent(document: $0.document) }
    }

    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    func assemble(counts: ReportCounts, themes: [String], voices: [String] = [], councilArea: String, quarter: Quarter, kind: ReleaseKind,
                  earlier: [PublishedTables], carriedFigures: Set<String>, now: Date) -> QuarterReport {
        let raw = counts.tables.map { table in
            RawTable(name: table.name, counts: Dictionary(uniqueKeysWithValues: table.categories.map { ($0, table.count($0)) }),
                     total: table.total, additive: table.additive,
                     everyoneAnswers: !ReportTables.optionalMultiSelect.contains(table.name),
                     aboutPeople: !ReportTables.notAboutPeople.contains(table.name))
        }
        let protected = earlier.isEmpty
            ? DisclosureControl.protect(raw, policy: policy)
            : DisclosureControl.protect(raw, policy: policy, keepingSuppressed: earlier)
        let byName = Dictionary(uniqueKeysWithValues: protected.map { ($0.name, $0) })

        func value(_ cell: Cell?) -> PublishedValue {
            switch cell {
            case .count(let n)?: .count(n)
            case .suppressed?: .suppressed
            case nil: .withheld
            }
        }
        let tables = counts.tables.map { table in
            ReportContent.Table(name: table.name,
                                cells: table.categories.map { ($0, value(byName[table.name]?.cells[$0])) },
                                total: value(byName[table.name]?.total))
        }

        // Headline counts, each protected on its own (a carried one stays suppressed unless it is now 0); the
        // linked audit then treats them with the tables they equal.
        let raws: [String: Int] = counts.headlineCounts
        var figures: [(name: String, value: PublishedValue)] = Self.countFigures.map { name in
            let raw = raws[name, default: 0]
            let cell = carriedFigures.contains(name) && raw != 0 ? .suppressed : DisclosureControl.protect(figure: raw, policy: policy)
            return (name, value(cell))
        }
        // The median and the share within target only on a base that is shown and large enough; the share also
        // only when neither it nor its complement gives a suppressed count back (DisclosureControl.percent).
        let base = counts.acknowledgementDays.count
        let baseShown = !DisclosureControl.protect(figure: base, policy: policy).isSuppressed && base >= policy.minimumBaseForPercent
        let median = baseShown ? counts.medianDaysToAcknowledge.map(PublishedValue.number) ?? .withheld : .withheld
        let percent = DisclosureControl.percent(counts.acknowledgedWithinTarget, of: base, policy: policy)
            .map { PublishedValue.number(($0 * 10).rounded() / 10) } ?? .withheld
        figures.append(("median_days_to_acknowledge", median))
        figures.append(("acknowledged_within_target_percent", percent))
        // The words themselves show how many went: a count of their own, never hidden (at least the minimum, or none).
        figures.append(("voices_released", .count(voices.count)))
        // In the document's order, so a report read back from its bytes lists its figures as built.
        let rank = { (name: String) in ReportContent.figureOrder.firstIndex(of: name) ?? ReportContent.figureOrder.count }
        figures.sort { rank($0.name) < rank($1.name) }

        var content = ReportContent(
            quarter: quarter.description, councilArea: councilArea, kind: Self.kindName(kind),
            generatedAt: ReportContent.timestamp(now), threshold: policy.threshold, marker: policy.marker,
            roundingBase: policy.roundingBase, minimumBaseForPercent: policy.minimumBaseForPercent,
            figures: figures, tables: tables, themes: themes)
        content.voices = voices
        return QuarterReport(quarter: quarter, councilArea: councilArea, kind: kind, document: content.bytes,
                             themes: themes, counts: counts, content: content)
    }

    /// What an earlier release published, rebuilt from its ledger cells (count cells only).
    static func publishedTables(_ release: LedgerRelease) -> PublishedTables {
        var tables: [String: (cells: [String: Cell], total: Cell)] = [:]
        for cell in release.cells {
            let value: Cell = cell.value.map { .count(Int($0)) } ?? .suppressed
            var table = tables[cell.table] ?? ([:], .suppressed)
            if cell.category == "total" && cell.table != figuresTable { table.total = value } else { table.cells[cell.category] = value }
            tables[cell.table] = table
        }
        return PublishedTables(quarter: release.summary.quarter, tables: tables.sorted { $0.key < $1.key }.map {
            ProtectedTable(name: $0.key, cells: $0.value.cells, total: $0.value.total)
        })
    }

    // MARK: - Audit

    /// Every suppressed count of the area's financial year up to and including `quarter`'s releases, with the
    /// range a reader can narrow it to (`reconcile report audit`). With `kind`, the report of that kind is built
    /// (not stored) and audited as if released next.
    public func audit(councilArea: String, quarter: Quarter, kind: ReleaseKind? = nil,
                      now: Date = Date()) async throws -> (releases: [ReportContent], ranges: [FigureRange], disclosing: [FigureRange]) {
        guard settings.areas.councilAreas.contains(councilArea) else { throw ReportError.unknownCouncilArea }
        var releases = try Self.sameYear(try await reports.ledgerReleases(councilArea: councilArea), as: quarter)
        if let kind {
            releases.append(try await build(councilArea: councilArea, quarter: quarter, kind: kind, now: now).content)
        }
        let audited = releases
        let minimumRange = policy.minimumRange
        let (ranges, disclosing) = try await Self.offload {
            do {
                let audit = DisclosureAudit(releases: audited)
                let ranges = try audit.ranges()
                return (ranges, audit.disclosing(ranges, minimumRange: minimumRange))
            } catch let error as DisclosureAuditError {
                throw ReportError.refused([error.description])
            }
        }
        return (releases, ranges, disclosing)
    }
}
