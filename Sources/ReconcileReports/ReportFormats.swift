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

    /// The value as a spreadsheet or CSV shows it: a number, `[c]` (the marker in brackets, as the Government
    /// Analysis Function asks, so it can never be read as a number), or empty for a figure not given.
    func cellText(_ value: PublishedValue) -> String {
        value == .suppressed ? "[\(marker)]" : text(value)
    }

    /// The notes every format of a report carries: id and text, in order (also the spreadsheet's notes sheet).
    func notes(_ words: ReportWords) -> [(id: String, text: String)] {
        var notes: [(id: String, text: String)] = [
            ("report", "Anonymous statistics for \(words.area(councilArea)), \(periodWords), from the independent partner that runs the reconciliation service. Only families who agreed to anonymised statistics are counted."),
            ("generated_at", "Figures made \(generatedAt) (UTC)."),
            ("c", "[\(marker)]: a count from 1 to \(threshold) is not shown, so that no family can be recognised. Some other counts are also shown as [\(marker)] so that a hidden count cannot be worked out from totals, other tables or earlier releases."),
            ("percent", "No percentage or median is given on fewer than \(minimumBaseForPercent) cases; such a figure is left empty."),
            ("multi", "Tables marked \"more than one may be chosen\" count each answer, so their rows can add up to more than the total."),
        ]
        if let base = roundingBase {
            notes.append(("rounding", "Counts are rounded to the nearest \(base), so rows may not add up to their totals."))
        }
        notes += themes.enumerated().map { ("theme_\($0.offset + 1)", "Lesson learned: " + $0.element) }
        notes += voices.enumerated().map { ("voice_\($0.offset + 1)", "In a family's own words: " + $0.element) }
        return notes
    }

    /// "2026-Q1 (April to June 2026)" style words for the period and kind, without months (no start month here).
    var periodWords: String { kind == "quarter" ? quarter : "\(quarter) (\(kindWords))" }

    /// Tidy RFC 4180 CSV, one value per row: `table,table_title,category,category_label,value`, the headline
    /// figures first (table `figures`), then each table's categories in list order and its `total`; the value is a
    /// number, `[c]` or empty (not given). A blank line, then a second section `note,text` with what the
    /// markers mean and the lessons learned. Lines end CRLF; text a spreadsheet would run as a formula is
    /// prefixed with an apostrophe. Field by field in docs/REPORT-SCHEMA.md.
    public func csv(words: ReportWords = ReportWords()) -> String {
        var rows: [[String]] = [["table", "table_title", "category", "category_label", "value"]]
        rows += figures.map { ["figures", "Headline figures", $0.name, words.figure($0.name), cellText($0.value)] }
        for table in tables {
            let title = words.table(table.name)
            rows += table.cells.map {
                [table.name, title, $0.category, words.category(table: table.name, code: $0.category, area: councilArea), cellText($0.value)]
            }
            rows.append([table.name, title, "total", "Total", cellText(table.total)])
        }
        rows.append([])
        rows.append(["note", "text"])
        rows += notes(words).map { [$0.id, $0.text] }
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
    public func html(words: ReportWords = ReportWords()) -> String {
        let area = Self.escape(words.area(councilArea))
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
            h += "<tr><th scope=\"row\">\(Self.escape(words.figure(figure.name)))</th><td>\(shown)</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        for (index, table) in tables.enumerated() {
            let heading = Self.escape(words.table(table.name))
            h += "\n<section aria-labelledby=\"t\(index)\">\n<h2 id=\"t\(index)\">\(heading)</h2>\n"
            h += chart(table, words: words)
            h += "<table>\n<caption>\(heading)</caption>\n"
            h += "<thead><tr><th scope=\"col\">Category</th><th scope=\"col\">Count</th></tr></thead>\n<tbody>\n"
            for cell in table.cells {
                h += "<tr><th scope=\"row\">\(Self.escape(words.category(table: table.name, code: cell.category, area: councilArea)))</th>"
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
        if !voices.isEmpty {
            h += "\n<h2>In families' own words</h2>\n<p>Written by families for the council, with their consent, without their names.</p>\n"
            h += voices.map { "<blockquote><p>\(Self.escape($0))</p></blockquote>\n" }.joined()
        }
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// A horizontal bar chart of one table. Suppressed cells get no bar, only the marker, so the picture never
    /// hints at their size. Scaled to the largest shown count.
    private func chart(_ table: Table, words: ReportWords) -> String {
        let rowHeight = 22, labelWidth = 260, barWidth = 320, valueWidth = 60
        let width = labelWidth + barWidth + valueWidth
        let height = rowHeight * max(table.cells.count, 1) + 8
        let largest = table.cells.compactMap { if case .count(let n) = $0.value { n } else { nil } }.max() ?? 0
        // The figures are in the table that follows; the label says so rather than reading them all out twice.
        let description = "Bar chart of the table below: \(words.table(table.name))"
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" aria-label=\"\(Self.escape(description))\">\n"
        for (i, cell) in table.cells.enumerated() {
            let y = 4 + i * rowHeight
            let label = Self.escape(words.category(table: table.name, code: cell.category, area: councilArea))
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
