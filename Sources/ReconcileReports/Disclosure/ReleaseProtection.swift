import LinearProgramming

/// Protect, don't refuse: starting from the candidate as each table's own rules leave it
/// (`DisclosureControl`), suppress more of the candidate until no suppressed count of the financial year's
/// releases, candidate included, can be narrowed to fewer than `minimumRange` values.
///
/// Each round takes the first too-narrow figure (`FigureID` order) and suppresses one shown, non-zero count of
/// the candidate: the smallest among those sharing a constraint with it, else the smallest in its table group;
/// ties in `FigureID` order. So the result is deterministic. Zeros are never chosen: a reader knows a
/// suppressed count is at least 1, so a suppressed zero would be a false statement, and it would protect nothing.
///
/// Suppressing a shown count only relaxes the reader's model (`x = n` becomes `x ≥ 1`), so ranges never
/// shrink: after a round only the figures that were narrow and the newly suppressed one need auditing again.
/// The final full audit is the caller's (`ReportBuilder.release` runs it inside the ledger transaction).
enum ReleaseProtection {
    struct Refusal: Error, Equatable {
        let problems: [String]
    }

    static func protect(candidate: ReportContent, earlier: [ReportContent], minimumRange: Int) throws(Refusal) -> ReportContent {
        var content = candidate
        let index = earlier.count
        var toCheck: Set<FigureID>? = nil
        var earlierOnly: DisclosureAudit?
        while true {
            let audit = DisclosureAudit(releases: earlier + [content])
            let ranges: [FigureRange]
            do { ranges = try audit.ranges(of: toCheck) } catch { throw Refusal(problems: [error.description]) }
            let narrow = audit.disclosing(ranges, minimumRange: minimumRange).map(\.figure)
            guard let first = narrow.min() else { return content }

            let shown = audit.shownCounts(release: index, content: content, inPartOf: first)
            let neighbours = audit.neighbours(of: first)
            let choice = shown.filter { neighbours.contains($0.id) }.min(by: cheaper) ?? shown.min(by: cheaper)
            guard let choice else {
                if first.release < index {
                    let before = earlierOnly ?? DisclosureAudit(releases: earlier)
                    earlierOnly = before
                    if let range = try? before.ranges(of: [first]).first, !before.disclosing([range], minimumRange: minimumRange).isEmpty {
                        throw Refusal(problems: ["\(first.description) of an earlier release can already be narrowed to fewer than \(minimumRange) possible values from what is published; review the ledger before releasing more"])
                    }
                }
                throw Refusal(problems: ["\(tableName(first)): no version of this release keeps every suppressed count to at least \(minimumRange) possible values (\(first.description) of release \(first.release + 1) of the year stays too narrow)"])
            }
            content = content.suppressing(choice.id)
            toCheck = Set(narrow).union([choice.id])
        }
    }

    private static func cheaper(_ a: (id: FigureID, value: Int), _ b: (id: FigureID, value: Int)) -> Bool {
        (a.value, a.id) < (b.value, b.id)
    }

    static func tableName(_ id: FigureID) -> String {
        id.table == ReportBuilder.figuresTable ? "figure \"\(id.category)\"" : "table \"\(id.table)\""
    }
}

extension DisclosureAudit {
    /// The candidate's shown non-zero counts in the same independent part as `figure`.
    func shownCounts(release: Int, content: ReportContent, inPartOf figure: FigureID) -> [(id: FigureID, value: Int)] {
        guard let target = part(figure) else { return [] }
        var result: [(id: FigureID, value: Int)] = []
        func consider(_ table: String, _ category: String, _ value: PublishedValue) {
            let id = FigureID(release: release, table: table, category: category)
            if case .count(let n) = value, n > 0, part(id) == target { result.append((id, n)) }
        }
        for figure in content.figures { consider(ReportBuilder.figuresTable, figure.name, figure.value) }
        for table in content.tables {
            for cell in table.cells { consider(table.name, cell.category, cell.value) }
            consider(table.name, "total", table.total)
        }
        return result
    }
}

extension ReportContent {
    /// The same content with one more figure suppressed.
    func suppressing(_ id: FigureID) -> ReportContent {
        let figures = self.figures.map { figure in
            id.table == ReportBuilder.figuresTable && figure.name == id.category ? (figure.name, PublishedValue.suppressed) : figure
        }
        let tables = self.tables.map { table in
            guard table.name == id.table else { return table }
            return Table(name: table.name,
                         cells: table.cells.map { $0.category == id.category ? ($0.category, .suppressed) : $0 },
                         total: id.category == "total" ? .suppressed : table.total)
        }
        var content = ReportContent(quarter: quarter, councilArea: councilArea, kind: kind, generatedAt: generatedAt,
                                    threshold: threshold, marker: marker, roundingBase: roundingBase,
                                    minimumBaseForPercent: minimumBaseForPercent, figures: figures, tables: tables, themes: themes)
        content.voices = voices
        return content
    }
}
