import Foundation

// The report document: the JSON that is signed, stored in the ledger and served to the council byte for byte.
//
// Canonical form, so the same data and `generated_at` always give the same bytes: UTF-8; object keys sorted by
// their UTF-8 bytes; no insignificant white space; integers in decimal; other numbers with at most one decimal
// place ("2.5"), never an exponent; strings escaped minimally (", \, control characters, U+2028/U+2029).

/// A JSON value with one canonical encoding.
public indirect enum CanonicalJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// Written with at most one decimal place; a whole value is written as an integer.
    case number(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let n): out += Array(String(n).utf8)
        case .number(let x): out += Array(Self.format(x).utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, member)) in members.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// One decimal place at most, rounded half away from zero; no exponent; "-0" never appears.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        let tenths = Int64((x * 10).rounded())
        if tenths == 0 { return "0" }
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += Array("\\\"".utf8)
            case "\\": out += Array("\\\\".utf8)
            case "\n": out += Array("\\n".utf8)
            case "\r": out += Array("\\r".utf8)
            case "\t": out += Array("\\t".utf8)
            case "\u{2028}", "\u{2029}": out += Array(String(format: "\\u%04x", scalar.value).utf8)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += Array(String(format: "\\u%04x", scalar.value).utf8)
                } else {
                    out += Array(String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses JSON text (any valid JSON, not only canonical) into a value.
    public static func parse(_ bytes: [UInt8]) throws -> CanonicalJSON {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        return try from(object)
    }

    private static func from(_ any: Any) throws -> CanonicalJSON {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            // Report documents hold no booleans, so a number is an integer unless it is written with a fraction.
            let text = n.stringValue
            if !text.contains("."), !text.lowercased().contains("e"), let i = Int(text) { return .int(i) }
            return .number(n.doubleValue)
        case let a as [Any]: return .array(try a.map(from))
        case let o as [String: Any]: return .object(try o.mapValues(from))
        default: throw ReportDocumentError("unexpected JSON value")
        }
    }

    public subscript(key: String) -> CanonicalJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int? { if case .int(let n) = self { n } else { nil } }
    public var doubleValue: Double? {
        switch self {
        case .int(let n): Double(n)
        case .number(let x): x
        default: nil
        }
    }
}

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
