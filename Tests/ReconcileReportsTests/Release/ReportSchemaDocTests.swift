import Foundation
import Testing
@testable import ReconcileReports

/// `docs/REPORT-SCHEMA.md` names every table with its categories and every headline figure the builder writes,
/// so a table added without documenting it fails here.
@Suite struct ReportSchemaDocTests {
    static var document: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("docs/REPORT-SCHEMA.md"), encoding: .utf8)
        }
    }

    @Test func everyTableAndFigureIsDocumented() throws {
        let doc = try Self.document
        for table in ReportTables.order {
            let row = try #require(doc.split(separator: "\n").first { $0.hasPrefix("| `\(table)` |") }, "\(table) is not documented")
            if table != ReportTables.signpostsByNeed {
                for category in ReportTables.categories(table) { #expect(row.contains(category), "\(table): \(category) is not documented") }
            }
        }
        for figure in ReportContent.figureOrder { #expect(doc.contains("| `\(figure)` |"), "figure \(figure) is not documented") }
    }
}
