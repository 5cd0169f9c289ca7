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

    var ackDays: Int { settings.workflow.acknowledgementWorkingDays }
    var maxBody: Int { settings.limits.maxBodyBytes }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get(use: list)
        group.get(":id", use: detail)
        group.get(":id/timeline", use: timeline)
        group.post(":id/assign", use: step(AssignStep.self))
        group.post(":id/acknowledge", use: step(AcknowledgementStep.self))
        group.post(":id/listening-sessions", use: step(ListeningSessionStep.self))
        group.post(":id/assessment", use: step(AssessmentStep.self))
        group.post(":id/signposts", use: step(SignpostStep.self))
        group.patch(":id/signposts/:sid", use: step(SignpostOutcomeStep.self))
        group.post(":id/safeguarding", use: step(SafeguardingStep.self))
        group.post(":id/messages", use: step(MessageStep.self))
        group.post(":id/close", use: step(CloseStep.self))
        group.post(":id/safeguarding-hold", use: safeguardingHold)
        group.post(":id/evidential-hold", use: step(EvidentialHoldStep.self))
        group.post(":id/reopen", use: step(ReopenStep.self))
        group.post(":id/close-as-duplicate", use: step(CloseAsDuplicateStep.self))
        group.post(":id/links", use: step(LinkStep.self))
        group.post(":id/themes", use: step(ThemesStep.self))
        group.patch(":id/safeguarding/:eid", use: step(SafeguardingOutcomeStep.self))
        group.post(":id/follow-ups", use: step(FollowUpStep.self))
        group.post(":id/follow-ups/:fid/done", use: step(FollowUpDoneStep.self))
        group.post(":id/meetings", use: step(MeetingRequestStep.self))
        group.patch(":id/meetings/:mid", use: step(MeetingUpdateStep.self))
        group.put(":id/voice", use: step(VoiceStep.self))
        group.post(":id/appointments", use: step(AppointmentBookStep.self))
        group.patch(":id/appointments/:aid", use: step(AppointmentUpdateStep.self))
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
        return CaseDetailResponse(detail, levels: actions.rules.levels)
    }

    @Sendable func timeline(request: Request, context: StaffRequestContext) async throws -> TimelineResponse {
        let staff = context.staff
        let events = try await stores.cases.caseTimeline(caseID: try CaseTarget(context.parameters).caseID, by: staff.actor)
        return TimelineResponse(events: events.map(EventJSON.init))
    }

    // MARK: changes

    /// Reads the JSON body (only `Step.fields`), runs the step, and answers with the new stage (and the new
    /// record's id, 201, for a step that adds one).
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
