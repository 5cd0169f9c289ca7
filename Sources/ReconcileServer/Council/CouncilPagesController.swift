import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// `/council` for people: the released reports of the officer's own council area, each as a page with its
/// tables and bar charts (the report's own HTML, made from the signed bytes), and the downloads: the JSON
/// exactly as signed, CSV, the detached signature and the public key. Nothing here can reach a case.
struct CouncilPagesController {
    let database: AppDatabase
    let kit: StaffPageKit

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("", use: list)
        group.get("reports/:quarter", use: reportPage)
        group.get("reports/:quarter/report.json") { request, context in
            let r = try await released(context)
            return download(r, "json", "application/json", ByteBuffer(bytes: r.document))
        }
        group.get("reports/:quarter/report.csv") { request, context in
            let r = try await released(context)
            return download(r, "csv", "text/csv; charset=utf-8", ByteBuffer(string: try ReportBuilder.csv(for: r.document)))
        }
        group.get("reports/:quarter/report.sig") { request, context in
            let r = try await released(context)
            return download(r, "json.sig", "text/plain; charset=utf-8", ByteBuffer(string: r.signature + "\n"))
        }
    }

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try context.requireStaff()
        let area = try Self.area(officer)
        let reports = try await database.releasedReports(councilArea: area).sorted { $0.releasedAt > $1.releasedAt }
        return kit.render("council-reports", request, officer, [
            "title": "Released reports", "area": IntakeQuestions.areaLabel(area),
            "reports": reports.map {
                ["quarter": $0.quarter, "kind": StaffPageKit.words($0.kind), "at": $0.releasedAt.formatted(StaffPageKit.dateTime)]
            },
        ])
    }

    @Sendable func reportPage(request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try context.requireStaff()
        let r = try await released(context)
        let html = try ReportBuilder.html(for: r.document)
        let policy = (try? JSONSerialization.jsonObject(with: Data(r.document)) as? [String: Any])?["policy"] as? [String: Any]
        let marker = policy?["suppression_marker"] as? String ?? "c"
        let threshold = policy?["threshold"] as? Int ?? 4
        var values: [String: Any] = [
            "title": "Report \(r.quarter)", "quarter": r.quarter, "area": IntakeQuestions.areaLabel(r.councilArea),
            "released": r.releasedAt.formatted(StaffPageKit.dateTime), "marker": marker, "threshold": threshold,
            "body": Self.body(of: html, marker: marker),
        ]
        values["base"] = "/council/reports/\(r.quarter)"
        return kit.render("council-report", request, officer, values)
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
                                        .contentDisposition: "attachment; filename=\"reconcile-\(r.councilArea)-\(r.quarter).\(ext)\""],
                 body: .init(byteBuffer: body))
    }

    static func area(_ officer: StaffAccount) throws -> String {
        guard officer.role == .council, let area = officer.councilArea else {
            throw APIError(.forbidden, code: "forbidden", message: "Your account cannot open this page.")
        }
        return area
    }

    /// Only the officer's own area: another area's quarter is simply not found.
    private func released(_ context: AppRequestContext) async throws -> ReleasedReport {
        let area = try Self.area(try context.requireStaff())
        guard let text = context.parameters.get("quarter"), let quarter = Quarter(text) else {
            throw APIError(.notFound, code: "not_found", message: "Quarters look like 2026-Q1.")
        }
        guard let released = try await database.releasedReport(councilArea: area, quarter: quarter.description) else {
            throw APIError(.notFound, code: "not_found", message: "No report has been released for that quarter.")
        }
        return released
    }
}
