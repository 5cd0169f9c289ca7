import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileReports
import ReconcileStore

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Quarterly council reports.",
                                                    subcommands: [Build.self, Release.self, Audit.self, Verify.self, Spreadsheet.self])

    /// The options `build` and `release` share.
    struct Target: ParsableArguments {
        @Option(name: .customLong("council-area"), help: "One of the configured council areas.") var councilArea: String
        @Option(help: "The financial quarter, e.g. 2026-Q1 (April–June 2026 with an April year start).") var quarter: String
        @Option(help: "quarter, correction (of a quarter already released) or year_to_date (Q1 up to --quarter).")
        var kind: String = "quarter"

        func parsed() throws -> (Quarter, ReleaseKind) {
            guard let quarter = Quarter(quarter) else { throw CommandFailure("--quarter must look like 2026-Q1") }
            let kinds: [String: ReleaseKind] = ["quarter": .quarter, "correction": .correction, "year_to_date": .yearToDate]
            guard let kind = kinds[kind] else { throw CommandFailure("--kind must be quarter, correction or year_to_date") }
            return (quarter, kind)
        }
    }

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a quarter's report without releasing it, and print it.",
            discussion: "JSON is printed exactly as it would be signed (no trailing newline). Nothing is stored.")
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var config: ConfigOption
        @OptionGroup var policies: PoliciesOption
        @OptionGroup var target: Target
        @Option(help: "json, csv, html or ods (a spreadsheet: write it to a file with > report.ods).") var format: String = "json"

        func run() async throws {
            guard ["json", "csv", "html", "ods"].contains(format) else { throw CommandFailure("--format must be json, csv, html or ods") }
            let (quarter, kind) = try target.parsed()
            let settings = try config.load()
            let policy = try policies.disclosurePolicy()
            let database = try openDatabase(data, migrate: false)
            let report: QuarterReport
            do {
                report = try await ReportBuilder(reports: ReportStore(database, try keys.load()), settings: settings, policy: policy)
                    .build(councilArea: target.councilArea, quarter: quarter, kind: kind)
            } catch let error as ReportError {
                throw CommandFailure(error.description)
            }
            // The area's own words for the levels of need, as the council's downloads have them.
            let words = ReportWords(levels: try policies.levelLabels(councilAreas: settings.areas.councilAreas))
            switch format {
            case "csv": FileHandle.standardOutput.write(Data(report.csv(words: words).utf8))
            case "html": FileHandle.standardOutput.write(Data(report.html(words: words).utf8))
            case "ods":
                let cover = SpreadsheetCover(releasedAt: nil, nextRelease: ReleaseTimetable(settings).nextRelease(after: quarter),
                                             contact: settings.reporting.contact, startMonth: settings.reporting.quarterStartMonth)
                FileHandle.standardOutput.write(Data(try ReportBuilder.ods(for: report.document, words: words, cover: cover)))
            default: FileHandle.standardOutput.write(Data(report.document))
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release (freeze and sign) a quarter's report.",
            discussion: """
                Refused, with one line naming the problem, when the quarter has not ended, has already been released,
                a theme holds a personal value from this area's cases, or a figure could be worked out by differencing
                with an earlier release. Prints one line: released QUARTER for AREA: ID.
                """)
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var config: ConfigOption
        @OptionGroup var policies: PoliciesOption
        @OptionGroup var target: Target
        @Option(name: .customLong("report-out"), help: "Also write the released document's exact bytes to this file.")
        var reportOut: String?
        @Option(name: .customLong("signature-out"), help: "Also write the detached signature (base64) to this file.")
        var signatureOut: String?

        func run() async throws {
            let (quarter, kind) = try target.parsed()
            let settings = try config.load()
            let policy = try policies.disclosurePolicy()
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            let released: ReleasedReport
            do {
                released = try await ReportBuilder(reports: ReportStore(database, keyRing), settings: settings, policy: policy)
                    .release(councilArea: target.councilArea, quarter: quarter, kind: kind, by: "cli")
            } catch let error as ReportError {
                throw CommandFailure(error.description)
            }
            // The release is committed; failing to write a copy does not undo it, so say so plainly.
            do {
                if let reportOut { try Data(released.document).write(to: URL(fileURLWithPath: reportOut)) }
                if let signatureOut { try Data((released.signature + "\n").utf8).write(to: URL(fileURLWithPath: signatureOut)) }
            } catch {
                throw CommandFailure("released \(quarter) for \(target.councilArea) (\(released.id)), but a copy could not be written: \(error.localizedDescription)")
            }
            print("released \(quarter) for \(target.councilArea): \(released.id)")
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the range a reader can narrow each suppressed count to, from everything published.",
            discussion: """
                Audits every release of the area's financial year (by integer programming over the linked tables).
                With --kind, the report of that kind for --quarter is built (not stored) and audited as if released
                next. One line per suppressed count: release, figure, minimum..maximum and how many values; a last
                line says how many ranges are narrower than the policy's minimum_range (exit 3 if any). A narrow
                range that figures published before its release already gave is marked, not counted. A range of
                one value is flagged, not printed as the value.
                """)
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var config: ConfigOption
        @OptionGroup var policies: PoliciesOption
        @Option(name: .customLong("council-area"), help: "One of the configured council areas.") var councilArea: String
        @Option(help: "The financial quarter, e.g. 2026-Q1.") var quarter: String
        @Option(help: "Also audit the report of this kind not yet released: quarter, correction or year_to_date.")
        var kind: String?

        func run() async throws {
            guard let quarter = Quarter(quarter) else { throw CommandFailure("--quarter must look like 2026-Q1") }
            var releaseKind: ReleaseKind?
            if let kind {
                guard let parsed = ReleaseKind(rawValue: kind) else { throw CommandFailure("--kind must be quarter, correction or year_to_date") }
                releaseKind = parsed
            }
            let policy = try policies.disclosurePolicy()
            let database = try openDatabase(data, migrate: false)
            let result: (releases: [ReportContent], ranges: [FigureRange], disclosing: [FigureRange])
            do {
                result = try await ReportBuilder(reports: ReportStore(database, try keys.load()), settings: try config.load(), policy: policy)
                    .audit(councilArea: councilArea, quarter: quarter, kind: releaseKind)
            } catch let error as ReportError {
                throw CommandFailure(error.description)
            }
            for range in result.ranges {
                let release = result.releases[range.figure.release]
                let pinned = range.possibleValues == 1
                let span = pinned ? "one value only" : "\(range.minimum)..\(range.maximum.map(String.init) ?? "unbounded") (\(range.possibleValues.map(String.init) ?? "unbounded") values)"
                let flag = result.disclosing.contains(range) ? "  TOO NARROW"
                    : range.isNarrower(than: policy.minimumRange) ? "  (follows from figures published before it)" : ""
                print("\(release.quarter) \(release.kind) #\(range.figure.release + 1)\t\(range.figure)\t\(span)\(flag)")
            }
            let narrow = result.disclosing.count
            print("\(result.ranges.count) suppressed counts in \(result.releases.count) releases; \(narrow) narrower than \(policy.minimumRange) possible values")
            if narrow > 0 { throw ExitCode(3) }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a downloaded report against its detached signature and the published public key.",
            discussion: "Prints \"ok: signature valid\" and exits 0, or says the signature does not match and exits 1.")
        @Option(help: "The report file, exactly as downloaded (JSON).") var report: String
        @Option(help: "The detached signature file (base64).") var signature: String
        @Option(name: .customLong("public-key"), help: "The report-signing public key, base64 (`reconcile keys public`).")
        var publicKey: String

        func run() async throws {
            let document: Data, signatureText: String
            do { document = try Data(contentsOf: URL(fileURLWithPath: report)) } catch {
                throw CommandFailure("cannot read the report file \(report)")
            }
            do { signatureText = try String(contentsOf: URL(fileURLWithPath: signature), encoding: .utf8) } catch {
                throw CommandFailure("cannot read the signature file \(signature)")
            }
            guard ReportSignature.verify([UInt8](document), signatureBase64: signatureText, publicKeyBase64: publicKey) else {
                throw CommandFailure("signature does not match: the report is not exactly what was released with this key")
            }
            print("ok: signature valid")
        }
    }
}
