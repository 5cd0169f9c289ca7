import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// `/api/v1/themes` and `/api/v1/reports` for leads: approve and withdraw lessons-learned themes, preview and release
/// a report (a quarter, a correction, the year to date), and open every released report of every area.
struct ReportsController {
    let stores: Stores
    let settings: Settings
    let policy: DisclosurePolicy
    let downloads: ReportDownloads

    struct Created: ResponseEncodable { let id: String }
    struct Released: ResponseEncodable {
        let id: String; let quarter: String; let councilArea: String; let kind: String; let releasedAt: Date; let signature: String
    }

    func addRoutes(themes: RouterGroup<StaffRequestContext>, reports: RouterGroup<StaffRequestContext>) {
        themes.post(use: addTheme)
        themes.delete(":id", use: withdrawTheme)
        reports.post(":quarter/release", use: release)
        reports.get(":quarter/preview", use: preview)
        reports.get(use: listReleased)
        reports.get(":quarter", use: openReleased)
    }

    /// The area a lead names in the query: 422 naming `council_area` when it is missing or not configured.
    static func area(_ request: Request, _ settings: Settings) throws -> String {
        guard let area = request.uri.queryParameters["council_area"].map(String.init), settings.areas.councilAreas.contains(area) else {
            throw APIError.field("council_area", "unknown_value", "Name one of the configured council areas.")
        }
        return area
    }

    /// Exactly what `release` would sign (but for `generated_at`), which counts protection hid beyond the threshold
    /// and why, and the themes a release would be refused for. Nothing is stored.
    @Sendable func preview(request: Request, context: StaffRequestContext) async throws -> Response {
        guard let text = context.parameters.get("quarter"), let quarter = Quarter(text) else {
            throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
        }
        let area = try Self.area(request, settings)
        let kind = try ReleaseKind.named(request.uri.queryParameters["kind"].map(String.init)) ?? .quarter
        let preview = try await ReportBuilder(reports: stores.reports, settings: settings, policy: policy)
            .preview(councilArea: area, quarter: quarter, kind: kind)
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Self.previewJSON(preview, minimumRange: policy.minimumRange))))
    }

    /// The preview's answer, with the document embedded byte for byte (canonical JSON sorts keys and writes
    /// values the same way, so the document inside is the very text that would be signed).
    static func previewJSON(_ preview: ReleasePreview, minimumRange: Int) throws -> [UInt8] {
        let hidden: [CanonicalJSON] = preview.hidden.map {
            .object(["table": .string($0.table), "category": .string($0.category), "reason": .string($0.reason.rawValue),
                     "explanation": .string($0.explanation(minimumRange: minimumRange))])
        }
        return CanonicalJSON.object([
            "quarter": .string(preview.report.quarter.description), "council_area": .string(preview.report.councilArea),
            "kind": .string(preview.report.kind.rawValue), "document": try CanonicalJSON.parse(preview.report.document),
            "hidden_beyond_threshold": .array(hidden), "problems": .array(preview.problems.map { .string($0) }),
        ]).bytes
    }

    struct ReleasedList: ResponseEncodable {
        struct Item: Encodable { let quarter, councilArea, kind: String; let releasedAt: Date }
        let reports: [Item]
    }

    /// Every released report of every area, newest first.
    @Sendable func listReleased(request: Request, context: StaffRequestContext) async throws -> ReleasedList {
        var items: [ReleasedList.Item] = []
        for area in settings.areas.councilAreas {
            items += try await stores.reports.releasedReports(councilArea: area).map {
                .init(quarter: $0.quarter, councilArea: $0.councilArea, kind: $0.kind, releasedAt: $0.releasedAt)
            }
        }
        return ReleasedList(reports: items.sorted { $0.releasedAt > $1.releasedAt })
    }

    /// One released report of any area, in any format (as the council downloads it).
    @Sendable func openReleased(request: Request, context: StaffRequestContext) async throws -> Response {
        let format = try ReportDownloads.format(request)
        let released = try await CouncilController.released(stores.reports, area: try Self.area(request, settings),
                                                            quarter: context.parameters.get("quarter"),
                                                            kind: request.uri.queryParameters["kind"].map(String.init))
        return try downloads.response(released, format: format)
    }

    @Sendable func addTheme(request: Request, context: StaffRequestContext) async throws -> EditedResponse<Created> {
        let staff = context.staff
        let fields = try await JSONFields.read(request, maxBytes: settings.limits.maxBodyBytes, allowed: ["quarter", "council_area", "text"])
        guard let quarter = Quarter(try fields.requiredString("quarter")) else {
            throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
        }
        let id = try await stores.reports.addTheme(quarter: quarter, councilArea: try fields.requiredString("council_area"),
                                             text: try fields.requiredString("text"), councilAreas: settings.areas.councilAreas,
                                             by: staff.actor)
        return EditedResponse(status: .created, response: Created(id: id))
    }

    /// Withdraws an approved theme, for instance one a release refused because it names a family: until it
    /// goes, that quarter cannot be released. 204, or 404 for a theme that is not there (already withdrawn).
    @Sendable func withdrawTheme(request: Request, context: StaffRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), CaseTarget.isID(id),
              try await stores.reports.removeTheme(id: id, by: context.staff.actor) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such theme.")
        }
        context.logger.info("theme withdrawn", metadata: ["theme.id": "\(id)"])
        return Response(status: .noContent)
    }

    @Sendable func release(request: Request, context: StaffRequestContext) async throws -> EditedResponse<Released> {
        let staff = context.staff
        guard let text = context.parameters.get("quarter"), let quarter = Quarter(text) else {
            throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
        }
        let fields = try await JSONFields.read(request, maxBytes: 4096, allowed: ["council_area", "kind"])
        let area = try fields.requiredString("council_area")
        guard settings.areas.councilAreas.contains(area) else { throw APIError.field("council_area", "unknown_value", "Not a configured council area.") }
        // No kind: a quarter's first release, as before kinds existed, so older clients keep working.
        let kind = try ReleaseKind.named(try fields.string("kind")) ?? .quarter
        let released = try await ReportBuilder(reports: stores.reports, settings: settings, policy: policy)
            .release(councilArea: area, quarter: quarter, kind: kind, by: staff.id)
        context.logger.info("report released", metadata: ["report.id": "\(released.id)", "quarter": "\(released.quarter)", "area": "\(area)",
                                                          "kind": "\(released.kind)"])
        return EditedResponse(status: .created, response: Released(id: released.id, quarter: released.quarter, councilArea: released.councilArea,
                                                                   kind: released.kind, releasedAt: released.releasedAt,
                                                                   signature: released.signature))
    }
}
