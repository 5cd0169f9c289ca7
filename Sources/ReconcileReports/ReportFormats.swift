import Foundation
import ReconcileCore

// CSV and HTML views of a report, made from the same content as the signed JSON (for a released report, from
// its stored bytes), so the three formats can never disagree. Suppressed counts are the policy's marker in
// every format; nothing here computes a number that is not in the JSON.

extension ReportContent {
    private var kindWords: String {
        switch kind {
        case "year_to_date": "year to date"
        case "correction": "correction"
        default: "quarter"
        }
    }

    private func text(_ value: PublishedValue) -> String {
        switch value {
        case .count(let n): String(n)
        case .number(let x): CanonicalJSON.format(x)
        case .suppressed: marker
        case .withheld: ""
        }
    }

    // MARK: - CSV

    /// RFC 4180 CSV, one value per row: `section,item,value`. Sections: `report`, `policy`, `figures`, each
    /// table by name (items are its categories in list order, then `total`), and `themes` (items numbered from 1).
    /// Lines end CRLF. Text that a spreadsheet would run as a formula is prefixed with an apostrophe.
    public func csv() -> String {
        var rows: [[String]] = [["section", "item", "value"]]
        rows += [["report", "quarter", quarter], ["report", "council_area", councilArea], ["report", "kind", kind],
                 ["report", "generated_at", generatedAt]]
        rows += [["policy", "threshold", String(threshold)], ["policy", "suppression_marker", marker],
                 ["policy", "rounding_base", roundingBase.map(String.init) ?? ""],
                 ["policy", "minimum_base_for_percent", String(minimumBaseForPercent)]]
        rows += figures.map { ["figures", $0.name, text($0.value)] }
        for table in tables {
            rows += table.cells.map { [table.name, $0.category, text($0.value)] }
            rows.append([table.name, "total", text(table.total)])
        }
        rows += themes.enumerated().map { ["themes", String($0.offset + 1), $0.element] }
        return rows.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ raw: String) -> String {
        var value = raw
        // CSV injection: a cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets.
        // Numbers are ours and never negative, so only free text (themes) can start this way; no exemption for
        // text that parses as a Double, which takes "-inf", "+nan", "-0x1p3" and stops at a NUL ("+1\0…").
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            value = "'" + value
        }
        // By scalar, not Character: "\r\n" (a textarea's line break) and "," + a combining mark are single
        // Characters that equal none of these, yet a CSV reader splits on their bytes.
        if value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            var doubled = String.UnicodeScalarView()
            for scalar in value.unicodeScalars { doubled.append(scalar); if scalar == "\"" { doubled.append(scalar) } }
            return "\"" + String(doubled) + "\""
        }
        return value
    }

    // MARK: - HTML

    /// A complete, self-contained HTML page: headings, the figures, every table as an accessible data table
    /// beside a bar chart drawn on the server as inline SVG, and the themes. No script, no style element or
    /// attribute (the service's Content-Security-Policy allows neither), nothing loaded from elsewhere.
    public func html() -> String {
        let area = Self.escape(ReportTables.label(table: "", category: councilArea))
        let title = "Reconcile report: \(area), \(Self.escape(quarter))\(kind == "quarter" ? "" : " (\(kindWords))")"
        var h = """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            </head>
            <body>
            <main>
            <h1>\(title)</h1>
            <p>Anonymous statistics for the council, from the independent partner that runs the reconciliation service.
            Only families who agreed to anonymised statistics are counted. Generated \(Self.escape(generatedAt)).</p>
            <p>Counts from 1 to \(threshold) are shown as <strong>\(Self.escape(marker))</strong>, and so are some other
            counts where needed so that a hidden count cannot be worked out from the totals.
            \(roundingBase.map { "Other counts are rounded to the nearest \($0), so rows may not add up to their totals. " } ?? "")No percentage
            or median is given on fewer than \(minimumBaseForPercent) cases.</p>

            <h2>Headline figures</h2>
            <table>
            <caption>Headline figures</caption>
            <thead><tr><th scope="col">Figure</th><th scope="col">Value</th></tr></thead>
            <tbody>

            """
        for figure in figures {
            let shown = figure.value == .withheld ? "not given (too few cases)" : Self.escape(text(figure.value))
            h += "<tr><th scope=\"row\">\(Self.escape(Self.figureTitle(figure.name)))</th><td>\(shown)</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        for (index, table) in tables.enumerated() {
            let heading = Self.escape(ReportTables.title(table.name))
            h += "\n<section aria-labelledby=\"t\(index)\">\n<h2 id=\"t\(index)\">\(heading)</h2>\n"
            h += chart(table)
            h += "<table>\n<caption>\(heading)</caption>\n"
            h += "<thead><tr><th scope=\"col\">Category</th><th scope=\"col\">Count</th></tr></thead>\n<tbody>\n"
            for cell in table.cells {
                h += "<tr><th scope=\"row\">\(Self.escape(ReportTables.label(table: table.name, category: cell.category)))</th>"
                    + "<td>\(Self.escape(text(cell.value)))</td></tr>\n"
            }
            h += "</tbody>\n<tfoot><tr><th scope=\"row\">Total</th><td>\(Self.escape(text(table.total)))</td></tr></tfoot>\n"
            h += "</table>\n</section>\n"
        }
        h += "\n<h2>Lessons learned</h2>\n"
        if themes.isEmpty {
            h += "<p>No themes were approved for this period.</p>\n"
        } else {
            h += "<ol>\n" + themes.map { "<li>\(Self.escape($0))</li>\n" }.joined() + "</ol>\n"
        }
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// A horizontal bar chart of one table. Suppressed cells get no bar, only the marker, so the picture never
    /// hints at their size. Scaled to the largest shown count.
    private func chart(_ table: Table) -> String {
        let rowHeight = 22, labelWidth = 260, barWidth = 320, valueWidth = 60
        let width = labelWidth + barWidth + valueWidth
        let height = rowHeight * max(table.cells.count, 1) + 8
        let largest = table.cells.compactMap { if case .count(let n) = $0.value { n } else { nil } }.max() ?? 0
        // The figures are in the table that follows; the label says so rather than reading them all out twice.
        let description = "Bar chart of the table below: \(ReportTables.title(table.name))"
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" aria-label=\"\(Self.escape(description))\">\n"
        for (i, cell) in table.cells.enumerated() {
            let y = 4 + i * rowHeight
            let label = Self.escape(ReportTables.label(table: table.name, category: cell.category))
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 15)\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#0b0c0c\">\(label)</text>\n"
            if case .count(let n) = cell.value, n > 0, largest > 0 {
                let length = max(2, Int((Double(n) / Double(largest) * Double(barWidth - 10)).rounded()))
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"\(rowHeight - 6)\" fill=\"#1d70b8\"></rect>\n"
                svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 15)\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#0b0c0c\">\(n)</text>\n"
            } else {
                svg += "<text x=\"\(labelWidth + 6)\" y=\"\(y + 15)\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#505a5f\">\(Self.escape(text(cell.value)))</text>\n"
            }
        }
        svg += "</svg>\n"
        return svg
    }

    /// Text and attribute escaping for HTML and SVG.
    static func escape(_ text: String) -> String { HTMLText.escaped(text) }
}
