import Foundation
import ReconcileCore

/// What the cover sheet says beyond the document itself: when it was released (nil for a lead's preview), when the
/// next release is due, who to ask, and the financial year's first month for naming the months covered.
public struct SpreadsheetCover: Sendable {
    public let releasedAt: String?
    public let nextRelease: String?
    public let contact: String
    public let startMonth: Int

    public init(releasedAt: String?, nextRelease: String?, contact: String, startMonth: Int) {
        (self.releasedAt, self.nextRelease, self.contact, self.startMonth) = (releasedAt, nextRelease, contact, startMonth)
    }
}

extension ReportContent {
    /// The report as an ODS spreadsheet laid out as the Government Analysis Function's "Releasing statistics in
    /// spreadsheets" asks: a cover sheet, a contents sheet linking every other sheet, a notes sheet, then one table
    /// per sheet with its title in A1, one line on reading it, a header row, plain-word labels, numbers stored as
    /// numbers, `[c]` for a hidden count and `[x]` for a figure not given. Made from the signed document only.
    public func spreadsheet(words: ReportWords, cover: SpreadsheetCover) -> OpenDocumentSpreadsheet {
        typealias C = OpenDocumentSpreadsheet.Cell
        let area = words.area(councilArea)
        let title = "Reconciliation service: anonymous statistics for \(area), \(periodTitle(cover.startMonth))"
        func value(_ v: PublishedValue) -> C {
            switch v {
            case .count(let n): .number(Double(n))
            case .number(let x): .number(x)
            case .suppressed: .text("[\(marker)]")
            case .withheld: .text("[x]")
            }
        }
        let reading = "This worksheet contains one table. [\(marker)] marks a hidden count and [x] a figure not given: see the Notes sheet."
        var tableSheets: [OpenDocumentSpreadsheet.Sheet] = []
        tableSheets.append(.init(name: "Table_1", above: [[.text("Table 1: Headline figures")], [.text(reading)]],
                                 header: [.text("Figure"), .text("Value")],
                                 rows: figures.map { [.text(words.figure($0.name)), value($0.value)] }))
        for (i, table) in tables.enumerated() {
            let rows: [[C]] = table.cells.map { [.text(words.category(table: table.name, code: $0.category, area: councilArea)), value($0.value)] }
                + [[.text("Total"), value(table.total)]]
            tableSheets.append(.init(name: "Table_\(i + 2)", above: [[.text("Table \(i + 2): \(words.table(table.name))")], [.text(reading)]],
                                     header: [.text("Category"), .text("Count")], rows: rows))
        }

        var coverRows: [[C]] = [[.text(title)]]
        func section(_ heading: String, _ text: String) { coverRows += [[.text(heading)], [.text(text)]] }
        section("Area", area)
        section("Period", periodTitle(cover.startMonth))
        section("Kind of release", kindSentence)
        section("Released", cover.releasedAt.map { "\($0) (UTC)" } ?? "Not released: this is a preview for the partner's lead, not yet signed.")
        section("Figures made", "\(generatedAt) (UTC)")
        section("Source", "Cases of the independent reconciliation service in \(area), counted from coarse answers only; "
                + "only families who agreed to anonymised statistics are counted. No figure is about an individual family.")
        section("Hidden figures", "[\(marker)]: a count from 1 to \(threshold) is not shown, and nor are some others, so that no family can be "
                + "recognised and no hidden count can be worked out. [x]: not given, because too few cases lie behind it.")
        section("Rounding", roundingBase.map { "Counts are rounded to the nearest \($0), so rows may not add up to their totals." }
                ?? "Counts are not rounded.")
        section("Contact", cover.contact)
        section("Next release", cover.nextRelease ?? "To be announced.")
        section("Checking this is the released report",
                "The signed file is the JSON download of this report, with its signature. Check it with OpenSSL and the partner's public key "
                + "(GET /api/v1/council/public-key?format=pem): base64 -d report.sig.b64 > report.sig; "
                + "openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in report.json -sigfile report.sig. "
                + "This spreadsheet is made from that file.")
        coverRows.append([.link("Contents", sheet: "Contents")])

        let contents = OpenDocumentSpreadsheet.Sheet(
            name: "Contents",
            above: [[.text("Contents")], [.text("This worksheet contains one table. Select a sheet name to open it.")]],
            header: [.text("Sheet"), .text("Title")],
            rows: [[.link("Notes", sheet: "Notes"), .text("Notes on these statistics")]]
                + tableSheets.map { [.link($0.name, sheet: $0.name), .text(Self.firstText($0.above.first?.first))] })
        let noteList = notes(words) + [("x", "[x]: not given, because too few cases lie behind the figure.")]
        let notesSheet = OpenDocumentSpreadsheet.Sheet(
            name: "Notes", above: [[.text("Notes")], [.text("This worksheet contains one table.")]],
            header: [.text("Note"), .text("Text")], rows: noteList.map { [.text($0.id), .text($0.text)] })
        return OpenDocumentSpreadsheet(title: title, sheets: [.init(name: "Cover", above: coverRows, header: nil, rows: [])]
                                       + [contents, notesSheet] + tableSheets)
    }

    /// "2026-Q1 (April to June 2026)", "Correction of 2026-Q1 (…)", "Year to date to 2026-Q2 (April to September 2026)".
    func periodTitle(_ startMonth: Int) -> String {
        guard let q = Quarter(quarter) else { return quarter }
        switch kind {
        case "year_to_date": return "year to date to \(quarter) (\(ReleaseKind.months(from: q.yearToDate[0], to: q, startMonth: startMonth)))"
        case "correction": return "correction of \(quarter) (\(ReleaseKind.months(from: q, to: q, startMonth: startMonth)))"
        default: return "\(quarter) (\(ReleaseKind.months(from: q, to: q, startMonth: startMonth)))"
        }
    }

    var kindSentence: String {
        switch kind {
        case "year_to_date": "Year to date: the financial year so far, counted together."
        case "correction": "Correction: replaces the figures first released for this quarter."
        default: "Quarter: the quarter's first release."
        }
    }

    private static func firstText(_ cell: OpenDocumentSpreadsheet.Cell?) -> String {
        if case .text(let t)? = cell { return t }
        return ""
    }
}

extension ReportBuilder {
    /// The ODS spreadsheet of a stored (released) document, made from its signed bytes only.
    public static func ods(for document: [UInt8], words: ReportWords, cover: SpreadsheetCover) throws -> [UInt8] {
        try ReportContent(document: document).spreadsheet(words: words, cover: cover).bytes()
    }
}
