import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// `/api/v1/themes` and `/api/v1/reports` for leads: approve and withdraw lessons-learned themes, release a report
/// (a quarter, a correction, the year to date).
struct ReportsController {
    let database: AppDatabase
    let keys: KeyRing
    let settings: Settings
    let policy: DisclosurePolicy

    struct Created: ResponseEncodable { let id: String }
    struct Released: ResponseEncodable {
        let id: String; let quarter: String; let councilArea: String; let kind: String; let releasedAt: Date; let signature: String
    }

    func addRoutes(themes: RouterGroup<StaffRequestContext>, reports: RouterGroup<StaffRequestContext>) {
        themes.post(use: addTheme)
        themes.delete(":id", use: withdrawTheme)
        reports.post(":quarter/release", use: release)
    }

    @Sendable func addTheme(request: Request, context: StaffRequestContext) async throws -> EditedResponse<Created> {
        let staff = context.staff
        let fields = try await JSONFields.read(request, maxBytes: settings.limits.maxBodyBytes, allowed: ["quarter", "council_area", "text"])
        guard let quarter = Quarter(try fields.requiredString("quarter")) else {
            throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
        }
        let id = try await database.addTheme(quarter: quarter, councilArea: try fields.requiredString("council_area"),
                                             text: try fields.requiredString("text"), councilAreas: settings.areas.councilAreas,
                                             by: staff.actor, keys: keys)
        return EditedResponse(status: .created, response: Created(id: id))
    }

    /// Withdraws an approved theme, for instance one a release refused because it names a family: until it
    /// goes, that quarter cannot be released. 204, or 404 for a theme that is not there (already withdrawn).
    @Sendable func withdrawTheme(request: Request, context: StaffRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), CaseTarget.isID(id),
              try await database.removeTheme(id: id, by: context.staff.actor, keys: keys) else {
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
        let released = try await ReportBuilder(database: database, settings: settings, policy: policy)
            .release(councilArea: area, quarter: quarter, kind: kind, by: staff.id, keys: keys)
        context.logger.info("report released", metadata: ["report.id": "\(released.id)", "quarter": "\(released.quarter)", "area": "\(area)",
                                                          "kind": "\(released.kind)"])
        return EditedResponse(status: .created, response: Released(id: released.id, quarter: released.quarter, councilArea: released.councilArea,
                                                                   kind: released.kind, releasedAt: released.releasedAt,
                                                                   signature: released.signature))
    }
}
