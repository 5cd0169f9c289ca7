import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// Pages for leads around a release: the preview of exactly what releasing would sign, with the counts protection
/// hid beyond the threshold and why, and the release button under it; and every released report of every area,
/// opened as the council reads it, with its downloads.
struct ReleasePagesController {
    let stores: Stores
    let settings: Settings
    let policy: DisclosurePolicy
    let downloads: ReportDownloads
    let kit: StaffPageKit

    func addRoutes(to leads: RouterGroup<StaffRequestContext>) {
        leads.get("reports/preview", use: previewPage)
        leads.get("reports/:area/:quarter", use: reportPage)
        for ext in ["json", "csv", "ods", "sig"] {
            leads.get(RouterPath("reports/:area/:quarter/report.\(ext)")) { request, context -> Response in
                let released = try await released(request, context)
                if ext == "sig" {
                    return ReportDownloads.file(ByteBuffer(string: released.signature + "\n"), "text/plain; charset=utf-8",
                                                CouncilController.fileName(released) + ".json.sig")
                }
                var response = try downloads.response(released, format: ext)
                if ext == "json" {
                    response.headers[.contentDisposition] = "attachment; filename=\"\(CouncilController.fileName(released)).json\""
                }
                return response
            }
        }
    }

    private func released(_ request: Request, _ context: StaffRequestContext) async throws -> ReleasedReport {
        guard let area = context.parameters.get("area"), settings.areas.councilAreas.contains(area) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such council area.")
        }
        return try await CouncilController.released(stores.reports, area: area, quarter: context.parameters.get("quarter"),
                                                    kind: request.uri.queryParameters["kind"].map(String.init))
    }

    struct PreviewModel: PageModel {
        struct Hidden: Sendable, Encodable { let table, category, why: String }
        let title, area, areaCode, quarter, kind, kindTitle: String
        let hidden: [Hidden]
        let hasHidden: Bool
        let problems: [String]
        let hasProblems: Bool
        let body: String
        let threshold: Int
        let marker: String
    }

    /// The lead's preview: 422 naming the field for an unknown area, quarter or kind, as the API answers.
    @Sendable func previewPage(request: Request, context: StaffRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        do {
            guard let quarter = query["quarter"].flatMap({ Quarter(String($0).trimmingCharacters(in: .whitespaces)) }) else {
                throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
            }
            let area = try ReportsController.area(request, settings)
            let kind = try ReleaseKind.named(query["kind"].map(String.init)) ?? .quarter
            let preview = try await ReportBuilder(reports: stores.reports, settings: settings, policy: policy)
                .preview(councilArea: area, quarter: quarter, kind: kind)
            let words = downloads.words
            let html = try downloads.html(preview.report.document)
            let content = try ReportContent(document: preview.report.document)
            let kindTitle = kind.title(quarter, startMonth: settings.reporting.quarterStartMonth)
            let model = PreviewModel(
                title: "Preview: \(kindTitle) for \(words.area(area))", area: words.area(area), areaCode: area, quarter: quarter.description,
                kind: kind.rawValue, kindTitle: kindTitle,
                hidden: preview.hidden.map {
                    .init(table: $0.table == ReportBuilder.figuresTable ? "Headline figures" : words.table($0.table),
                          category: $0.table == ReportBuilder.figuresTable ? words.figure($0.category)
                              : words.category(table: $0.table, code: $0.category, area: area),
                          why: $0.explanation(minimumRange: policy.minimumRange))
                },
                hasHidden: !preview.hidden.isEmpty, problems: preview.problems, hasProblems: !preview.problems.isEmpty,
                body: CouncilPagesController.body(of: html, marker: content.marker), threshold: content.threshold, marker: content.marker)
            return kit.render("staff-report-preview", request, context.staff, model)
        } catch let error as APIError {
            return kit.error(request, context.staff, error, back: "/staff/themes")
        } catch let error as ReportError {
            return kit.error(request, context.staff, APIError.answer(for: error), back: "/staff/themes")
        }
    }

    struct ReportModel: PageModel {
        let title, area, released, marker, base, query: String
        let threshold: Int
        let body: String
    }

    @Sendable func reportPage(request: Request, context: StaffRequestContext) async throws -> Response {
        let r = try await released(request, context)
        let content = try ReportContent(document: r.document)
        let kind = ReleaseKind(rawValue: r.kind) ?? .quarter
        let title = Quarter(r.quarter).map { kind.title($0, startMonth: settings.reporting.quarterStartMonth) } ?? r.quarter
        let model = ReportModel(title: "\(title) for \(downloads.words.area(r.councilArea))", area: downloads.words.area(r.councilArea),
                                released: r.releasedAt.formatted(StaffPageKit.dateTime), marker: content.marker,
                                base: "/staff/reports/\(r.councilArea)/\(r.quarter)", query: "?kind=\(kind.rawValue)",
                                threshold: content.threshold,
                                body: CouncilPagesController.body(of: try downloads.html(r.document), marker: content.marker))
        return kit.render("staff-report", request, context.staff, model)
    }
}
