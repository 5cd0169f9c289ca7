import Foundation
import ReconcileCore

/// One figure of an area's released reports over time, for the council's trends page and summary.
/// Built **only from released documents**: each quarter's current release (its latest correction, else its
/// first release; years to date are left out), so a trend shows nothing a release did not — a suppressed count
/// stays suppressed, a quarter not yet released stays empty, and no value is ever worked out from others.
public struct Trend: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public let quarter: String
        /// Nil: no release of this quarter published the figure (not released yet, or before the figure existed).
        public let value: PublishedValue?
        /// The same quarter a year before, as released.
        public let yearBefore: PublishedValue?

        /// The change on the year, only when both are shown (a suppressed count is never differenced).
        public var change: Double? {
            guard let now = value?.shownNumber, let before = yearBefore?.shownNumber else { return nil }
            return now - before
        }
    }

    public let figure: String
    public let title: String
    public let marker: String
    /// Oldest first: `Trends.window` consecutive quarters ending at the latest released one.
    public let points: [Point]
}

public enum TrendError: Error, Equatable {
    /// Not a headline figure nor `table.category` of a report table.
    case unknownFigure
}

public enum Trends {
    /// How many quarters a trend shows (the scrutiny committee's "comparison with earlier years": two years).
    public static let window = 8

    /// Every figure a trend can follow: the headline figures, then each table's total and categories.
    public static let figures: [String] =
        ReportContent.figureOrder + ReportTables.order.flatMap { (table: String) -> [String] in
            [table + ".total"] + ReportTables.categories(table).map { (category: String) in table + "." + category }
        }

    public static func title(_ figure: String) -> String {
        let parts = figure.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return ReportContent.figureTitle(figure) }
        return ReportTables.title(parts[0]) + ": " + ReportTables.label(table: parts[0], category: parts[1])
    }

    /// The trend of `figure` over `released` (one area's releases, any order, as signed).
    /// - Parameter documents: each release's kind and signed bytes.
    public static func trend(_ figure: String, documents: [(kind: String, document: [UInt8])]) throws -> Trend {
        guard figures.contains(figure) else { throw TrendError.unknownFigure }
        // The current version of each quarter: releases come oldest first, so a later correction replaces.
        var current: [Quarter: ReportContent] = [:]
        var marker = "c"
        for (kind, document) in documents where kind == ReleaseKind.quarter.rawValue || kind == ReleaseKind.correction.rawValue {
            let content = try ReportContent(document: document)
            guard let quarter = Quarter(content.quarter) else { continue }
            if kind == ReleaseKind.correction.rawValue || current[quarter] == nil { current[quarter] = content }
            marker = content.marker
        }
        guard let latest = current.keys.max() else { return Trend(figure: figure, title: title(figure), marker: marker, points: []) }
        var quarters = [latest]
        while quarters.count < window { quarters.insert(quarters[0].previous, at: 0) }
        let points = quarters.map { q in
            Trend.Point(quarter: q.description, value: current[q].flatMap { value(figure, in: $0) },
                        yearBefore: current[q.yearBefore].flatMap { value(figure, in: $0) })
        }
        return Trend(figure: figure, title: title(figure), marker: marker, points: points)
    }

    /// Several trends over the same releases, parsed off Swift's cooperative threads (a long ledger is real work).
    public static func trends(_ names: [String], documents: [(kind: String, document: [UInt8])]) async throws -> [Trend] {
        try await ReportBuilder.offload { try names.map { try trend($0, documents: documents) } }
    }

    /// The published value of `figure` in one report, as it was published (nil when the report has no such figure).
    static func value(_ figure: String, in content: ReportContent) -> PublishedValue? {
        let parts = figure.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 1 { return content.figures.first { $0.name == figure }?.value }
        guard let table = content.tables.first(where: { $0.name == parts[0] }) else { return nil }
        return parts[1] == "total" ? table.total : table.cells.first { $0.category == parts[1] }?.value
    }
}

extension PublishedValue {
    /// A count or number as shown; nil for a suppressed or withheld one.
    var shownNumber: Double? {
        switch self {
        case .count(let n): Double(n)
        case .number(let x): x
        case .suppressed, .withheld: nil
        }
    }

    /// As a table cell or CSV field shows it: the number, the suppression marker, or empty.
    public func shown(marker: String) -> String {
        switch self {
        case .count(let n): String(n)
        case .number(let x): x.rounded() == x ? String(Int(x)) : String(x)
        case .suppressed: marker
        case .withheld: ""
        }
    }
}

extension Trend {
    /// `quarter,value,same_quarter_year_before,change` (CRLF, as the report's CSV): the marker for a suppressed
    /// count, empty for one not published.
    public func csv() -> String {
        var out = "quarter,value,same_quarter_year_before,change\r\n"
        for p in points {
            let change = p.change.map { $0.rounded() == $0 ? String(Int($0)) : String($0) } ?? ""
            out += "\(p.quarter),\(p.value?.shown(marker: marker) ?? ""),\(p.yearBefore?.shown(marker: marker) ?? ""),\(change)\r\n"
        }
        return out
    }

    /// A bar per quarter, from shown values only; a suppressed quarter shows its marker and a quarter not
    /// published says so, each without a bar. No script and no style attribute (the CSP allows neither).
    public func svg() -> String {
        let (width, height, left, bottom, top) = (640, 260, 40, 40, 20)
        let shown = points.compactMap { $0.value?.shownNumber }
        let maximum = max(shown.max() ?? 1, 1)
        let slot = Double(width - left) / Double(max(points.count, 1))
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let summary = points.map { "\($0.quarter): \($0.value.map { $0.shown(marker: marker) } ?? "not published")" }.joined(separator: "; ")
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(width) \(height)\" "
            + "aria-label=\"\(esc(title)). \(esc(summary))\">\n"
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width)\" y2=\"\(height - bottom)\" stroke=\"#0b0c0c\"></line>\n"
        for (i, p) in points.enumerated() {
            let x = Double(left) + Double(i) * slot
            let centre = Int(x + slot / 2)
            svg += "<text x=\"\(centre)\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#0b0c0c\">\(esc(p.quarter))</text>\n"
            if let value = p.value, let n = value.shownNumber {
                let barHeight = Int((Double(height - bottom - top) * n / maximum).rounded())
                svg += "<rect x=\"\(Int(x + slot * 0.2))\" y=\"\(height - bottom - barHeight)\" width=\"\(Int(slot * 0.6))\" height=\"\(barHeight)\" fill=\"#1d70b8\"></rect>\n"
                svg += "<text x=\"\(centre)\" y=\"\(height - bottom - barHeight - 4)\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#0b0c0c\">\(esc(value.shown(marker: marker)))</text>\n"
            } else {
                let label = p.value == .suppressed ? marker : "–"  // "not published" is in the aria-label and the table
                svg += "<text x=\"\(centre)\" y=\"\(height - bottom - 6)\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#505a5f\">\(esc(label))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }
}
