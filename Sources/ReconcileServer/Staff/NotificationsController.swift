import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// Each member of staff chooses which alerts they get: `GET`/`PATCH /api/v1/staff/me/notifications` and the page
/// `/staff/notifications`. Practitioners and leads only (admin and council get no case alerts).
struct NotificationsController {
    let stores: Stores
    let councilAreas: [String]
    let mailOn: Bool
    let maxBody: Int

    struct Choices: ResponseEncodable {
        let newReferral, familyReply, overdue, digestOnly: Bool
        let areas: [String]
        /// False while `mail.host` is empty: choices are kept, nothing is sent.
        let mailEnabled: Bool
    }

    func addRoutes(api: RouterGroup<StaffRequestContext>) {
        api.get("me/notifications") { _, context in try await choices(context.staff) }
        api.patch("me/notifications") { request, context -> Choices in
            let fields = try await JSONFields.read(request, maxBytes: maxBody,
                                                   allowed: ["new_referral", "family_reply", "overdue", "digest_only", "areas"])
            var choices = try await stores.mail.notificationChoices(for: context.staff.actor)
            // A partial change: only the fields sent are changed.
            if fields.object["new_referral"] != nil { choices.newReferral = try fields.bool("new_referral") }
            if fields.object["family_reply"] != nil { choices.familyReply = try fields.bool("family_reply") }
            if fields.object["overdue"] != nil { choices.overdue = try fields.bool("overdue") }
            if fields.object["digest_only"] != nil { choices.digestOnly = try fields.bool("digest_only") }
            if fields.object["areas"] != nil { choices.areas = try areaList(fields) }
            try await save(choices, context.staff)
            context.logger.info("notification choices changed", metadata: ["actor.id": "\(context.staff.id)"])
            return try await self.choices(context.staff)
        }
    }

    func choices(_ staff: StaffAccount) async throws -> Choices {
        let c = try await stores.mail.notificationChoices(for: staff.actor)
        return Choices(newReferral: c.newReferral, familyReply: c.familyReply, overdue: c.overdue, digestOnly: c.digestOnly,
                       areas: c.areas, mailEnabled: mailOn)
    }

    func save(_ choices: NotificationChoices, _ staff: StaffAccount) async throws {
        do {
            try await stores.mail.setNotificationChoices(choices, for: staff.actor, councilAreas: councilAreas)
        } catch NotificationChoiceError.unknownArea {
            throw APIError.field("areas", "unknown_value", "Each area must be one of the configured council areas.")
        }
    }

    private func areaList(_ fields: JSONFields) throws -> [String] {
        guard case .array(let items)? = fields.object["areas"] else { throw APIError.field("areas", "wrong_type", "This must be a list of areas.") }
        return try items.map { item in
            guard case .string(let area) = item else { throw APIError.field("areas", "wrong_type", "This must be a list of areas.") }
            return area
        }
    }

    // MARK: the page

    struct NotificationsModel: PageModel {
        struct Area: Sendable, Encodable { let value, label: String; let checked: Bool }
        let title: String
        let newReferral, familyReply, overdue, digestOnly, mailEnabled, saved: Bool
        let areas: [Area]
    }

    func addPages(_ group: RouterGroup<StaffRequestContext>, kit: StaffPageKit) {
        group.get("notifications") { request, context in
            let c = try await choices(context.staff)
            return kit.render("staff-notifications", request, context.staff, NotificationsModel(
                title: "Email alerts", newReferral: c.newReferral, familyReply: c.familyReply, overdue: c.overdue, digestOnly: c.digestOnly,
                mailEnabled: c.mailEnabled, saved: request.uri.queryParameters["saved"] != nil,
                areas: councilAreas.map { .init(value: $0, label: StaffPageKit.words($0), checked: c.areas.contains($0)) }))
        }
        group.post("notifications") { request, context in
            let form = try await kit.readForm(request)
            let choices = NotificationChoices(newReferral: form["new_referral"] == "yes", familyReply: form["family_reply"] == "yes",
                                              overdue: form["overdue"] == "yes", digestOnly: form["digest_only"] == "yes",
                                              areas: form.all("areas"))
            do { try await save(choices, context.staff) } catch let error as APIError { return kit.error(request, context.staff, error, back: "/staff/notifications") }
            return Response(status: .seeOther, headers: [.location: "/staff/notifications?saved=1"])
        }
    }
}
