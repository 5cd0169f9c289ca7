import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// The partner's case routes under `/api/v1/cases`. Only practitioners and leads get past the group's
/// middleware; the store then checks assignment inside the same transaction as each read or change.
struct CasesController {
    let stores: Stores
    let settings: Settings
    let directory: ServiceDirectory
    let actions: CaseActions
    let words: CaseWords

    var ackDays: Int { settings.workflow.acknowledgementWorkingDays }
    var maxBody: Int { settings.limits.maxBodyBytes }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get(use: list)
        group.get(":id", use: detail)
        group.get(":id/timeline", use: timeline)
        group.post(":id/safeguarding-hold", use: safeguardingHold)
        // Every step at its own method and path (`CaseStep.route`), the pages' table being the same list.
        for step in CaseStepCatalogue.all { add(step, to: group) }
    }

    // MARK: reads

    @Sendable func list(request: Request, context: StaffRequestContext) async throws -> CaseListResponse {
        let staff = context.staff
        let query = request.uri.queryParameters
        var filter = CaseListFilter()
        if let stage = query["stage"].map(String.init) {
            guard let value = Stage(rawValue: stage) else { throw APIError.field("stage", "unknown_value", "Unknown stage.") }
            filter.stage = value
        }
        switch query["assigned"].map(String.init) {
        case nil: break
        case "me": filter.assignedTo = staff.id
        case "none": filter.unassigned = true
        case let email?:
            guard let account = try await stores.staff.staffAccount(email: email.lowercased()) else {
                throw APIError.field("assigned", "unknown_value", "Use me, none, or the email of a staff account.")
            }
            filter.assignedTo = account.id
        }
        switch query["overdue"].map(String.init) {
        case nil: break
        case "true": filter.overdue = true
        case "false": filter.overdue = false
        default: throw APIError.field("overdue", "wrong_type", "Use true or false.")
        }
        switch query["come_back"].map(String.init) {
        case nil, "false": break
        case "true": filter.askedToComeBack = true
        default: throw APIError.field("come_back", "wrong_type", "Use true or false.")
        }
        var limit = 100
        if let raw = query["limit"].map(String.init) {
            guard let n = Int(raw), (1...1000).contains(n) else { throw APIError.field("limit", "out_of_range", "Use a number from 1 to 1000.") }
            limit = n
        }
        let page = try await stores.cases.caseList(filter: filter, limit: limit, cursor: query["cursor"].map(String.init), by: staff.actor,
                                               acknowledgementWorkingDays: ackDays)
        return CaseListResponse(cases: page.cases, nextCursor: page.nextCursor)
    }

    @Sendable func detail(request: Request, context: StaffRequestContext) async throws -> CaseDetailResponse {
        let staff = context.staff
        let detail = try await stores.cases.caseDetail(caseID: try CaseTarget(context.parameters).caseID, by: staff.actor, acknowledgementWorkingDays: ackDays)
        context.logger.info("case read", metadata: ["case.id": "\(detail.id)"])
        return CaseDetailResponse(detail, levels: words.levels)
    }

    @Sendable func timeline(request: Request, context: StaffRequestContext) async throws -> TimelineResponse {
        let staff = context.staff
        let events = try await stores.cases.caseTimeline(caseID: try CaseTarget(context.parameters).caseID, by: staff.actor)
        return TimelineResponse(events: events.map(EventJSON.init))
    }

    // MARK: changes

    /// Reads the JSON body (only `Step.fields`), runs the step, and answers with the new stage (and the new
    /// record's id, 201, for a step that adds one).
    private func add<Step: CaseStep>(_ type: Step.Type, to group: RouterGroup<StaffRequestContext>) {
        group.on(RouterPath(":id/\(Step.route.path)"), method: Step.route.method, use: step(type))
    }

    private func step<Step: CaseStep>(_ type: Step.Type) -> @Sendable (Request, StaffRequestContext) async throws -> EditedResponse<ChangeResponse> {
        { request, context in
            let (staff, target) = (context.staff, try CaseTarget(context.parameters))
            let change = try await actions.run(type, on: target, by: staff, logger: context.logger) {
                try await JSONFields.read(request, maxBytes: maxBody, allowed: Step.fields)
            }
            return EditedResponse(status: change.recordID == nil ? .ok : .created, response: ChangeResponse(change))
        }
    }

    /// A lead's hold keeps a case's data through erasure requests and retention while a safeguarding
    /// concern is live (`{"on": true}`), and releases it (`{"on": false}`).
    @Sendable func safeguardingHold(request: Request, context: StaffRequestContext) async throws -> HoldResponse {
        let (staff, target) = (context.staff, try CaseTarget(context.parameters))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["on"])
        let on = try fields.bool("on")
        try await stores.retention.setSafeguardingHold(caseID: target.caseID, on: on, by: staff.actor)
        context.logger.info("case changed", metadata: ["case.id": "\(target.caseID)", "case.action": "safeguarding_hold"])
        return HoldResponse(hold: on)
    }
}

/// `GET /api/v1/services`: the signposting directory from `policies/services.json`.
struct ServicesController {
    let directory: ServiceDirectory

    struct Listing: ResponseEncodable { let services: [Service] }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get { _, _ in Listing(services: directory.services) }
    }
}
