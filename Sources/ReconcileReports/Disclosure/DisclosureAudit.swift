import LinearProgramming

/// The range of values a reader can narrow a suppressed count to, from everything published.
public struct FigureRange: Sendable, Equatable, CustomStringConvertible {
    public let figure: FigureID
    public let minimum: Int
    /// Nil when nothing published bounds it from above.
    public let maximum: Int?

    /// How many values the count may take (nil: unbounded).
    public var possibleValues: Int? { maximum.map { $0 - minimum + 1 } }

    public func isNarrower(than minimumRange: Int) -> Bool { possibleValues.map { $0 < minimumRange } ?? false }

    public var description: String { "\(figure): \(minimum)..\(maximum.map(String.init) ?? "no upper limit")" }
}

public enum DisclosureAuditError: Error, Equatable, CustomStringConvertible {
    /// No counts are consistent with what is published: the figures do not add up (e.g. a year to date over
    /// quarters whose data changed after they were released). Names the tables involved, never a value.
    case inconsistent(tables: [String])

    public var description: String {
        switch self {
        case .inconsistent(let tables):
            "the published figures do not add up in " + tables.map { "\"\($0)\"" }.joined(separator: ", ")
                + "; the data behind an earlier release has changed since: release a correction of that quarter first"
        }
    }
}

/// For every suppressed count, its feasible range [minimum, maximum] over whole numbers, by integer
/// programming with GLPK over the reader's model (`ReaderModel`), one independent part (table group across
/// the year) at a time. Synchronous and CPU-bound: callers run it off Swift's cooperative threads.
public struct DisclosureAudit: Sendable {
    let model: ReaderModel
    let parts: [LinearProgram.Component]
    let partOf: [FigureID: Int]
    let releases: [ReportContent]
    let cap: Int?

    public init(releases: [ReportContent]) { self.init(releases: releases, cap: nil) }

    init(releases: [ReportContent], cap: Int?) {
        self.releases = releases
        self.cap = cap
        model = ReaderModel(releases: releases, cap: cap)
        parts = model.program.components()
        var partOf: [FigureID: Int] = [:]
        for (id, expression) in model.expressions {
            if let first = expression.terms.first?.variable,
               let part = parts.firstIndex(where: { $0.variables[first] != nil }) { partOf[id] = part }
        }
        self.partOf = partOf
    }

    /// Suppressed figures, in `FigureID` order.
    public var suppressedFigures: [FigureID] { model.suppressed.map(\.id).sorted() }

    /// The ranges of `figures` (default: every suppressed figure), in `FigureID` order.
    public func ranges(of figures: Set<FigureID>? = nil) throws(DisclosureAuditError) -> [FigureRange] {
        var result: [FigureRange] = []
        var inconsistent: Set<String> = []
        for (id, expression) in model.suppressed.sorted(by: { $0.id < $1.id }) where figures?.contains(id) ?? true {
            guard let index = partOf[id], let objective = parts[index].translate(expression) else { continue }
            let program = parts[index].program
            guard case .optimal(let low) = program.minimise(objective) else {
                inconsistent.formUnion(tables(inPart: index))
                continue
            }
            let maximum: Int?
            switch program.maximise(objective) {
            case .optimal(let high): maximum = Int(high.rounded())
            case .unbounded: maximum = nil
            case .infeasible: inconsistent.formUnion(tables(inPart: index)); continue
            }
            result.append(FigureRange(figure: id, minimum: Int(low.rounded()), maximum: maximum))
        }
        // A part with no suppressed figure can be inconsistent too: check each part once.
        if figures == nil {
            for index in parts.indices where !parts[index].program.constraints.isEmpty {
                let any = LinearProgram.Expression()
                if parts[index].program.minimise(any) == .infeasible { inconsistent.formUnion(tables(inPart: index)) }
            }
        }
        if !inconsistent.isEmpty {
            throw .inconsistent(tables: inconsistent.sorted { FigureID.tableRank($0) < FigureID.tableRank($1) })
        }
        return result
    }

    /// The ranges that disclose something: narrower than `minimumRange`, unless the releases before the figure's
    /// own already narrowed it as much. A suppressed figure whose value follows from figures published before
    /// (a year-to-date cell whose quarters were all shown) hid nothing, and suppressing more cannot change it.
    public func disclosing(_ ranges: [FigureRange], minimumRange: Int) -> [FigureRange] {
        var before: [Int: DisclosureAudit] = [:]
        return ranges.filter { range in
            guard range.isNarrower(than: minimumRange), let expression = model.expressions[range.figure] else { return false }
            let r = range.figure.release
            let earlier = before[r] ?? DisclosureAudit(releases: Array(releases.prefix(r)), cap: cap)
            before[r] = earlier
            // The earlier releases build the same unknowns first, so an expression over them means the same there.
            guard expression.terms.allSatisfy({ $0.variable.index < earlier.model.program.variableCount }),
                  let (low, high) = earlier.bounds(of: expression), let high else { return true }
            return high - low + 1 >= minimumRange
        }
    }

    /// Minimum and maximum (nil: unbounded) of `expression`, part by part: the parts share no constraint, so
    /// the bounds of a sum over several are the sums of their bounds. Nil when a part is infeasible.
    func bounds(of expression: LinearProgram.Expression) -> (Int, Int?)? {
        var byPart: [Int: [(variable: LinearProgram.Variable, coefficient: Double)]] = [:]
        for term in expression.terms {
            guard let part = parts.firstIndex(where: { $0.variables[term.variable] != nil }) else { return nil }
            byPart[part, default: []].append(term)
        }
        var low = 0.0, high: Double? = 0
        for (part, terms) in byPart {
            guard let objective = parts[part].translate(.init(terms)),
                  case .optimal(let l) = parts[part].program.minimise(objective) else { return nil }
            low += l
            switch parts[part].program.maximise(objective) {
            case .optimal(let h): high = high.map { $0 + h }
            case .unbounded: high = nil
            case .infeasible: return nil
            }
        }
        return (Int(low.rounded()), high.map { Int($0.rounded()) })
    }

    /// The expression of unknowns a published figure stands for (shown or suppressed).
    func expression(_ id: FigureID) -> LinearProgram.Expression? { model.expressions[id] }

    func part(_ id: FigureID) -> Int? { partOf[id] }

    func tables(inPart index: Int) -> Set<String> {
        Set(partOf.filter { $0.value == index }.map(\.key.table))
    }

    /// Figures sharing a constraint with `id`'s unknowns: the first to try suppressing when `id` is too narrow.
    func neighbours(of id: FigureID) -> Set<FigureID> {
        guard let expression = model.expressions[id] else { return [] }
        var touched = Set(expression.terms.map(\.variable))
        for constraint in model.program.constraints where constraint.expression.terms.contains(where: { touched.contains($0.variable) }) {
            // Only structural constraints (several unknowns); a published figure's own row names one expression.
            if constraint.expression.terms.count > 1 { touched.formUnion(constraint.expression.terms.map(\.variable)) }
        }
        return Set(model.expressions.filter { $0.value.terms.contains { touched.contains($0.variable) } }.map(\.key))
    }
}
