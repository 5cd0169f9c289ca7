import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileReports

extension Report {
    /// A downloaded report (its JSON) as the council's spreadsheet, offline: what `?format=ods` serves.
    struct Spreadsheet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the ODS spreadsheet of a report from its JSON file, and print it (redirect to a .ods file).",
            discussion: "The same spreadsheet the council downloads, made from the JSON only; nothing is read from the database.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var policies: PoliciesOption
        @Option(help: "The report file, exactly as downloaded or built (JSON).") var report: String
        @Option(name: .customLong("released-at"), help: "When it was released (ISO 8601), for the cover sheet; omit for a preview.")
        var releasedAt: String?
        @Flag(name: .customLong("print-time"), help: "Print on stderr how long making the spreadsheet took (Benchmarks/run).")
        var printTime = false

        func run() async throws {
            let document: [UInt8]
            do { document = [UInt8](try Data(contentsOf: URL(fileURLWithPath: report))) } catch {
                throw CommandFailure("cannot read the report file \(report)")
            }
            let settings = try config.load()
            let words = ReportWords(levels: try policies.levelLabels(councilAreas: settings.areas.councilAreas))
            let content: ReportContent
            do { content = try ReportContent(document: document) } catch { throw CommandFailure("\(report) is not a report document") }
            let cover = SpreadsheetCover(releasedAt: releasedAt, nextRelease: Quarter(content.quarter).map(ReleaseTimetable(settings).nextRelease(after:)),
                                         contact: settings.reporting.contact, startMonth: settings.reporting.quarterStartMonth)
            let clock = ContinuousClock(), start = clock.now
            let bytes = try content.spreadsheet(words: words, cover: cover).bytes()
            let took = clock.now - start
            FileHandle.standardOutput.write(Data(bytes))
            if printTime {
                let ms = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
                FileHandle.standardError.write(Data(String(format: "spreadsheet_ms=%.2f\n", ms).utf8))
            }
        }
    }
}
