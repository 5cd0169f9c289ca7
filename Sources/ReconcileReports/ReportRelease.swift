import Foundation
import GRDB
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
    /// The protected tables as published, for differencing checks.
    public let published: PublishedTables
    /// The approved themes included, in report order ("theme 1" first).
    public let themes: [String]
    /// The counts before disclosure control. Never published, so not public: tests read them.
    let counts: ReportCounts
    let content: ReportContent

    public func csv() -> String { content.csv() }
    public func html() -> String { content.html() }

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
    let database: AppDatabase
    let settings: Settings
    let policy: DisclosurePolicy

    /// The ledger's table name for the headline figures.
    public static let figuresTable = "figures"
    /// Headline figures that are counts (protected like table cells); the other two are a median and a percentage.
    static let countFigures = ["referrals_received", "not_consented_to_statistics", "listening_sessions",
                               "safeguarding_escalations", "open_cases_at_end"]

    public init(database: AppDatabase, settings: Settings, policy: DisclosurePolicy) {
        self.database = database
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

    /// Builds the report without storing anything. `now` becomes `generated_at`.
    public func build(councilArea: String, quarter: Quarter, kind: ReleaseKind = .quarter, now: Date = Date()) async throws -> QuarterReport {
        guard settings.areas.councilAreas.contains(councilArea) else { throw ReportError.unknownCouncilArea }
        let startMonth = settings.reporting.quarterStartMonth
        let covered = Self.quarters(quarter, kind: kind)
        let start = covered[0].start(startMonth: startMonth), end = quarter.end(startMonth: startMonth)
        let workingDays = settings.workflow.acknowledgementWorkingDays
        let counts = try await database.reader.read { db in
            try ReportAggregation.counts(db, councilArea: councilArea, start: start, end: end, acknowledgementWorkingDays: workingDays)
        }
        let themes = try await database.themes(quarters: covered, councilArea: councilArea).map(\.text)
        // A correction keeps suppressed whatever the quarter's earlier releases suppressed. A year to date's
        // "open at end" is the last quarter's own figure (a stock, not a sum), so it stays suppressed if that
        // quarter's latest release suppressed it.
        var earlier: [PublishedTables] = [], carriedFigures: Set<String> = []
        if kind != .quarter {
            let releases = try await database.ledgerReleases(councilArea: councilArea)
                .filter { $0.summary.quarter == quarter.description && $0.summary.kind != Self.kindName(.yearToDate) }
            if kind == .correction {
                earlier = releases.map(Self.publishedTables)
                carriedFigures = Self.suppressedFigures(earlier)
            } else if let latest = releases.last,
                      Self.suppressedFigures([Self.publishedTables(latest)]).contains(Self.openAtEnd) {
                carriedFigures = [Self.openAtEnd]
            }
        }
        return assemble(counts: counts, themes: themes, councilArea: councilArea, quarter: quarter, kind: kind,
                        earlier: earlier, carriedFigures: carriedFigures, now: now)
    }

    static let openAtEnd = "open_cases_at_end"

    static func suppressedFigures(_ releases: [PublishedTables]) -> Set<String> {
        Set(releases.flatMap(\.tables).filter { $0.name == figuresTable }.flatMap { $0.cells.filter { $0.value.isSuppressed }.map(\.key) })
    }

    /// What a release is published under for `DifferencingCheck`: the quarter, or for a year to date the
    /// range it sums (`2026-Q1..2026-Q3`).
    static func label(_ quarter: Quarter, kind: ReleaseKind) -> String {
        kind == .yearToDate
            ? DifferencingCheck.yearToDateLabel(quarters: quarter.yearToDate.map(\.description)) ?? quarter.description
            : quarter.description
    }

    /// The headline counts a release offers the differencing check. A year to date leaves out "open at end":
    /// it is not the sum of the quarters' figures, and is kept suppressed with the last quarter's instead.
    static func checkedFigures(_ kind: ReleaseKind) -> [String] {
        kind == .yearToDate ? countFigures.filter { $0 != openAtEnd } : countFigures
    }

    func assemble(counts: ReportCounts, themes: [String], councilArea: String, quarter: Quarter, kind: ReleaseKind,
                  earlier: [PublishedTables], carriedFigures: Set<String>, now: Date) -> QuarterReport {
        let raw = counts.tables.map { table in
            RawTable(name: table.name, counts: Dictionary(uniqueKeysWithValues: table.categories.map { ($0, table.count($0)) }),
                     total: table.total, additive: table.additive)
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

        // Headline counts, each protected on its own; see `build` for the figures carried suppressed.
        let raws: [String: Int] = [
            "referrals_received": counts.referralsReceived, "not_consented_to_statistics": counts.notConsented,
            "listening_sessions": counts.listeningSessions, "safeguarding_escalations": counts.safeguardingEscalations,
            "open_cases_at_end": counts.openCasesAtEnd,
        ]
        var figures: [(name: String, value: PublishedValue)] = Self.countFigures.map { name in
            let cell = carriedFigures.contains(name) ? .suppressed : DisclosureControl.protect(figure: raws[name]!, policy: policy)
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

        let content = ReportContent(
            quarter: quarter.description, councilArea: councilArea, kind: Self.kindName(kind),
            generatedAt: ReportContent.timestamp(now), threshold: policy.threshold, marker: policy.marker,
            roundingBase: policy.roundingBase, minimumBaseForPercent: policy.minimumBaseForPercent,
            figures: figures, tables: tables, themes: themes)
        let checked = Self.checkedFigures(kind)
        let figureCells = Dictionary(uniqueKeysWithValues: figures.filter { checked.contains($0.name) }.compactMap { figure -> (String, Cell)? in
            switch figure.value {
            case .count(let n): (figure.name, .count(n))
            case .suppressed: (figure.name, .suppressed)
            default: nil
            }
        })
        let published = PublishedTables(
            quarter: Self.label(quarter, kind: kind),
            tables: protected + [ProtectedTable(name: Self.figuresTable, cells: figureCells, total: .suppressed)])
        return QuarterReport(quarter: quarter, councilArea: councilArea, kind: kind, document: content.bytes,
                             published: published, themes: themes, counts: counts, content: content)
    }

    /// What an earlier release published, rebuilt from its ledger cells (count cells only), under the label
    /// `DifferencingCheck` expects.
    static func publishedTables(_ release: LedgerRelease) -> PublishedTables {
        let kind = ReleaseKind(rawValue: release.summary.kind) ?? .quarter
        let checked = checkedFigures(kind)
        var tables: [String: (cells: [String: Cell], total: Cell)] = [:]
        for cell in release.cells {
            if cell.table == figuresTable && !checked.contains(cell.category) { continue }
            let value: Cell = cell.value.map { .count(Int($0)) } ?? .suppressed
            var table = tables[cell.table] ?? ([:], .suppressed)
            if cell.category == "total" && cell.table != figuresTable { table.total = value } else { table.cells[cell.category] = value }
            tables[cell.table] = table
        }
        let label = Quarter(release.summary.quarter).map { Self.label($0, kind: kind) } ?? release.summary.quarter
        return PublishedTables(quarter: label, tables: tables.keys.sorted().map {
            ProtectedTable(name: $0, cells: tables[$0]!.cells, total: tables[$0]!.total)
        })
    }

    // MARK: - Release

    /// Builds the report, screens its themes against the personal values held in the area's cases, checks it
    /// against the area's earlier releases (a quarter is released once, then only corrected; nothing suppressed
    /// may be recoverable by differencing), signs the exact bytes with the key ring's signing key, and stores
    /// the release, every cell and an audit row "report.release" in one transaction.
    public func release(councilArea: String, quarter: Quarter, kind: ReleaseKind = .quarter, by actor: String, keys: KeyRing,
                        now: Date = Date()) async throws -> ReleasedReport {
        guard settings.areas.councilAreas.contains(councilArea) else { throw ReportError.unknownCouncilArea }
        guard now >= quarter.end(startMonth: settings.reporting.quarterStartMonth) else { throw ReportError.quarterNotOver }
        let report = try await build(councilArea: councilArea, quarter: quarter, kind: kind, now: now)

        let holding = try await database.themesHoldingPersonalValues(report.themes, councilArea: councilArea,
                                                                     schoolNames: policy.localSchoolNames, keys: keys)
        let themeProblems = holding.map {
            "theme \($0 + 1) contains a name, email address, phone number, street, postcode or local school name held in this council area's cases or the school list; reword it before releasing"
        }

        let signature = keys.signing.sign(report.document)
        let kindName = Self.kindName(kind)
        let covered = Self.quarters(quarter, kind: kind)
        let candidate = report.published
        let area = councilArea
        let id = try await database.recordRelease(
            NewRelease(quarter: quarter.description, councilArea: councilArea, kind: kindName, releasedBy: actor,
                       releasedAt: now, document: report.document, signature: signature, cells: report.ledgerCells),
            keys: keys
        ) { earlier in
            // Every problem at once, so the lead can fix them all before trying again.
            var problems = themeProblems
            do {
                try Self.checkAgainstLedger(candidate: candidate, kind: kind, quarter: quarter, covered: covered, area: area,
                                            earlier: earlier)
            } catch ReportError.refused(let more) {
                problems += more
            }
            if !problems.isEmpty { throw ReportError.refused(problems) }
        }
        return ReleasedReport(id: id, quarter: quarter.description, councilArea: councilArea, kind: kindName, releasedAt: now,
                              document: report.document, signature: Data(signature).base64EncodedString())
    }

    /// Runs inside the release's write transaction, with every earlier release of the area.
    static func checkAgainstLedger(candidate: PublishedTables, kind: ReleaseKind, quarter: Quarter, covered: [Quarter],
                                   area: String, earlier: [LedgerRelease]) throws {
        let sameQuarter = earlier.filter { $0.summary.quarter == quarter.description }
        let quarterReleased = sameQuarter.contains { $0.summary.kind != kindName(.yearToDate) }
        switch kind {
        case .quarter where quarterReleased:
            throw ReportError.refused(["\(quarter) has already been released for \(area); release a correction to change it"])
        case .correction where !quarterReleased:
            throw ReportError.refused(["\(quarter) has not been released for \(area), so there is nothing to correct"])
        case .yearToDate where sameQuarter.contains { $0.summary.kind == kindName(.yearToDate) }:
            throw ReportError.refused(["the year to date up to \(quarter) has already been released for \(area)"])
        default:
            break
        }
        let problems = DifferencingCheck.problems(candidate: candidate, candidateKind: kind, quarters: covered.map(\.description),
                                                  published: earlier.map(publishedTables))
        if !problems.isEmpty { throw ReportError.refused(problems) }
    }

    // MARK: - Formats of a stored document

    /// The HTML page for a stored (released) document.
    public static func html(for document: [UInt8]) throws -> String {
        try ReportContent(document: document).html()
    }

    /// The CSV for a stored (released) document.
    public static func csv(for document: [UInt8]) throws -> String {
        try ReportContent(document: document).csv()
    }
}
