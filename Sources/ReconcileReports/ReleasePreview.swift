import Foundation
import ReconcileCore
import ReconcileStore

/// A count that protection hid although it is not small: which one, and which step hid it. No number is given,
/// so a preview shown on a page or logged never carries more than the release itself will.
public struct HiddenCount: Sendable, Equatable, Codable {
    public enum Reason: String, Sendable, Codable {
        /// Hidden with a small count of the same table so that it cannot be worked out from the total.
        case secondarySuppression = "secondary_suppression"
        /// Hidden because, with the other tables and this year's releases, a hidden count could be narrowed.
        case linkedTableAudit = "linked_table_audit"
        /// A correction keeps hidden what the quarter's earlier releases hid.
        case hiddenInEarlierRelease = "hidden_in_earlier_release"
    }

    public let table: String
    public let category: String
    public let reason: Reason

    public func explanation(minimumRange: Int) -> String {
        switch reason {
        case .secondarySuppression:
            "hidden beside a small count in the same table, so that the small count cannot be worked out from the total"
        case .linkedTableAudit:
            "hidden after the linked-table audit: with the other tables and this year's releases, a hidden count could otherwise be narrowed to fewer than \(minimumRange) possible values"
        case .hiddenInEarlierRelease:
            "hidden because an earlier release of this quarter hid it (a correction keeps it hidden)"
        }
    }
}

/// What a lead sees before releasing: the exact document that would be signed (but for `generated_at`), which
/// counts protection hid beyond the threshold and why, and the problems a release would be refused for.
public struct ReleasePreview: Sendable {
    public let report: QuarterReport
    public let hidden: [HiddenCount]
    /// Themes that would stop the release (each names the theme's number only).
    public let problems: [String]
}

extension ReportBuilder {
    /// Builds exactly as `release` does, stores nothing, and says why each count hidden beyond the threshold was
    /// hidden. Allowed before the quarter ends (the figures are then as they stand today).
    public func preview(councilArea: String, quarter: Quarter, kind: ReleaseKind = .quarter,
                        now: Date = Date()) async throws -> ReleasePreview {
        let (first, final, carried) = try await stages(councilArea: councilArea, quarter: quarter, kind: kind, withVoices: true, now: now)
        let holding = try await reports.themesHoldingPersonalValues(final.themes, councilArea: councilArea,
                                                                     schoolNames: policy.localSchoolNames)
        let ledger = try await reports.ledgerReleases(councilArea: councilArea)
        let problems = [Self.kindProblem(kind: kind, quarter: quarter, area: councilArea, earlier: ledger)].compactMap { $0 }
            + holding.map { "theme \($0 + 1) contains a personal value or a local school name held for this area; reword it or withdraw it before releasing" }
        return ReleasePreview(report: final, hidden: Self.hiddenBeyondThreshold(first: first, final: final, carried: carried, policy: policy),
                              problems: problems)
    }

    static func hiddenBeyondThreshold(first: QuarterReport, final: QuarterReport, carried: Set<String>,
                                      policy: DisclosurePolicy) -> [HiddenCount] {
        let counts = final.counts
        let raw: [String: Int] = counts.headlineCounts
        let before = Dictionary(first.content.figures.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        var out: [HiddenCount] = []
        func consider(_ table: String, _ category: String, raw: Int, earlier: PublishedValue?, now: PublishedValue) {
            // Small counts are hidden by the threshold itself; only the others need explaining.
            guard now == .suppressed, !DisclosureControl.protect(figure: raw, policy: policy).isSuppressed else { return }
            let reason: HiddenCount.Reason = carried.contains("\(table).\(category)") ? .hiddenInEarlierRelease
                : earlier == .suppressed ? .secondarySuppression : .linkedTableAudit
            out.append(HiddenCount(table: table, category: category, reason: reason))
        }
        for figure in final.content.figures {
            guard let n = raw[figure.name] else { continue }
            consider(figuresTable, figure.name, raw: n, earlier: before[figure.name], now: figure.value)
        }
        let firstTables = Dictionary(first.content.tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for table in final.content.tables {
            guard let rawTable = counts.tables.first(where: { $0.name == table.name }) else { continue }
            let earlierCells = Dictionary(firstTables[table.name]?.cells.map { ($0.category, $0.value) } ?? [], uniquingKeysWith: { a, _ in a })
            for cell in table.cells {
                consider(table.name, cell.category, raw: rawTable.count(cell.category), earlier: earlierCells[cell.category], now: cell.value)
            }
            consider(table.name, "total", raw: rawTable.total, earlier: firstTables[table.name]?.total, now: table.total)
        }
        return out
    }
}
