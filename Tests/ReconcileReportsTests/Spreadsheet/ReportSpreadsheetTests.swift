import Foundation
import ReconcileCore
import ReconcileReports
import Testing

/// The council's spreadsheet opened by odfpy (an independent OpenDocument reader): every cell of every table sheet
/// is compared with the signed JSON it was made from, the layout follows the Government Analysis Function's
/// guidance, and a report whose tables are all hidden, or whose theme holds characters XML cannot carry, still opens.
@Suite struct ReportSpreadsheetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func words() throws -> ReportWords {
        ReportWords(levels: try LevelLabels.load(from: root.appendingPathComponent("policies/levels.json"), councilAreas: Settings().areas.councilAreas))
    }
    static let cover = SpreadsheetCover(releasedAt: "2025-08-01T09:00:00Z", nextRelease: "2025-Q2 (July to September 2025), due 30 October 2025",
                                        contact: "reports@partner.example", startMonth: 4)

    /// odfpy's reading of an ODS file (Support/read_ods.py).
    static func read(_ ods: [UInt8]) throws -> [String: Any] {
        let script = root.appendingPathComponent("Tests/ReconcileReportsTests/Support/read_ods.py")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-ods-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.ods")
        try Data(ods).write(to: file)
        let out = try runPython([script.path, file.path])
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] ?? [:]
    }

    typealias Cell = [String: Any]
    static func sheets(_ read: [String: Any]) -> [(name: String, headerRows: Int, rows: [[Cell]])] {
        ((read["sheets"] as? [[String: Any]]) ?? []).map {
            ($0["name"] as? String ?? "", $0["header_rows"] as? Int ?? -1, ($0["rows"] as? [[Cell]]) ?? [])
        }
    }

    /// Whether a cell odfpy read holds the JSON value: a number stored as a number, `[c]` for the marker, `[x]` for null.
    static func holds(_ cell: Cell, _ json: Any?, marker: String) -> Bool {
        switch json ?? NSNull() {
        case let n as NSNumber:
            cell["type"] as? String == "float" && Double(cell["value"] as? String ?? "") == n.doubleValue
        case let s as String: s == marker && cell["type"] as? String == "string" && cell["text"] as? String == "[\(marker)]"
        default: cell["type"] as? String == "string" && cell["text"] as? String == "[x]"
        }
    }

    /// Every table sheet's every cell against the document, and the guidance's layout.
    static func compare(_ document: [UInt8], _ read: [String: Any], words: ReportWords) throws {
        let json = try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any] ?? [:]
        let content = try ReportContent(document: document)
        let marker = content.marker
        #expect(read["mimetype"] as? String == "application/vnd.oasis.opendocument.spreadsheet")
        #expect(read["mimetype_first_and_stored"] as? Bool == true)
        let sheets = Self.sheets(read)
        #expect(sheets.map(\.name) == ["Cover", "Contents", "Notes"] + (1...(content.tables.count + 1)).map { "Table_\($0)" })
        // Contents links every other sheet's A1.
        let links = sheets.first { $0.name == "Contents" }?.rows.compactMap { $0.first?["href"] as? String } ?? []
        #expect(links == ["#Notes.A1"] + (1...(content.tables.count + 1)).map { "#Table_\($0).A1" })
        let figures = json["figures"] as? [String: Any] ?? [:], tables = json["tables"] as? [String: [String: Any]] ?? [:]
        for (index, sheet) in sheets.dropFirst(3).enumerated() {
            #expect(sheet.headerRows == 1, "\(sheet.name): one header row")
            #expect((sheet.rows.first?.first?["text"] as? String)?.hasPrefix("Table \(index + 1): ") == true, "\(sheet.name): title in A1")
            #expect(sheet.rows.allSatisfy { !$0.isEmpty }, "\(sheet.name): no blank row")
            let data = Array(sheet.rows.dropFirst(3))
            if index == 0 {
                #expect(data.count == content.figures.count)
                for (row, figure) in zip(data, content.figures) {
                    #expect(row.first?["text"] as? String == words.figure(figure.name))
                    #expect(holds(row[1], figures[figure.name], marker: marker), "figure \(figure.name)")
                }
                continue
            }
            let table = content.tables[index - 1], cells = tables[table.name] ?? [:]
            #expect(data.count == table.cells.count + 1, "\(table.name): each category and the total")
            for (row, code) in zip(data, table.cells.map(\.category) + ["total"]) {
                #expect(row.first?["text"] as? String == words.category(table: table.name, code: code, area: content.councilArea))
                #expect(row.count == 2 && holds(row[1], cells[code], marker: marker), "\(table.name).\(code)")
            }
        }
    }

    static func content(area: String, tables: [ReportContent.Table], themes: [String]) -> ReportContent {
        ReportContent(quarter: "2025-Q1", councilArea: area, kind: "quarter", generatedAt: "2025-08-01T09:00:00Z", threshold: 4, marker: "c",
                      roundingBase: nil, minimumBaseForPercent: 10,
                      figures: ReportContent.figureOrder.map { name -> (name: String, value: PublishedValue) in
                          (name, name == "median_days_to_acknowledge" ? PublishedValue.number(2.5) : name.hasSuffix("percent") ? PublishedValue.withheld : PublishedValue.count(12))
                      },
                      tables: tables, themes: themes)
    }

    @Test func everyCellOfABuiltReportReadsAsTheSignedJSONSays() async throws {
        let h = try ReportHarness()
        for i in 0..<14 { try await h.newCase("2025-05-1\(i % 10)T09:00:00Z", area: "herefordshire", setting: i < 11 ? .online : .primary) }
        let report = try await h.builder.build(councilArea: "herefordshire", quarter: Quarter("2025-Q1")!, now: ReportHarness.date("2025-08-01T09:00:00Z"))
        let words = try Self.words()
        let ods = try ReportBuilder.ods(for: report.document, words: words, cover: Self.cover)
        let read = try Self.read(ods)
        try Self.compare(report.document, read, words: words)
        // Herefordshire's own words for its levels of need, not another area's.
        let sheets = Self.sheets(read)
        let level = sheets.first { ($0.rows.first?.first?["text"] as? String)?.contains("Level of need") == true }
        let labels = level?.rows.dropFirst(3).compactMap { $0.first?["text"] as? String } ?? []
        #expect(labels.contains("Level 4: Statutory social care") && labels.contains("Level 2: Universal plus (early help)"))
        #expect(!labels.contains { $0.contains("Acute") || $0.contains("Additional") })
        let cover = sheets.first?.rows.compactMap { $0.first?["text"] as? String } ?? []
        #expect(cover.first == "Reconciliation service: anonymous statistics for Herefordshire, 2025-Q1 (April to June 2025)")
        for words in ["Next release", "2025-Q2 (July to September 2025), due 30 October 2025", "Contact", "reports@partner.example", "Hidden figures"] {
            #expect(cover.contains(words), "the cover sheet says \(words)")
        }
        #expect(read["title"] as? String == cover.first)
        // The same document gives the same bytes: nothing in the file depends on when it was made.
        #expect(try ReportBuilder.ods(for: report.document, words: words, cover: Self.cover) == ods)
    }

    @Test func aReportWhoseCountsAreAllHiddenStillOpensAndAThemeWithControlCharactersToo() throws {
        let hidden = ReportTables.order.map { name in
            ReportContent.Table(name: name, cells: ReportTables.categories(name).map { ($0, PublishedValue.suppressed) }, total: .suppressed)
        }
        let theme = "Schools <b>&</b> \"councils\"\u{1}\u{B}\u{FFFE} in two\nlines\r\nand ünïcode 😀"
        let content = Self.content(area: "telford_and_wrekin", tables: hidden, themes: [theme])
        let words = try Self.words()
        let read = try Self.read(try content.spreadsheet(words: words, cover: Self.cover).bytes())
        try Self.compare(content.bytes, read, words: words)
        let notes = Self.sheets(read).first { $0.name == "Notes" }?.rows.compactMap { $0.last?["text"] as? String } ?? []
        #expect(notes.contains("Lesson learned: Schools <b>&</b> \"councils\"\u{FFFD}\u{FFFD}\u{FFFD} in two\nlines\nand ünïcode 😀"))
    }
}
