import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// `/council` for people: the released reports of the officer's own council area, each as a page with its
/// tables and bar charts (the report's own HTML, made from the signed bytes), and the downloads: the JSON
/// exactly as signed, the ODS spreadsheet, the tidy CSV, the detached signature and the public key (PEM). Nothing here can reach a case.
struct CouncilPagesController {
    let stores: Stores
    let kit: StaffPageKit
    let downloads: ReportDownloads
    /// The financial year's first month, for naming the months a release covers.
    let startMonth: Int

    func addRoutes(to group: RouterGroup<CouncilRequestContext>) {
        group.get("", use: list)
        group.get("reports/:quarter", use: reportPage)
        group.get("reports/:quarter/report.json") { request, context in
            let r = try await CouncilController.released(stores.reports, request, context)
            return download(r, "json", "application/json", ByteBuffer(bytes: r.document))
        }
        group.get("reports/:quarter/report.csv") { request, context in
            let r = try await CouncilController.released(stores.reports, request, context)
            return download(r, "csv", "text/csv; charset=utf-8", ByteBuffer(string: try downloads.csv(r.document)))
        }
        group.get("reports/:quarter/report.ods") { request, context in
            let r = try await CouncilController.released(stores.reports, request, context)
            return download(r, "ods", ReportDownloads.odsType, ByteBuffer(bytes: try downloads.ods(r.document, releasedAt: r.releasedAt)))
        }
        group.get("reports/:quarter/report.sig") { request, context in
            let r = try await CouncilController.released(stores.reports, request, context)
            return download(r, "json.sig", "text/plain; charset=utf-8", ByteBuffer(string: r.signature + "\n"))
        }
    }

    /// Every release, newest first, named in plain words. Each links to its own kind; a correction replaced by a
    /// later one is listed but not linked, since `?kind=correction` opens the latest.
    struct ListModel: PageModel {
        struct Row: Sendable, Encodable { let title, at: String; let period, note, href: String? }
        var title = "Released reports"
        let area: String
        let reports: [Row]
    }

    struct ReportModel: PageModel {
        let title, quarter, area, released, marker: String
        let threshold: Int
        /// The report's own HTML, escaped by the report builder.
        let body: String
        let base, query: String
        let about, current: String?
    }

    @Sendable func list(request: Request, context: CouncilRequestContext) async throws -> Response {
        let (officer, area) = (context.officer, context.area)
        let reports = try await stores.reports.releasedReports(councilArea: area).sorted { $0.releasedAt > $1.releasedAt }
        var latestCorrection: Set<String> = []   // quarters whose newest correction has been listed
        let corrected = Set(reports.filter { $0.kind == ReleaseKind.correction.rawValue }.map(\.quarter))
        let rows = reports.compactMap { r -> ListModel.Row? in
            guard let quarter = Quarter(r.quarter) else { return nil }
            let kind = ReleaseKind(rawValue: r.kind) ?? .quarter
            let (note, href): (String?, String?) = switch kind {
            case .correction where !latestCorrection.insert(r.quarter).inserted: ("replaced by a later correction", nil)
            case .quarter where corrected.contains(r.quarter): ("first release, since replaced by a correction", Self.path(r.quarter, kind))
            default: (nil, Self.path(r.quarter, kind))
            }
            return ListModel.Row(title: kind.title(quarter, startMonth: startMonth), at: r.releasedAt.formatted(StaffPageKit.dateTime),
                                 period: kind == .yearToDate ? nil : ReleaseKind.months(from: quarter, to: quarter, startMonth: startMonth),
                                 note: note, href: href)
        }
        return kit.render("council-reports", request, officer, ListModel(area: IntakeQuestions.areaLabel(area), reports: rows))
    }

    static func path(_ quarter: String, _ kind: ReleaseKind) -> String { "/council/reports/\(quarter)?kind=\(kind.rawValue)" }

    @Sendable func reportPage(request: Request, context: CouncilRequestContext) async throws -> Response {
        let officer = context.officer
        let r = try await CouncilController.released(stores.reports, request, context)
        let html = try downloads.html(r.document)
        let policy = (try? JSONSerialization.jsonObject(with: Data(r.document)) as? [String: Any])?["policy"] as? [String: Any]
        let marker = policy?["suppression_marker"] as? String ?? "c"
        let threshold = policy?["threshold"] as? Int ?? 4
        let kind = ReleaseKind(rawValue: r.kind) ?? .quarter
        let quarter = Quarter(r.quarter)
        let title = quarter.map { kind.title($0, startMonth: startMonth) } ?? r.quarter
        let months = quarter.map { ReleaseKind.months(from: $0, to: $0, startMonth: startMonth) } ?? r.quarter
        var (about, current): (String?, String?) = (nil, nil)
        switch kind {
        case .correction:
            about = "This correction replaces the figures first released for \(r.quarter) (\(months))."
        case .yearToDate:
            about = "The financial year so far, up to the end of \(r.quarter), counted together."
        case .quarter:
            // An officer reading superseded figures is told so, with the way to the current ones.
            if try await stores.reports.releasedReport(councilArea: r.councilArea, quarter: r.quarter, kind: ReleaseKind.correction.rawValue) != nil {
                about = "These are the figures as first released. A correction has since replaced them."
                current = Self.path(r.quarter, .correction)
            }
        }
        let model = ReportModel(title: title, quarter: r.quarter, area: IntakeQuestions.areaLabel(r.councilArea),
                                released: r.releasedAt.formatted(StaffPageKit.dateTime), marker: marker, threshold: threshold,
                                body: Self.body(of: html, marker: marker), base: "/council/reports/\(r.quarter)",
                                query: "?kind=\(kind.rawValue)", about: about, current: current)
        return kit.render("council-report", request, officer, model)
    }

    /// The report page's `<main>` content (escaped by the report builder), with each suppressed cell linked
    /// to the footnote that explains the marker.
    static func body(of html: String, marker: String) -> String {
        var inner = html
        if let start = html.range(of: "<main>"), let end = html.range(of: "</main>", range: start.upperBound..<html.endIndex) {
            inner = String(html[start.upperBound..<end.lowerBound])
        }
        let escaped = marker.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return inner.replacingOccurrences(
            of: "<td>\(escaped)</td>",
            with: "<td class=\"suppressed\">\(escaped)<a class=\"note-ref\" href=\"#note-suppressed\"><span class=\"visually-hidden\"> (hidden: see note)</span>*</a></td>")
    }

    private func download(_ r: ReleasedReport, _ ext: String, _ type: String, _ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: type,
                                        .contentDisposition: "attachment; filename=\"\(CouncilController.fileName(r)).\(ext)\""],
                 body: .init(byteBuffer: body))
    }
}
