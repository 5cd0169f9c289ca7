import Foundation
import ReconcileCore
import ReconcileStore
import Sodium

// Releasing a report, and the formats of one already released (ReportRelease.swift builds and audits it).
extension ReportBuilder {
    // MARK: - Release

    /// Builds the report (protected against the year's earlier releases), screens its themes against the
    /// personal values held in the area's cases, and in one transaction: checks it again against the ledger as
    /// it is then (a quarter is released once, then only corrected; the linked audit finds no suppressed count
    /// narrower than `minimum_range`), signs the exact bytes and stores the release, every cell and an audit row
    /// "report.release".
    public func release(councilArea: String, quarter: Quarter, kind: ReleaseKind = .quarter, by actor: String,
                        now: Date = Date()) async throws -> ReleasedReport {
        guard settings.areas.councilAreas.contains(councilArea) else { throw ReportError.unknownCouncilArea }
        guard now >= quarter.end(startMonth: settings.reporting.quarterStartMonth) else { throw ReportError.quarterNotOver }
        let report = try await build(councilArea: councilArea, quarter: quarter, kind: kind, withVoices: true, now: now)

        let holding = try await reports.themesHoldingPersonalValues(report.themes, councilArea: councilArea,
                                                                     schoolNames: policy.localSchoolNames)
        let themeProblems = holding.map {
            "theme \($0 + 1) contains a name, email address, phone number, street, postcode or local school name held in this council area's cases or the school list; reword it before releasing"
        }

        let signature = reports.keys.signing.sign(report.document)
        let kindName = Self.kindName(kind)
        let candidate = report.content
        let area = councilArea
        let minimumRange = policy.minimumRange
        let id = try await reports.recordRelease(
            NewRelease(quarter: quarter.description, councilArea: councilArea, kind: kindName, releasedBy: actor,
                       releasedAt: now, document: report.document, signature: signature, cells: report.ledgerCells,
                       voiceIDs: report.voiceIDs)
        ) { earlier in
            // Every problem at once, so the lead can fix them all before trying again.
            var problems = themeProblems
            do {
                try Self.checkAgainstLedger(candidate: candidate, kind: kind, quarter: quarter, area: area,
                                            earlier: earlier, minimumRange: minimumRange)
            } catch ReportError.refused(let more) {
                problems += more
            }
            if !problems.isEmpty { throw ReportError.refused(problems) }
        }
        return ReleasedReport(id: id, quarter: quarter.description, councilArea: councilArea, kind: kindName, releasedAt: now,
                              document: report.document, signature: Data(signature).base64EncodedString())
    }

    /// The rule of kinds: a quarter is released once, a correction needs a quarter released, a year to date goes out
    /// once per quarter. The area is named in its own words: people read this.
    static func kindProblem(kind: ReleaseKind, quarter: Quarter, area: String, earlier: [LedgerRelease]) -> String? {
        let sameQuarter = earlier.filter { $0.summary.quarter == quarter.description }
        let quarterReleased = sameQuarter.contains { $0.summary.kind != kindName(.yearToDate) }
        let area = WordCatalogue.standard.area(area)
        switch kind {
        case .quarter where quarterReleased:
            return "\(quarter) has already been released for \(area); release a correction to change it"
        case .correction where !quarterReleased:
            return "\(quarter) has not been released for \(area), so there is nothing to correct"
        case .yearToDate where sameQuarter.contains { $0.summary.kind == kindName(.yearToDate) }:
            return "the year to date up to \(quarter) has already been released for \(area)"
        default:
            return nil
        }
    }

    /// Runs inside the release's write transaction (GRDB's writer queue, not a cooperative thread), with every
    /// earlier release of the area: the ledger may have changed since the report was built and protected.
    static func checkAgainstLedger(candidate: ReportContent, kind: ReleaseKind, quarter: Quarter, area: String,
                                   earlier: [LedgerRelease], minimumRange: Int) throws {
        if let problem = kindProblem(kind: kind, quarter: quarter, area: area, earlier: earlier) { throw ReportError.refused([problem]) }
        let narrow: [FigureRange]
        do {
            let audit = DisclosureAudit(releases: try sameYear(earlier, as: quarter) + [candidate])
            narrow = audit.disclosing(try audit.ranges(), minimumRange: minimumRange)
        } catch let error as DisclosureAuditError {
            throw ReportError.refused([error.description])
        }
        if !narrow.isEmpty {
            throw ReportError.refused(Set(narrow.map { ReleaseProtection.tableName($0.figure) }).sorted().map {
                "\($0): a suppressed count could be narrowed to fewer than \(minimumRange) possible values from this release and those already published (the ledger changed while it was built); try again"
            })
        }
    }

    // MARK: - Formats of a stored document

    /// The HTML page for a stored (released) document.
    public static func html(for document: [UInt8], words: ReportWords = ReportWords()) throws -> String {
        try ReportContent(document: document).html(words: words)
    }

    /// The CSV for a stored (released) document.
    public static func csv(for document: [UInt8], words: ReportWords = ReportWords()) throws -> String {
        try ReportContent(document: document).csv(words: words)
    }
}
