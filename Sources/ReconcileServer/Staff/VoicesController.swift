import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// Leads review families' own words before a release: `GET /api/v1/voices?council_area=&quarter=`,
/// `POST /api/v1/voices/{vid}/approve`, `POST /api/v1/voices/{vid}/propose-edit {text}`, and the page
/// `/staff/voices`. The identifying-detail screen runs on every read and approval; words are never logged.
struct VoicesController {
    let stores: Stores
    let councilAreas: [String]
    let schoolNames: [String]
    let quarterStartMonth: Int
    let maxBody: Int

    struct Item: ResponseEncodable {
        let id, status, text: String
        let proposedText: String?
        let holdsIdentifyingDetail: Bool
        let offeredAt: Date
        init(_ v: VoiceForReview) {
            (id, status, text, proposedText) = (v.id, v.status.rawValue, v.text, v.proposedText)
            (holdsIdentifyingDetail, offeredAt) = (v.holdsIdentifyingDetail, v.offeredAt)
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(status, forKey: .status)
            try c.encode(text, forKey: .text)
            try c.encode(proposedText, forKey: .proposedText)
            try c.encode(holdsIdentifyingDetail, forKey: .holdsIdentifyingDetail)
            try c.encode(offeredAt, forKey: .offeredAt)
        }
        enum CodingKeys: String, CodingKey { case id, status, text, proposedText, holdsIdentifyingDetail, offeredAt }
    }
    struct Listing: ResponseEncodable { let voices: [Item] }
    struct Reviewed: ResponseEncodable { let id, status: String }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get { request, context -> Listing in
            let query = request.uri.queryParameters
            let area = try OfferRoundsController.area(query["council_area"].map(String.init), in: councilAreas)
            let quarter = try Self.quarter(query["quarter"].map(String.init))
            return Listing(voices: try await list(area: area, quarter: quarter, by: context.staff).map(Item.init))
        }
        group.post(":vid/approve") { _, context -> Reviewed in
            let id = try Self.voiceID(context.parameters)
            return Reviewed(id: id, status: try await approve(id, by: context.staff) == .approved ? "approved" : "held_for_edit")
        }
        group.post(":vid/propose-edit") { request, context -> Reviewed in
            let fields = try await JSONFields.read(request, maxBytes: maxBody, allowed: ["text"])
            let id = try Self.voiceID(context.parameters)
            try await proposeEdit(id, text: try fields.requiredText("text"), by: context.staff)
            return Reviewed(id: id, status: VoiceStatus.heldForEdit.rawValue)
        }
    }

    func list(area: String, quarter: Quarter?, by staff: StaffAccount) async throws -> [VoiceForReview] {
        let voices = try await stores.reports.voicesForReview(councilArea: area, schoolNames: schoolNames, by: staff.actor)
        guard let quarter else { return voices }
        let end = quarter.end(startMonth: quarterStartMonth)
        return voices.filter { $0.offeredAt < end }
    }

    func approve(_ id: String, by staff: StaffAccount) async throws -> VoiceReviewOutcome {
        try await stores.reports.approveVoice(id: id, schoolNames: schoolNames, by: staff.actor)
    }

    func proposeEdit(_ id: String, text: String, by staff: StaffAccount) async throws {
        try await stores.reports.proposeVoiceEdit(id: id, text: text, schoolNames: schoolNames, by: staff.actor)
    }

    static func voiceID(_ parameters: Parameters) throws -> String {
        guard let id = parameters.get("vid"), CaseTarget.isID(id) else { throw VoiceError.notFound }
        return id
    }

    static func quarter(_ text: String?) throws -> Quarter? {
        guard let text, !text.isEmpty else { return nil }
        guard let quarter = Quarter(text) else { throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.") }
        return quarter
    }
}

/// `/staff/voices`: the area's statements with the screen's finding, an approve button, and an edit to propose.
struct VoicePagesController {
    let voices: VoicesController
    let kit: StaffPageKit

    struct Row: Sendable, Encodable {
        let id, status, text: String
        let proposedText: String?
        let holdsIdentifyingDetail, canApprove: Bool
    }
    struct Model: PageModel {
        let title, area: String
        let areaChoices: [Choice]
        let rows: [Row]
        let hasRows: Bool
        let done: String?
    }

    static let statusWords: [VoiceStatus: String] = [
        .offered: "Waiting for review", .heldForEdit: "Held: an edit is waiting for the family's approval",
        .approved: "Approved: goes with the next release when enough are approved", .released: "Released", .withdrawn: "Withdrawn",
    ]

    func addRoutes(to leads: RouterGroup<StaffRequestContext>) {
        leads.get("voices") { request, context in
            let area = request.uri.queryParameters["area"].map(String.init).flatMap { voices.councilAreas.contains($0) ? $0 : nil }
                ?? voices.councilAreas.first ?? ""
            let found = try await voices.list(area: area, quarter: nil, by: context.staff)
            let done = request.uri.queryParameters["done"].map(String.init)
            let model = Model(title: "Families' own words", area: IntakeQuestions.areaLabel(area),
                              areaChoices: voices.councilAreas.map { Choice(value: $0, label: IntakeQuestions.areaLabel($0), selected: $0 == area) },
                              rows: found.map { v in
                                  Row(id: v.id, status: Self.statusWords[v.status] ?? v.status.rawValue, text: v.text, proposedText: v.proposedText,
                                      holdsIdentifyingDetail: v.holdsIdentifyingDetail, canApprove: v.status != .approved)
                              }, hasRows: !found.isEmpty,
                              done: done == "approved" ? "Approved." : done == "held" ? "Held: it names something that could identify a family. Propose an edit below." : done == "edit" ? "Your edit is waiting for the family's approval." : nil)
            return kit.render("staff-voices", request, context.staff, model)
        }
        leads.post("voices/:vid/approve") { request, context in
            try await act(request, context) { _ in
                try await voices.approve(try VoicesController.voiceID(context.parameters), by: context.staff) == .approved ? "approved" : "held"
            }
        }
        leads.post("voices/:vid/propose-edit") { request, context in
            try await act(request, context) { form in
                try await voices.proposeEdit(try VoicesController.voiceID(context.parameters), text: form["text"] ?? "", by: context.staff)
                return "edit"
            }
        }
    }

    private func act(_ request: Request, _ context: StaffRequestContext, _ action: @Sendable (FormBody) async throws -> String) async throws -> Response {
        let form = try await kit.readForm(request)
        let done: String
        do { done = try await action(form) } catch {
            return kit.error(request, context.staff, APIError.answer(for: error), back: "/staff/voices")
        }
        let area = form["area"].map { "&area=\($0)" } ?? ""
        return Response(status: .seeOther, headers: [.location: "/staff/voices?done=\(done)\(area)"])
    }
}
