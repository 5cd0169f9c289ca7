import Foundation
import ReconcileCore
import Testing
@testable import ReconcileReports

/// The lead's preview is what release signs, and says why a count that is not small was hidden; every label a
/// report, chart or spreadsheet shows comes from the word catalogue, never from a code.
@Suite struct PreviewAndWordsTests {
    typealias H = ReportHarness
    static let q1 = Quarter("2025-Q1")!
    static let after = H.date("2025-08-01T09:00:00Z")

    /// 13 online, 3 primary: primary is hidden by the threshold and one more setting beside it.
    static func seeded() async throws -> H {
        let h = try H()
        for i in 0..<13 { try await h.newCase("2025-05-\(10 + i % 10)T09:00:00Z", setting: .online) }
        for i in 0..<3 { try await h.newCase("2025-06-0\(1 + i)T09:00:00Z", setting: .primary) }
        for i in 0..<6 { try await h.newCase("2025-04-1\(i)T09:00:00Z", setting: .secondary) }
        return h
    }

    @Test func releaseSignsWhatThePreviewShowedButForTheTimeItWasMade() async throws {
        let h = try await Self.seeded()
        _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "Families wanted earlier contact.",
                                    councilAreas: h.settings.areas.councilAreas, by: h.lead)
        let preview = try await h.builder.preview(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").isEmpty, "a preview stores nothing")
        let later = Self.after.addingTimeInterval(86_400)
        let released = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: h.lead.id, now: later)
        let shown = String(decoding: preview.report.document, as: UTF8.self)
        let signed = String(decoding: released.document, as: UTF8.self)
        #expect(shown != signed, "generated_at differs")
        #expect(shown.replacingOccurrences(of: ReportContent.timestamp(Self.after), with: ReportContent.timestamp(later)) == signed)
        #expect(preview.problems.isEmpty)
        // Previewing it again says, in the area's name, that it has gone out.
        let again = try await h.builder.preview(councilArea: "shropshire", quarter: Self.q1, now: later)
        #expect(again.problems == ["2025-Q1 has already been released for Shropshire; release a correction to change it"])
    }

    @Test func thePreviewNamesEachCountHiddenBeyondTheThresholdAndWhy() async throws {
        let h = try await Self.seeded()
        let preview = try await h.builder.preview(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        let counts = preview.report.counts
        #expect(!preview.hidden.isEmpty)
        for hidden in preview.hidden {
            let raw = hidden.table == ReportBuilder.figuresTable ? nil
                : counts.tables.first { $0.name == hidden.table }.map { hidden.category == "total" ? $0.total : $0.count(hidden.category) }
            if let raw { #expect(!(1...4).contains(raw), "\(hidden.table).\(hidden.category) is not a small count") }
            #expect(hidden.explanation(minimumRange: 2).count > 20)
        }
        // The setting table's second hidden cell is hidden beside primary (3), not for its own size.
        let settings = preview.hidden.filter { $0.table == ReportTables.setting }
        #expect(settings.contains { $0.reason == .secondarySuppression }, "\(settings)")
        #expect(!settings.contains { $0.category == "primary" }, "a small count needs no explaining")
        // Nothing in the preview's reasons gives a number away.
        #expect(!preview.hidden.map { $0.explanation(minimumRange: 2) }.joined().contains("13"))
    }

    @Test func everyLabelComesFromTheCatalogue() throws {
        let catalogue = try WordCatalogue.load()
        for table in ReportTables.order {
            #expect(catalogue.tables[table] != nil, "table \(table) has a title")
            for code in ReportTables.categories(table) {
                #expect(catalogue.tables[table].flatMap { catalogue.lists[$0.list]?[code] } != nil, "\(table).\(code) has words")
            }
        }
        for figure in ReportContent.figureOrder { #expect(catalogue.figures[figure] != nil, "figure \(figure)") }
        for area in Settings().areas.councilAreas { #expect(catalogue.areas[area] != nil, "area \(area)") }
        for kind in ReleaseKind.allCases { #expect(catalogue.releaseKinds[kind.rawValue] != nil) }
        let staffLists: [(String, [String])] = [
            ("stage", Stage.allCases.map(\.rawValue)), ("modality", ListeningModality.allCases.map(\.rawValue)),
            ("acknowledgement_method", AcknowledgementMethod.allCases.map(\.rawValue)), ("signpost_kind", SignpostKind.allCases.map(\.rawValue)),
            ("parents_not_informed_reason", ParentsNotInformedReason.allCases.map(\.rawValue)), ("role", StaffRole.allCases.map(\.rawValue)),
            // Every kind of timeline event: a timeline never shows a code (`family_notice` and `passphrase_reissued` did).
            ("event", CaseEvent.allCases.map(\.rawValue)),
        ]
        for (list, codes) in staffLists {
            for code in codes { #expect(catalogue.staff[list]?[code] != nil, "staff word for \(list).\(code)") }
        }
    }

    /// "Lado", "Re referred", "Schools response": what capitalising a code gives. None may appear in any format of a
    /// report whose every cell is shown, and no code anywhere in the server or the reports is capitalised into a label.
    @Test func noLabelIsACapitalisedCode() throws {
        let tables = ReportTables.order.map { name in
            ReportContent.Table(name: name, cells: ReportTables.categories(name).map { ($0, PublishedValue.count(5)) }, total: .count(50))
        }
        let content = ReportContent(quarter: "2025-Q1", councilArea: "telford_and_wrekin", kind: "quarter", generatedAt: "2025-08-01T09:00:00Z",
                                    threshold: 4, marker: "c", roundingBase: nil, minimumBaseForPercent: 10,
                                    figures: ReportContent.figureOrder.map { ($0, .count(7)) }, tables: tables, themes: [])
        let words = ReportWords()
        let catalogueWords = Set(words.catalogue.lists.values.flatMap(\.values))
        let html = content.html(words: words), csv = content.csv(words: words)
        let ods = String(decoding: try content.spreadsheet(words: words, cover: .init(releasedAt: nil, nextRelease: nil, contact: "x", startMonth: 4)).bytes(),
                         as: UTF8.self)
        for table in ReportTables.order {
            for code in ReportTables.categories(table) {
                let spaced = code.replacingOccurrences(of: "_", with: " ")
                let capitalised = spaced.prefix(1).uppercased() + spaced.dropFirst()
                // Only strings that are a capitalised code and no catalogue word at all ("Declined" is a word).
                guard capitalised != code, !catalogueWords.contains(capitalised) else { continue }
                #expect(!html.contains(">\(capitalised)<"), "HTML: \(capitalised)")
                // As the category_label column, just before the value (every cell is 5 here; a code needs no quoting).
                #expect(!csv.contains(",\(capitalised),5\r\n"), "CSV: \(capitalised)")
                #expect(!ods.contains("<text:p>\(capitalised)</text:p>"), "ODS: \(capitalised)")
            }
        }
        #expect(html.contains("Telford and Wrekin") && !html.contains("Telford And Wrekin"))
        #expect(html.contains("Local authority designated officer (LADO)") && !html.contains(">Lado<"))

        // The code itself: nothing builds a label by upper-casing a code's first letter.
        let sources = PreviewAndWordsTests.root.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"prefix\(1\)\.uppercased\(\)|\.capitalized\b|first\??\.uppercased\(\)|uppercased\(\)\s*\+"#)
        var offenders: [String] = []
        for target in ["ReconcileServer", "ReconcileReports"] {
            let enumerator = FileManager.default.enumerator(at: sources.appendingPathComponent(target), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                if pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil { offenders.append(url.lastPathComponent) }
            }
        }
        #expect(offenders.isEmpty, "labels made by capitalising a code in \(offenders)")
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func eachAreaReadsItsOwnLevelsOfNeed() throws {
        let levels = try LevelLabels.load(from: Self.root.appendingPathComponent("policies/levels.json"), councilAreas: Settings().areas.councilAreas)
        let words = ReportWords(levels: levels)
        #expect(words.category(table: ReportTables.levelOfNeed, code: "4", area: "herefordshire") == "Level 4: Statutory social care")
        #expect(words.category(table: ReportTables.levelOfNeed, code: "4", area: "shropshire") == "Level 4: Acute or specialist (statutory)")
        let tables = [ReportContent.Table(name: ReportTables.levelOfNeed, cells: (1...4).map { (String($0), PublishedValue.count(6)) }, total: .count(24))]
        let content = ReportContent(quarter: "2025-Q1", councilArea: "herefordshire", kind: "quarter", generatedAt: "2025-08-01T09:00:00Z",
                                    threshold: 4, marker: "c", roundingBase: nil, minimumBaseForPercent: 10, figures: [], tables: tables, themes: [])
        let html = content.html(words: words), csv = content.csv(words: words)
        for text in [html, csv] {
            #expect(text.contains("Level 3: Targeted early help") && !text.contains("Complex") && !text.contains("Additional"))
        }
        #expect(html.contains("<text x=\"252\" y=\"85\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#0b0c0c\">Level 4: Statutory social care</text>"),
                "the chart's label too")
    }
}
