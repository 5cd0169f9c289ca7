import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// Complaints and compliments: a lead records each one received by letter, phone or email, optionally
/// about a case, and later the day it was answered; `POST/GET /api/v1/complaints`,
/// `POST /api/v1/complaints/{id}/response`, and the page `/staff/complaints`. Families send theirs from the portal.
/// The report counts them by kind and complaints by time to respond. Audited by the store.
struct ComplaintsController {
    let stores: Stores
    let councilAreas: [String]
    let maxBody: Int

    struct Input {
        static let fields: Set<String> = ["case_id", "reference", "council_area", "kind", "received_on", "responded_on"]
        let caseID, reference, councilArea: String?
        let kind: ComplaintKind
        let receivedOn: String
        let respondedOn: String?

        init(_ f: some ActionFields) throws {
            caseID = try f.text("case_id")?.trimmingCharacters(in: .whitespaces)
            reference = try f.text("reference")?.trimmingCharacters(in: .whitespaces)
            councilArea = try f.text("council_area")
            kind = try f.one("kind", ComplaintKind.self)
            receivedOn = try f.requiredText("received_on").trimmingCharacters(in: .whitespaces)
            respondedOn = try f.text("responded_on")?.trimmingCharacters(in: .whitespaces)
            if caseID == nil, reference == nil, councilArea == nil {
                throw APIError.field("council_area", "required", "Choose the council area, or name the case.")
            }
        }
    }

    struct Item: ResponseEncodable {
        let id, councilArea, kind, receivedOn, source: String
        let respondedOn, reference: String?
        let caseId: CaseID?
        let hasText: Bool
        init(_ c: Complaint) {
            id = c.id; councilArea = c.councilArea; kind = c.kind.rawValue; receivedOn = c.receivedOn; source = c.source.rawValue
            respondedOn = c.respondedOn; caseId = c.caseID; reference = c.reference; hasText = c.hasText
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(councilArea, forKey: .councilArea)
            try c.encode(kind, forKey: .kind)
            try c.encode(receivedOn, forKey: .receivedOn)
            try c.encode(respondedOn, forKey: .respondedOn)  // explicit null: not yet answered
            try c.encode(source, forKey: .source)
            try c.encode(caseId, forKey: .caseId)
            try c.encode(reference, forKey: .reference)
            try c.encode(hasText, forKey: .hasText)
        }
        enum CodingKeys: String, CodingKey { case id, councilArea, kind, receivedOn, respondedOn, source, caseId, reference, hasText }
    }
    struct Listing: ResponseEncodable { let complaints: [Item] }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.post { request, context -> EditedResponse<Item> in
            let input = try Input(try await JSONFields.read(request, maxBytes: maxBody, allowed: Input.fields))
            return EditedResponse(status: .created, response: Item(try await add(input, by: context.staff)))
        }
        group.get { request, _ -> Listing in
            let area = try OfferRoundsController.area(request.uri.queryParameters["council_area"].map(String.init), in: councilAreas)
            return Listing(complaints: try await stores.reports.complaints(councilArea: area).map(Item.init))
        }
        group.post(":id/response") { request, context -> Item in
            let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["responded_on"])
            guard let id = context.parameters.get("id"), CaseTarget.isID(id) else { throw ComplaintError.notFound }
            return Item(try await respond(id: id, on: try fields.requiredText("responded_on"), by: context.staff))
        }
    }

    func add(_ input: Input, by staff: StaffAccount) async throws -> Complaint {
        do {
            return try await stores.reports.addComplaint(caseID: input.caseID.map(CaseID.init(_:)), reference: input.reference, councilArea: input.councilArea, kind: input.kind,
                                        receivedOn: input.receivedOn, respondedOn: input.respondedOn, councilAreas: councilAreas,
                                        by: staff.actor)
        } catch ComplaintError.caseNotFound where input.caseID == nil {
            throw APIError.field("reference", "unknown_value", "There is no such case.")
        }
    }

    func respond(id: String, on day: String, by staff: StaffAccount) async throws -> Complaint {
        try await stores.reports.recordComplaintResponse(id: id, respondedOn: day.trimmingCharacters(in: .whitespaces), by: staff.actor)
    }
}

/// `/staff/complaints`: an area's complaints and compliments, the form to record one, and the day each was answered (leads).
struct ComplaintPagesController {
    let complaints: ComplaintsController
    let kit: StaffPageKit

    struct AreaChoice: Sendable, Encodable { let value, label, id: String; let checked: Bool }
    struct Row: Sendable, Encodable {
        let id, kind, receivedOn, from: String
        let respondedOn, reference: String?
        let caseId: CaseID?
        let responseAction: String
        let dateField: String
        let hasText: Bool
    }
    struct Model: PageModel {
        let title, area, areaCode, today: String
        let areas: [AreaChoice]
        let rows: [Row]
        let hasRows: Bool
        let done: Bool
    }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get("complaints") { request, context in
            let areas = complaints.councilAreas
            let area = request.uri.queryParameters["area"].map(String.init).flatMap { areas.contains($0) ? $0 : nil } ?? areas[0]
            return try await page(request, context.staff, area: area, done: request.uri.queryParameters["done"] != nil)
        }
        group.post("complaints") { request, context in
            do {
                let input = try ComplaintsController.Input(FormFields(form: try await kit.readForm(request)))
                let added = try await complaints.add(input, by: context.staff)
                return Response(status: .seeOther, headers: [.location: "/staff/complaints?area=\(added.councilArea)&done=1"])
            } catch let error as APIError {
                return kit.error(request, context.staff, error, back: "/staff/complaints")
            }
        }
        group.post("complaints/:id/response") { request, context in
            do {
                guard let id = context.parameters.get("id"), CaseTarget.isID(id) else { throw ComplaintError.notFound }
                let form = FormFields(form: try await kit.readForm(request))
                let answered = try await complaints.respond(id: id, on: try form.requiredText("responded_on"), by: context.staff)
                return Response(status: .seeOther, headers: [.location: "/staff/complaints?area=\(answered.councilArea)&done=1"])
            } catch let error as APIError {
                return kit.error(request, context.staff, error, back: "/staff/complaints")
            }
        }
    }

    private func page(_ request: Request, _ staff: StaffAccount, area: String, done: Bool) async throws -> Response {
        let list = try await complaints.stores.reports.complaints(councilArea: area)
        let model = Model(
            title: "Complaints and compliments", area: IntakeQuestions.areaLabel(area), areaCode: area, today: WorkingDays.londonDate(Date()),
            areas: complaints.councilAreas.map { .init(value: $0, label: IntakeQuestions.areaLabel($0), id: "cc-area-\($0)", checked: $0 == area) },
            rows: list.map {
                Row(id: $0.id, kind: $0.kind == .complaint ? "Complaint" : "Compliment", receivedOn: $0.receivedOn,
                    from: $0.source == .family ? "The family, in the portal" : "Recorded by a lead", respondedOn: $0.respondedOn,
                    reference: $0.reference, caseId: $0.caseID, responseAction: "/staff/complaints/\($0.id)/response", dateField: "cc-responded-\($0.id)",
                    hasText: $0.hasText)
            },
            hasRows: !list.isEmpty, done: done)
        return kit.render("staff-complaints", request, staff, model)
    }
}
