import Foundation
import Hummingbird
import Logging
import ReconcileCore
import ReconcileStore

/// Finding a family: `GET /api/v1/search?q=` and the search page behind the box on every staff page. Both run
/// the one store search, which confines a practitioner to their own cases and audits the count. The term is
/// never logged; the page sends it in a POST body (CSRF checked), so it is in no address, history or access log,
/// and answers in place rather than by redirect.
struct SearchController {
    let stores: Stores
    /// The store's bounded pool for work too heavy for the cooperative threads (opening names).
    let pool: SlowWorkPool
    let kit: StaffPageKit

    func addRoutes(api: RouterGroup<StaffRequestContext>, pages: RouterGroup<StaffRequestContext>) {
        api.get(use: searchAPI)
        pages.get("search", use: searchPage)
        pages.post("search", use: searchForm)
    }

    /// The one action both doors run; logs the way and the count only.
    func search(_ typed: String, by staff: StaffAccount, logger: Logger) async throws -> CaseSearchResult {
        let term = try SearchTerm(parsing: typed)
        let result = try await stores.desk.searchCases(term, by: staff.actor, pool: pool)
        logger.info("cases searched", metadata: ["search.way": "\(result.way)", "search.results": "\(result.hits.count)"])
        return result
    }

    // MARK: API

    struct Answer: ResponseEncodable {
        struct Hit: Encodable {
            let id: CaseID
            let reference: String
            let stage: Stage
            let receivedAt: Date
            let assignedTo, name: String?

            enum CodingKeys: String, CodingKey { case id, reference, stage, receivedAt, assignedTo, name }

            /// Absent values are written as null, so every hit has the same keys.
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(id, forKey: .id)
                try c.encode(reference, forKey: .reference)
                try c.encode(stage, forKey: .stage)
                try c.encode(receivedAt, forKey: .receivedAt)
                try c.encode(assignedTo, forKey: .assignedTo)
                try c.encode(name, forKey: .name)
            }
        }
        let way: String
        let results: [Hit]
        let more: Bool
    }

    @Sendable func searchAPI(request: Request, context: StaffRequestContext) async throws -> Answer {
        let staff = context.staff
        let values = request.uri.queryParameters.getAll("q")
        guard values.count <= 1 else { throw APIError.field("q", "duplicate", "Give q once.") }
        let result = try await search(values.first.map { String($0) } ?? "", by: staff, logger: context.logger)
        return Answer(way: result.way, results: result.hits.map {
            Answer.Hit(id: $0.id, reference: $0.reference, stage: $0.stage, receivedAt: $0.receivedAt, assignedTo: $0.assignedTo, name: $0.name)
        }, more: result.more)
    }

    // MARK: page

    struct PageModelValues: PageModel {
        struct Row: Sendable, Encodable { let reference, href, name, stage, received, assignedTo: String }
        var title = "Search"
        let query: String
        let searched: Bool
        let problem: String?
        let results: [Row]
        let hasResults: Bool
        let more: Bool
        let wayWords: String
    }

    @Sendable func searchPage(request: Request, context: StaffRequestContext) async throws -> Response {
        kit.render("staff-search", request, context.staff,
                   PageModelValues(query: "", searched: false, problem: nil, results: [], hasResults: false, more: false, wayWords: ""))
    }

    @Sendable func searchForm(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let form = try await kit.readForm(request)
        let typed = form["q"] ?? ""
        do {
            let result = try await search(typed, by: staff, logger: context.logger)
            let rows = result.hits.map { hit in
                PageModelValues.Row(reference: hit.reference, href: "/staff/cases/\(hit.id)", name: hit.name ?? "No name given",
                                    stage: CasePagesController.stageLabel(hit.stage),
                                    received: hit.receivedAt.formatted(StaffPageKit.dateOnly), assignedTo: hit.assignedTo ?? "Nobody yet")
            }
            let way = switch result.way {
            case "reference": "by reference"
            case "email": "by exact email address"
            case "phone": "by exact phone number"
            default: "by name among the cases you may open"
            }
            return kit.render("staff-search", request, staff, PageModelValues(
                query: typed, searched: true, problem: nil, results: rows, hasResults: !rows.isEmpty, more: result.more, wayWords: way))
        } catch let problem as SearchTerm.Problem {
            let error = APIError.answer(for: problem)
            return kit.render("staff-search", request, staff, PageModelValues(
                query: String(typed.prefix(SearchTerm.maxLength)), searched: false, problem: error.message, results: [], hasResults: false,
                more: false, wayWords: ""), status: error.status)
        }
    }
}
