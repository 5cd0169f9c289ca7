import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// Trends for the council: each figure over the last eight quarters, built only from the officer's own
/// area's released reports (`Trends`), as JSON or CSV (`GET /api/v1/council/trends?figure=`), as a page with an SVG
/// chart (`/council/trends`), and a one-page summary for committee papers (`/council/summary`, printable).
struct TrendsController {
    let stores: Stores
    let kit: StaffPageKit
    let words: ReportWords

    struct TrendJSON: ResponseEncodable {
        struct Point: Encodable {
            let quarter: String
            /// A number, the suppression marker, or null when not published.
            let value: JSONValueOut, sameQuarterYearBefore: JSONValueOut
            let change: Double?
        }
        let figure, title, councilArea, marker: String
        let points: [Point]
    }

    func addRoutes(api: RouterGroup<CouncilRequestContext>, pages: RouterGroup<CouncilRequestContext>) {
        api.get("trends") { request, context in
            let trend = try await trend(request, context)
            if request.uri.queryParameters["format"] == "csv" { return Self.csv(trend, area: context.area) }
            guard request.uri.queryParameters["format"].map({ $0 == "json" }) ?? true else {
                throw APIError.field("format", "unknown_value", "Use json or csv.")
            }
            return try TrendJSON(trend, area: context.area).response(from: request, context: context)
        }
        pages.get("trends", use: trendPage)
        pages.get("trends.csv") { request, context in Self.csv(try await trend(request, context), area: context.area) }
        pages.get("summary", use: summaryPage)
    }

    /// The series as a CSV download (the API's `format=csv` and the page's link alike).
    static func csv(_ trend: Trend, area: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                        .contentDisposition: "attachment; filename=\"trend-\(area)-\(trend.figure).csv\""],
                 body: .init(byteBuffer: ByteBuffer(string: trend.csv())))
    }

    /// The trend asked for (`figure`, default the referrals received), of the officer's own area only.
    private func trend(_ request: Request, _ context: CouncilRequestContext) async throws -> Trend {
        let name = request.uri.queryParameters["figure"].map(String.init) ?? "referrals_received"
        return try await trends([name], context)[0]
    }

    /// Several trends from one read of the area's releases (parsing is done off the cooperative threads).
    private func trends(_ names: [String], _ context: CouncilRequestContext) async throws -> [Trend] {
        let documents = try await stores.reports.ledgerReleases(councilArea: context.area).map { (kind: $0.summary.kind, document: $0.document) }
        return try await Trends.trends(names, documents: documents)
    }

    struct Row: Sendable, Encodable { let quarter, value, yearBefore, change: String }
    struct Choice: Sendable, Encodable { let value, label: String; let selected: Bool }
    struct Group: Sendable, Encodable { let label: String; let options: [Choice] }
    struct TrendModel: PageModel {
        let title, area, figure, chart, csvHref: String
        let rows: [Row]
        /// The picker: the headline figures, then one group per table (its total and categories), in plain words.
        let groups: [Group]
        let empty: Bool
    }

    static func rows(_ trend: Trend) -> [Row] {
        trend.points.map { p in
            Row(quarter: p.quarter, value: p.value.map { $0.shown(marker: trend.marker) }.flatMap { $0.isEmpty ? nil : $0 } ?? "not published",
                yearBefore: p.yearBefore.map { $0.shown(marker: trend.marker) }.flatMap { $0.isEmpty ? nil : $0 } ?? "not published",
                change: p.change.map { $0 > 0 ? "+\(Self.number($0))" : Self.number($0) } ?? "")
        }
    }

    /// A figure's title in the area's words ("Level of need at first assessment: Level 4: Statutory social care").
    static func title(_ figure: String, words: ReportWords, area: String) -> String {
        let parts = figure.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return words.figure(figure) }
        return words.table(parts[0]) + ": " + words.category(table: parts[0], code: parts[1], area: area)
    }

    static let meetingsAsked = "\(ReportTables.meetingsByOutcome).total", meetingsHeld = "\(ReportTables.meetingsByOutcome).held"

    /// "Families asked for 7 meetings with a school, college or the council in 2026-Q1; the other side agreed and 3
    /// were held." From the quarter's release only; a hidden count is said as hidden, never worked out.
    static func meetingsLine(_ trends: [Trend], quarter: String) -> String? {
        func value(_ figure: String) -> String? {
            guard let t = trends.first(where: { $0.figure == figure }), let p = t.points.last, p.quarter == quarter, let v = p.value else { return nil }
            return v == .suppressed ? "a small number (hidden, \(t.marker))" : v.shown(marker: t.marker)
        }
        guard let asked = value(meetingsAsked) else { return nil }
        if asked == "0" { return "No family asked for a meeting with a school, college or the council in \(quarter)." }
        let held = value(meetingsHeld) ?? "none"
        return "Families asked for \(asked) meetings with a school, college or the council in \(quarter); "
            + "the other side agreed and the meeting was held \(held == "1" ? "once" : "\(held) times")."
    }

    static func number(_ x: Double) -> String { x.rounded() == x ? String(Int(x)) : String(format: "%.1f", x) }

    @Sendable func trendPage(request: Request, context: CouncilRequestContext) async throws -> Response {
        let trend = try await trend(request, context)
        let area = context.area
        let groups = [Group(label: "Headline figures", options: ReportContent.figureOrder.map {
            Choice(value: $0, label: words.figure($0), selected: $0 == trend.figure)
        })] + ReportTables.order.map { table in
            Group(label: words.table(table), options: (["total"] + ReportTables.categories(table)).map {
                Choice(value: "\(table).\($0)", label: words.category(table: table, code: $0, area: area), selected: "\(table).\($0)" == trend.figure)
            })
        }
        let title = Self.title(trend.figure, words: words, area: area)
        let model = TrendModel(title: "Trends: \(title)", area: IntakeQuestions.areaLabel(area), figure: title,
                               chart: trend.svg(), csvHref: "/council/trends.csv?figure=\(trend.figure)", rows: Self.rows(trend),
                               groups: groups, empty: trend.points.isEmpty)
        return kit.render("council-trends", request, context.officer, model)
    }

    struct SummaryModel: PageModel {
        struct Figure: Sendable, Encodable { let title, value, yearBefore, change: String }
        let title, area, quarter, chart: String
        let figures: [Figure]
        let empty: Bool
        /// One line: how many meetings families asked for, and how many the other side agreed to and held.
        var meetings: String? = nil
    }

    /// The latest released quarter's headline counts beside the same quarter a year before, and the referrals
    /// over two years: one page, printable for committee papers.
    @Sendable func summaryPage(request: Request, context: CouncilRequestContext) async throws -> Response {
        let all = try await trends(ReportContent.figureOrder, context)
        let referrals = all.first { $0.figure == "referrals_received" }
        var figures: [SummaryModel.Figure] = []
        for t in all {
            guard let last = t.points.last, let row = Self.rows(t).last else { continue }
            figures.append(.init(title: t.title, value: last.value == nil ? "not published" : row.value, yearBefore: row.yearBefore, change: row.change))
        }
        let model = SummaryModel(title: "Summary for committee", area: IntakeQuestions.areaLabel(context.area),
                                 quarter: referrals?.points.last?.quarter ?? "", chart: referrals?.svg() ?? "", figures: figures,
                                 empty: referrals?.points.isEmpty ?? true)
        var page = model
        page.meetings = Self.meetingsLine(try await trends([Self.meetingsAsked, Self.meetingsHeld], context), quarter: model.quarter)
        return kit.render("council-summary", request, context.officer, page)
    }
}

/// A number, a marker string, or null, in the trend JSON.
enum JSONValueOut: Encodable {
    case number(Double), text(String), null

    init(_ value: PublishedValue?, marker: String) {
        switch value {
        case .count(let n)?: self = .number(Double(n))
        case .number(let x)?: self = .number(x)
        case .suppressed?: self = .text(marker)
        case .withheld?, nil: self = .null
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let x): if x.rounded() == x, abs(x) < 1e15 { try c.encode(Int(x)) } else { try c.encode(x) }
        case .text(let s): try c.encode(s)
        case .null: try c.encodeNil()
        }
    }
}

extension TrendsController.TrendJSON {
    init(_ trend: Trend, area: String) {
        figure = trend.figure
        title = trend.title
        councilArea = area
        marker = trend.marker
        points = trend.points.map {
            .init(quarter: $0.quarter, value: JSONValueOut($0.value, marker: trend.marker),
                  sameQuarterYearBefore: JSONValueOut($0.yearBefore, marker: trend.marker), change: $0.change)
        }
    }
}
