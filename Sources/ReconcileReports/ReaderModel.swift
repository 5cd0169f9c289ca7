import LinearProgramming
import ReconcileCore

/// One published figure: a cell or total of a table, or a headline figure (table `figures`), of one release.
public struct FigureID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Position of the release in the audited sequence (oldest first; the candidate last).
    public let release: Int
    public let table: String
    public let category: String

    public init(release: Int, table: String, category: String) {
        self.release = release
        self.table = table
        self.category = category
    }

    /// Release order, then the page's table order, then category list order: every choice made from a set of
    /// figures follows this, so protection is deterministic.
    public static func < (a: FigureID, b: FigureID) -> Bool {
        (a.release, tableRank(a.table), a.table, categoryRank(a), a.category)
            < (b.release, tableRank(b.table), b.table, categoryRank(b), b.category)
    }

    static func tableRank(_ table: String) -> Int {
        table == ReportBuilder.figuresTable ? -1 : ReportTables.order.firstIndex(of: table) ?? ReportTables.order.count
    }

    static func categoryRank(_ id: FigureID) -> Int {
        if id.table == ReportBuilder.figuresTable { return ReportContent.figureOrder.firstIndex(of: id.category) ?? 99 }
        if id.category == "total" { return 999 }
        return ReportTables.categories(id.table).firstIndex(of: id.category) ?? 998
    }

    public var description: String {
        table == ReportBuilder.figuresTable ? "figure \"\(category)\""
            : category == "total" ? "table \"\(table)\", total" : "table \"\(table)\", category \"\(category)\""
    }
}

/// What a reader holding every release of an area's financial year knows, as linear constraints over unknown
/// counts (SPEC "Quarterly feedback to the council"):
///
/// - each quarter's counts are unknown whole numbers ≥ 0; a correction replaces its quarter with new unknowns
///   (the old release stays true of the old figures), and later releases refer to the latest version;
/// - a shown count is exact, or with rounding on, the interval of counts that round to it (and, as the policy
///   says, never 1…threshold); a suppressed count is at least 1 (zeros are shown); a withheld figure says nothing;
/// - single-choice tables add up to their total; in a multi-select table no cell exceeds the total and, as every
///   such question must be answered, the cells add up to at least the total;
/// - tables over the same population share one total: every referral table and `referrals_received`; level of
///   need and needs identified; both signpost tables;
/// - an optional multi-select table (what it was like) has no cell above the total, and no lower bound on its sum;
/// - a year to date is the sum of its quarters, except two snapshots: `open_cases_at_end` is its last quarter's,
///   and signposts (and safeguarding escalations) by outcome "so far" (outcomes change after a quarter is
///   released), whose cells are unknowns of their own adding up to the year's signposts (escalations);
/// - both safeguarding tables share the headline `safeguarding_escalations` as their total; every escalation
///   takes at least one route;
/// - the three family feedback tables share one total of their own, the responses given (each has a
///   `not_answered` cell, so each adds up to it);
/// - complaints by time to respond add up to the complaints cell of complaints and compliments; in a year to date
///   they are a snapshot ("so far": a response is recorded after its quarter is released), like signposts by outcome;
/// - meetings by party and by outcome share one total of their own, the meetings asked for; "did it help" adds up to
///   the held cell of meetings by outcome. In a year to date the outcomes are a snapshot over the year's meetings, and
///   "did it help" a snapshot adding up to that snapshot's held cell (a meeting is held, and its view given, later).
///
/// Not modelled: the median and the percentage within target (withheld on small bases, and not counts), and
/// theme text.
struct ReaderModel {
    /// Tables sharing the referrals total.
    static let referralTables = ReportTables.referralTables
    static let headlineCounts = ReportBuilder.countFigures

    var program = LinearProgram()
    /// Every published figure that was suppressed, with the expression of unknowns it stands for.
    private(set) var suppressed: [(id: FigureID, expression: LinearProgram.Expression)] = []
    /// Every figure that was shown (or suppressed), for choosing what else to suppress.
    private(set) var expressions: [FigureID: LinearProgram.Expression] = [:]

    /// Unknowns of one version of one quarter: table → category ("total" too) → variable.
    typealias Block = [String: [String: LinearProgram.Variable]]
    private var current: [Quarter: Block] = [:]

    /// An upper bound on every unknown, for comparing with a brute-force count over a bounded world (tests).
    private let cap: Double?

    init(releases: [ReportContent], cap: Int? = nil) {
        self.cap = cap.map(Double.init)
        for (index, release) in releases.enumerated() { add(release, index: index) }
    }

    private mutating func add(_ release: ReportContent, index: Int) {
        guard let quarter = Quarter(release.quarter) else { return }
        let kind = ReleaseKind(rawValue: release.kind) ?? .quarter
        let reading = Reading(threshold: release.threshold, roundingBase: release.roundingBase)
        let expression: (String, String) -> LinearProgram.Expression?
        switch kind {
        case .quarter, .correction:
            // A first release of a quarter keeps unknowns an earlier year to date already summed; a correction
            // starts a new version of the quarter.
            let block = (kind == .correction ? nil : current[quarter]) ?? newBlock()
            current[quarter] = block
            expression = { table, category in block[table]?[category].map { .init(sum: [$0]) } }
        case .yearToDate:
            var blocks: [Block] = []
            for q in quarter.yearToDate {
                let block = current[q] ?? newBlock()  // a quarter not released (yet): unknowns only
                current[q] = block
                blocks.append(block)
            }
            let outcome = ownOutcomeTable(ReportTables.signpostsByOutcome, total: blocks.compactMap { $0[ReportTables.signpostsByOutcome]?["total"] })
            let escalationOutcome = ownOutcomeTable(ReportTables.safeguardingByOutcome,
                                                    total: blocks.compactMap { $0[ReportTables.safeguardingByOutcome]?["total"] })
            let responseTime = ownOutcomeTable(ReportTables.complaintsByResponseTime,
                                               total: blocks.compactMap { $0[ReportTables.complaintsByResponseTime]?["total"] })
            let meetingOutcome = ownOutcomeTable(ReportTables.meetingsByOutcome,
                                                 total: blocks.compactMap { $0[ReportTables.meetingsByOutcome]?["total"] })
            let heldSoFar = meetingOutcome[MeetingOutcome.held.rawValue]
            let helped = ownOutcomeTable(ReportTables.meetingHelped, total: heldSoFar.map { [$0] } ?? [])
            expression = { table, category in
                if table == ReportBuilder.figuresTable, category == ReportBuilder.openAtEnd {
                    return blocks.last?[table]?[category].map { .init(sum: [$0]) }
                }
                if table == ReportTables.signpostsByOutcome, category != "total" {
                    return outcome[category].map { .init(sum: [$0]) }
                }
                if table == ReportTables.safeguardingByOutcome, category != "total" {
                    return escalationOutcome[category].map { .init(sum: [$0]) }
                }
                if table == ReportTables.complaintsByResponseTime, category != "total" {
                    return responseTime[category].map { .init(sum: [$0]) }
                }
                if table == ReportTables.meetingsByOutcome, category != "total" {
                    return meetingOutcome[category].map { .init(sum: [$0]) }
                }
                if table == ReportTables.meetingHelped {
                    return (category == "total" ? heldSoFar : helped[category]).map { .init(sum: [$0]) }
                }
                let variables = blocks.compactMap { $0[table]?[category] }
                return variables.count == blocks.count ? .init(sum: variables) : nil
            }
        }
        var published: [(FigureID, PublishedValue)] = release.figures.map {
            (FigureID(release: index, table: ReportBuilder.figuresTable, category: $0.name), $0.value)
        }
        for table in release.tables {
            published += table.cells.map { (FigureID(release: index, table: table.name, category: $0.category), $0.value) }
            published.append((FigureID(release: index, table: table.name, category: "total"), table.total))
        }
        for (id, value) in published {
            guard let e = expression(id.table, id.category) else { continue }
            switch value {
            case .count(let n):
                expressions[id] = e
                let (low, high) = reading.interval(shown: n)
                if low == high { program.add(e, .equal, Double(low)) } else {
                    program.add(e, .greaterOrEqual, Double(low))
                    program.add(e, .lessOrEqual, Double(high))
                }
            case .suppressed:
                expressions[id] = e
                suppressed.append((id, e))
                program.add(e, .greaterOrEqual, 1)
            case .number, .withheld:
                break
            }
        }
    }

    /// A year to date's outcomes "so far" (of signposts, or of safeguarding escalations): unknowns of its own that
    /// add up to the year's signposts (or escalations), since outcomes change after a quarter is released.
    private mutating func ownOutcomeTable(_ table: String, total: [LinearProgram.Variable]) -> [String: LinearProgram.Variable] {
        var cells: [String: LinearProgram.Variable] = [:]
        for category in ReportTables.categories(table) { cells[category] = program.addVariable(upper: cap) }
        program.add(.init(cells.values.map { ($0, 1.0) } + total.map { ($0, -1.0) }), .equal, 0)
        return cells
    }

    private mutating func newBlock() -> Block {
        var block: Block = [:]
        var figures: [String: LinearProgram.Variable] = [:]
        for name in Self.headlineCounts { figures[name] = program.addVariable(upper: cap) }
        // Both are headline counts; were one ever dropped from that list, it would be a free unknown, not a trap.
        let referrals = figures["referrals_received"] ?? program.addVariable(upper: cap)
        let escalations = figures["safeguarding_escalations"] ?? program.addVariable(upper: cap)
        figures["referrals_received"] = referrals
        figures["safeguarding_escalations"] = escalations
        block[ReportBuilder.figuresTable] = figures
        let assessed = program.addVariable(upper: cap), signposts = program.addVariable(upper: cap), closed = program.addVariable(upper: cap)
        let feedback = program.addVariable(upper: cap), meetings = program.addVariable(upper: cap)
        for table in ReportTables.order {
            let total: LinearProgram.Variable
            switch table {
            case _ where Self.referralTables.contains(table): total = referrals
            case ReportTables.levelOfNeed, ReportTables.needs: total = assessed
            case ReportTables.signpostsByNeed, ReportTables.signpostsByOutcome: total = signposts
            case ReportTables.safeguardingByRoute, ReportTables.safeguardingByOutcome: total = escalations
            case ReportTables.offersByChannel: total = program.addVariable(upper: cap)   // letters, not people: its own total
            case ReportTables.experienceThemes: total = program.addVariable(upper: cap)  // cases tagged in the period
            case _ where ReportTables.feedbackTables.contains(table): total = feedback     // responses given, not referrals
            case ReportTables.complaintsByKind: total = program.addVariable(upper: cap)
            // Every complaint received is in one time band: the bands add up to the complaints cell (listed first).
            case ReportTables.complaintsByResponseTime:
                total = block[ReportTables.complaintsByKind]?["complaint"] ?? program.addVariable(upper: cap)
            case ReportTables.meetingsByParty, ReportTables.meetingsByOutcome: total = meetings   // meetings asked for
            // Only a held meeting is asked whether it helped: the answers add up to the held cell (listed before).
            case ReportTables.meetingHelped:
                total = block[ReportTables.meetingsByOutcome]?[MeetingOutcome.held.rawValue] ?? program.addVariable(upper: cap)
            default: total = closed
            }
            let categories = ReportTables.categories(table)
            let variables = categories.map { _ in program.addVariable(upper: cap) }
            var cells: [String: LinearProgram.Variable] = ["total": total]
            for (category, variable) in zip(categories, variables) { cells[category] = variable }
            let sum = LinearProgram.Expression(variables.map { ($0, 1.0) } + [(total, -1.0)])
            if ReportTables.nonAdditive.contains(table) {
                // Every required multi-select question is answered: at least one tick per referral (or case
                // assessed). An optional one (what it was like) may have none.
                if !ReportTables.optionalMultiSelect.contains(table) { program.add(sum, .greaterOrEqual, 0) }
                for variable in variables { program.add(.init([(variable, 1), (total, -1)]), .lessOrEqual, 0) }
            } else {
                program.add(sum, .equal, 0)
            }
            block[table] = cells
        }
        return block
    }
}

/// How a reader reads a shown count under a release's policy.
struct Reading {
    let threshold: Int
    let roundingBase: Int?

    /// The counts a shown figure may stand for: itself, or with rounding on, every count the policy would have
    /// rounded to it (a count in 1…threshold is never shown, so it is not among them).
    func interval(shown n: Int) -> (Int, Int) {
        guard let base = roundingBase, base > 1, n > 0 else { return (n, n) }
        var policy = DisclosurePolicy()
        policy.threshold = threshold
        policy.roundingBase = base
        let candidates = (max(threshold + 1, n - base)...(n + base)).filter { DisclosureControl.rounded($0, policy) == n }
        guard let low = candidates.first, let high = candidates.last else { return (n, n) }
        return (low, high)
    }
}
