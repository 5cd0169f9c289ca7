import Foundation

// The report document: the JSON that is signed, stored in the ledger and served to the council byte for byte, in
// the canonical form of `CanonicalJSON`.

public struct ReportDocumentError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A cell as published: a number (possibly rounded), the suppression marker, or nothing (a figure withheld).
public enum PublishedValue: Sendable, Equatable {
    case count(Int)
    case number(Double)
    case suppressed
    case withheld

    var json: (String) -> CanonicalJSON {
        { marker in
            switch self {
            case .count(let n): .int(n)
            case .number(let x): .number(x)
            case .suppressed: .string(marker)
            case .withheld: .null
            }
        }
    }

    /// The value kept in the release ledger: nil for a suppressed or withheld cell.
    public var ledgerValue: Double? {
        switch self {
        case .count(let n): Double(n)
        case .number(let x): (x * 10).rounded() / 10
        case .suppressed, .withheld: nil
        }
    }
}

/// The report's content in a form the formats can walk in a fixed order.
public struct ReportContent: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public let name: String
        /// Every category of the table's fixed list, in list order, then nothing else ("total" is separate).
        public let cells: [(category: String, value: PublishedValue)]
        public let total: PublishedValue

        public init(name: String, cells: [(category: String, value: PublishedValue)], total: PublishedValue) {
            self.name = name
            self.cells = cells
            self.total = total
        }

        public static func == (a: Table, b: Table) -> Bool {
            a.name == b.name && a.total == b.total && a.cells.map(\.category) == b.cells.map(\.category)
                && a.cells.map(\.value) == b.cells.map(\.value)
        }
    }

    public let quarter: String
    public let councilArea: String
    public let kind: String
    public let generatedAt: String
    public let threshold: Int
    public let marker: String
    public let roundingBase: Int?
    public let minimumBaseForPercent: Int
    /// In `ReportContent.figureOrder`.
    public let figures: [(name: String, value: PublishedValue)]
    /// In `ReportTables.order`.
    public let tables: [Table]
    public let themes: [String]
    /// Families' own words, released with the quarter's report ("In families' own words"), in no meaningful order.
    public var voices: [String] = []

    public static func == (a: ReportContent, b: ReportContent) -> Bool {
        a.quarter == b.quarter && a.councilArea == b.councilArea && a.kind == b.kind && a.generatedAt == b.generatedAt
            && a.threshold == b.threshold && a.marker == b.marker && a.roundingBase == b.roundingBase
            && a.minimumBaseForPercent == b.minimumBaseForPercent && a.figures.map(\.name) == b.figures.map(\.name)
            && a.figures.map(\.value) == b.figures.map(\.value) && a.tables == b.tables && a.themes == b.themes && a.voices == b.voices
    }

    public static let figureOrder = [
        "referrals_received", "duplicate_referrals", "not_consented_to_statistics", "listening_sessions", "safeguarding_escalations",
        "cases_reopened", "open_cases_at_end", "median_days_to_acknowledge", "acknowledged_within_target_percent",
        "voices_offered", "voices_released",
    ]

    public static func figureTitle(_ name: String) -> String { WordCatalogue.standard.figure(name) }

    /// The canonical JSON document.
    public var json: CanonicalJSON {
        var figureMembers: [String: CanonicalJSON] = [:]
        for figure in figures { figureMembers[figure.name] = figure.value.json(marker) }
        var tableMembers: [String: CanonicalJSON] = [:]
        for table in tables {
            var cells: [String: CanonicalJSON] = [:]
            for cell in table.cells { cells[cell.category] = cell.value.json(marker) }
            cells["total"] = table.total.json(marker)
            tableMembers[table.name] = .object(cells)
        }
        return .object([
            "quarter": .string(quarter),
            "council_area": .string(councilArea),
            "kind": .string(kind),
            "generated_at": .string(generatedAt),
            "policy": .object([
                "threshold": .int(threshold),
                "suppression_marker": .string(marker),
                "rounding_base": roundingBase.map { .int($0) } ?? .null,
                "minimum_base_for_percent": .int(minimumBaseForPercent),
            ]),
            "figures": .object(figureMembers),
            "tables": .object(tableMembers),
            "themes": .array(themes.map { .string($0) }),
            "voices": .array(voices.map { .string($0) }),
        ])
    }

    public var bytes: [UInt8] { json.bytes }

    /// Reads a stored document back (for the CSV and HTML views of a released report). Categories are put in
    /// their fixed-list order; a category the code does not know (from an older or newer list) follows, sorted.
    public init(document: [UInt8]) throws {
        let root = try CanonicalJSON.parse(document)
        guard case .object = root, let quarter = root["quarter"]?.string, let area = root["council_area"]?.string,
              let generatedAt = root["generated_at"]?.string, let policy = root["policy"],
              let threshold = policy["threshold"]?.intValue, let marker = policy["suppression_marker"]?.string,
              let minimumBase = policy["minimum_base_for_percent"]?.intValue,
              case .object(let figureMembers)? = root["figures"], case .object(let tableMembers)? = root["tables"] else {
            throw ReportDocumentError("not a report document")
        }
        func value(_ json: CanonicalJSON) -> PublishedValue {
            switch json {
            case .int(let n): .count(n)
            case .number(let x): .number(x)
            case .string: .suppressed
            default: .withheld
            }
        }
        let knownFigures = Self.figureOrder.compactMap { name in figureMembers[name].map { (name, value($0)) } }
        let otherFigures = figureMembers.filter { !Self.figureOrder.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, value($0.value)) }
        let tableNames = ReportTables.order.filter { tableMembers[$0] != nil }
            + tableMembers.keys.filter { !ReportTables.order.contains($0) }.sorted()
        var tables: [Table] = []
        for name in tableNames {
            guard case .object(let cells)? = tableMembers[name] else { throw ReportDocumentError("table \(name) is not an object") }
            let fixed = ReportTables.categories(name).compactMap { category in cells[category].map { (category, value($0)) } }
            let others = cells.filter { $0.key != "total" && !ReportTables.categories(name).contains($0.key) }
                .sorted { $0.key < $1.key }.map { ($0.key, value($0.value)) }
            tables.append(Table(name: name, cells: fixed + others,
                                total: cells["total"].map(value) ?? .withheld))
        }
        var themes: [String] = []
        if case .array(let items)? = root["themes"] { themes = items.compactMap(\.string) }
        var voices: [String] = []
        if case .array(let items)? = root["voices"] { voices = items.compactMap(\.string) }
        self.init(quarter: quarter, councilArea: area, kind: root["kind"]?.string ?? "quarter", generatedAt: generatedAt,
                  threshold: threshold, marker: marker, roundingBase: policy["rounding_base"]?.intValue,
                  minimumBaseForPercent: minimumBase,
                  figures: knownFigures + otherFigures, tables: tables,
                  themes: themes)
        self.voices = voices
    }

    public init(quarter: String, councilArea: String, kind: String, generatedAt: String, threshold: Int, marker: String,
                roundingBase: Int?, minimumBaseForPercent: Int, figures: [(name: String, value: PublishedValue)],
                tables: [Table], themes: [String]) {
        self.quarter = quarter
        self.councilArea = councilArea
        self.kind = kind
        self.generatedAt = generatedAt
        self.threshold = threshold
        self.marker = marker
        self.roundingBase = roundingBase
        self.minimumBaseForPercent = minimumBaseForPercent
        self.figures = figures
        self.tables = tables
        self.themes = themes
    }

    /// `generated_at`: ISO 8601 UTC to the second.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
