import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// Offer rounds: a lead records each round of offers of help — how many, when, where, how — by
/// `POST /api/v1/offer-rounds` or the page `/staff/offer-rounds`; the quarterly report shows offers made by
/// channel beside referrals by how families heard of the service. One input, read alike from JSON or a form.
struct OfferRoundsController {
    let stores: Stores
    let councilAreas: [String]
    let maxBody: Int

    struct Input {
        static let fields: Set<String> = ["council_area", "date", "channel", "offers_made", "label"]
        let councilArea, date: String
        let channel: OfferChannel
        let offersMade: Int
        let label: String?

        init(_ f: some ActionFields) throws {
            councilArea = try f.requiredText("council_area")
            date = try f.requiredText("date").trimmingCharacters(in: .whitespaces)
            channel = try f.one("channel", OfferChannel.self)
            offersMade = try f.wholeNumber("offers_made")
            label = try f.text("label")
        }
    }

    struct Created: ResponseEncodable { let id: String }
    struct Listing: ResponseEncodable {
        struct Round: Encodable { let id, councilArea, date, channel: String; let offersMade: Int; let label: String? }
        let offerRounds: [Round]
    }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.post { request, context -> EditedResponse<Created> in
            let input = try Input(try await JSONFields.read(request, maxBytes: maxBody, allowed: Input.fields))
            return EditedResponse(status: .created, response: Created(id: try await add(input, by: context.staff).id))
        }
        group.get { request, _ -> Listing in
            let area = try Self.area(request.uri.queryParameters["council_area"].map(String.init), in: councilAreas)
            return Listing(offerRounds: try await stores.reports.offerRounds(councilArea: area).map {
                .init(id: $0.id, councilArea: $0.councilArea, date: $0.offeredOn, channel: $0.channel.rawValue, offersMade: $0.offersMade, label: $0.label)
            })
        }
    }

    static func area(_ text: String?, in areas: [String]) throws -> String {
        guard let text, areas.contains(text) else { throw APIError.field("council_area", "unknown_value", "Choose one of the council areas.") }
        return text
    }

    func add(_ input: Input, by staff: StaffAccount) async throws -> OfferRound {
        try await stores.reports.addOfferRound(councilArea: input.councilArea, offeredOn: input.date, channel: input.channel,
                                                offersMade: input.offersMade, label: input.label, councilAreas: councilAreas,
                                                by: staff.actor)
    }
}

/// `/staff/offer-rounds`: the list of an area's rounds and the form to add one (leads).
struct OfferRoundPagesController {
    let rounds: OfferRoundsController
    let kit: StaffPageKit

    struct Choice: Sendable, Encodable { let value, label, id: String; let checked: Bool }
    struct Row: Sendable, Encodable { let date, channel, label: String; let offers: Int }
    struct Model: PageModel {
        let title, area, today: String
        let areas, channels: [Choice]
        let rows: [Row]
        let hasRows: Bool
        let done: Bool
    }

    static let channelLabels: [(OfferChannel, String)] = [
        (.letterFromTheCouncil, "A letter from the council"), (.throughSchools, "Through schools"),
        (.publicCampaign, "A public campaign"), (.other, "Another way"),
    ]

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get("offer-rounds") { request, context in
            let area = request.uri.queryParameters["area"].map(String.init).flatMap { rounds.councilAreas.contains($0) ? $0 : nil }
                ?? rounds.councilAreas[0]
            return try await page(request, context.staff, area: area, done: request.uri.queryParameters["done"] != nil)
        }
        group.post("offer-rounds") { request, context in
            do {
                let input = try OfferRoundsController.Input(FormFields(form: try await kit.readForm(request)))
                _ = try await rounds.add(input, by: context.staff)
                return Response(status: .seeOther, headers: [.location: "/staff/offer-rounds?area=\(input.councilArea)&done=1"])
            } catch {
                return kit.error(request, context.staff, APIError.answer(for: error), back: "/staff/offer-rounds")
            }
        }
    }

    private func page(_ request: Request, _ staff: StaffAccount, area: String, done: Bool) async throws -> Response {
        let list = try await rounds.stores.reports.offerRounds(councilArea: area)
        let label = { (c: OfferChannel) in Self.channelLabels.first { $0.0 == c }?.1 ?? c.rawValue }
        let model = Model(
            title: "Offers of help", area: IntakeQuestions.areaLabel(area), today: WorkingDays.londonDate(Date()),
            areas: rounds.councilAreas.map { .init(value: $0, label: IntakeQuestions.areaLabel($0), id: "or-area-\($0)", checked: $0 == area) },
            channels: Self.channelLabels.map { .init(value: $0.0.rawValue, label: $0.1, id: "or-channel-\($0.0.rawValue)", checked: false) },
            rows: list.map { Row(date: $0.offeredOn, channel: label($0.channel), label: $0.label ?? "", offers: $0.offersMade) },
            hasRows: !list.isEmpty, done: done)
        return kit.render("staff-offer-rounds", request, staff, model)
    }
}
