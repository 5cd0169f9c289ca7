import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// The partner's case routes under `/api/v1/cases`. Only practitioners and leads get past the group's
/// middleware; the store then checks assignment inside the same transaction as each read or change.
struct CasesController {
    let database: AppDatabase
    let keys: KeyRing
    let settings: Settings
    let directory: ServiceDirectory

    var ackDays: Int { settings.workflow.acknowledgementWorkingDays }
    var maxBody: Int { settings.limits.maxBodyBytes }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
        group.get(":id", use: detail)
        group.get(":id/timeline", use: timeline)
        group.post(":id/assign", use: assign)
        group.post(":id/acknowledge", use: acknowledge)
        group.post(":id/listening-sessions", use: listeningSession)
        group.post(":id/assessment", use: assessment)
        group.post(":id/signposts", use: signpost)
        group.patch(":id/signposts/:sid", use: signpostOutcome)
        group.post(":id/safeguarding", use: safeguarding)
        group.post(":id/messages", use: message)
        group.post(":id/close", use: close)
        group.post(":id/safeguarding-hold", use: safeguardingHold)
    }

    // MARK: reads

    @Sendable func list(request: Request, context: AppRequestContext) async throws -> CaseListResponse {
        let staff = try context.requireStaff()
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
            guard let account = try await database.staffAccount(email: email.lowercased()) else {
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
        var limit = 100
        if let raw = query["limit"].map(String.init) {
            guard let n = Int(raw), (1...1000).contains(n) else { throw APIError.field("limit", "out_of_range", "Use a number from 1 to 1000.") }
            limit = n
        }
        let page = try await database.caseList(filter: filter, limit: limit, cursor: query["cursor"].map(String.init), by: staff.actor,
                                               acknowledgementWorkingDays: ackDays)
        return CaseListResponse(cases: page.cases, nextCursor: page.nextCursor)
    }

    @Sendable func detail(request: Request, context: AppRequestContext) async throws -> CaseDetailResponse {
        let staff = try context.requireStaff()
        let detail = try await database.caseDetail(caseID: try caseID(context), by: staff.actor, keys: keys, acknowledgementWorkingDays: ackDays)
        context.logger.info("case read", metadata: ["case.id": "\(detail.id)"])
        return CaseDetailResponse(detail)
    }

    @Sendable func timeline(request: Request, context: AppRequestContext) async throws -> TimelineResponse {
        let staff = try context.requireStaff()
        let events = try await database.caseTimeline(caseID: try caseID(context), by: staff.actor, keys: keys)
        return TimelineResponse(events: events.map(EventJSON.init))
    }

    // MARK: changes

    @Sendable func assign(request: Request, context: AppRequestContext) async throws -> StageResponse {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["practitioner"])
        let email = try fields.string("practitioner", required: true)!.trimmingCharacters(in: .whitespaces).lowercased()
        try await database.assign(caseID: id, toPractitionerEmail: email, by: staff.actor, keys: keys)
        return try await stage(of: id, action: "assign", context)
    }

    @Sendable func acknowledge(request: Request, context: AppRequestContext) async throws -> StageResponse {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["method", "note"])
        let stage = try await database.acknowledge(caseID: id, method: try fields.one("method", AcknowledgementMethod.self),
                                                   note: try fields.string("note"), by: staff.actor, keys: keys)
        return logged(StageResponse(stage: stage), id: id, action: "acknowledge", context)
    }

    @Sendable func listeningSession(request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedResponse> {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["date", "duration_minutes", "modality", "note"])
        let sessionID = try await database.recordListeningSession(
            caseID: id, heldOn: try fields.string("date", required: true)!, durationMinutes: try fields.int("duration_minutes"),
            modality: try fields.one("modality", ListeningModality.self), note: try fields.string("note"), by: staff.actor, keys: keys)
        return try await created(sessionID, caseID: id, action: "listening_session", context)
    }

    @Sendable func assessment(request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedResponse> {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["level_of_need", "needs", "note"])
        guard let level = LevelOfNeed(rawValue: try fields.int("level_of_need")) else {
            throw APIError.field("level_of_need", "out_of_range", "Use 1 (universal) to 4 (acute or specialist).")
        }
        let needs = try fields.many("needs", Need.self)
        guard !needs.isEmpty else { throw APIError.field("needs", "required", "Choose at least one need.") }
        let assessmentID = try await database.recordAssessment(caseID: id, level: level, needs: needs, note: try fields.string("note"),
                                                               by: staff.actor, keys: keys)
        return try await created(assessmentID, caseID: id, action: "assessment", context)
    }

    @Sendable func signpost(request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedResponse> {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["service", "need", "note"])
        guard let service = directory.service(id: try fields.string("service", required: true)!) else {
            throw APIError.field("service", "unknown_value", "Choose a service from GET /api/v1/services.")
        }
        let signpostID = try await database.addSignpost(caseID: id, service: service, need: try fields.one("need", Need.self),
                                                        note: try fields.string("note"), by: staff.actor, keys: keys)
        return try await created(signpostID, caseID: id, action: "signpost", context)
    }

    @Sendable func signpostOutcome(request: Request, context: AppRequestContext) async throws -> StageResponse {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        guard let signpostID = context.parameters.get("sid") else { throw APIError.notFound() }
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["outcome"])
        try await database.recordSignpostOutcome(caseID: id, signpostID: signpostID, outcome: try fields.one("outcome", SignpostOutcome.self),
                                                 by: staff.actor, keys: keys)
        return try await stage(of: id, action: "signpost_outcome", context)
    }

    @Sendable func safeguarding(request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedResponse> {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["route", "note"])
        let escalationID = try await database.recordSafeguarding(caseID: id, route: try fields.one("route", SafeguardingRoute.self),
                                                                 note: try fields.string("note"), by: staff.actor, keys: keys)
        return try await created(escalationID, caseID: id, action: "safeguarding", context)
    }

    @Sendable func message(request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedResponse> {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["body"])
        let messageID = try await database.sendMessage(caseID: id, body: try fields.string("body", required: true)!, by: staff.actor, keys: keys)
        return try await created(messageID, caseID: id, action: "message", context)
    }

    @Sendable func close(request: Request, context: AppRequestContext) async throws -> StageResponse {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["reason", "note"])
        try await database.close(caseID: id, reason: try fields.one("reason", CloseReason.self), note: try fields.string("note"),
                                 by: staff.actor, keys: keys)
        return try await stage(of: id, action: "close", context)
    }

    /// A lead's hold keeps a case's data through erasure requests and retention while a safeguarding
    /// concern is live (`{"on": true}`), and releases it (`{"on": false}`).
    @Sendable func safeguardingHold(request: Request, context: AppRequestContext) async throws -> HoldResponse {
        let (staff, id) = (try context.requireStaff(), try caseID(context))
        let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["on"])
        let on = try fields.bool("on")
        try await database.setSafeguardingHold(caseID: id, on: on, by: staff.actor, keys: keys)
        context.logger.info("case changed", metadata: ["case.id": "\(id)", "case.action": "safeguarding_hold"])
        return HoldResponse(hold: on)
    }

    // MARK: helpers

    private func caseID(_ context: AppRequestContext) throws -> String {
        // Case ids are lower-case UUIDs; anything else cannot be a case (and is never echoed).
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil, id == id.lowercased() else {
            throw APIError(.notFound, code: "not_found", message: "There is no such case.")
        }
        return id
    }

    private func stage(of id: String, action: String, _ context: AppRequestContext) async throws -> StageResponse {
        guard let stage = try await database.caseStage(id: id) else { throw StoreError.caseNotFound }
        return logged(StageResponse(stage: stage), id: id, action: action, context)
    }

    private func created(_ newID: String, caseID: String, action: String, _ context: AppRequestContext) async throws -> EditedResponse<CreatedResponse> {
        guard let stage = try await database.caseStage(id: caseID) else { throw StoreError.caseNotFound }
        context.logger.info("case changed", metadata: ["case.id": "\(caseID)", "case.action": "\(action)"])
        return EditedResponse(status: .created, response: CreatedResponse(id: newID, stage: stage))
    }

    private func logged(_ response: StageResponse, id: String, action: String, _ context: AppRequestContext) -> StageResponse {
        context.logger.info("case changed", metadata: ["case.id": "\(id)", "case.action": "\(action)"])
        return response
    }
}

/// `GET /api/v1/services`: the signposting directory from `policies/services.json`.
struct ServicesController {
    let directory: ServiceDirectory

    struct Listing: ResponseEncodable { let services: [Service] }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { _, _ in Listing(services: directory.services) }
    }
}
