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

    /// A change of alerts, read alike from the API's JSON (only the keys sent change: a partial PATCH) and the
    /// page's form (which shows every box, so it sets every choice).
    struct Change {
        static let fields: Set<String> = ["new_referral", "family_reply", "overdue", "digest_only", "areas"]
        let newReferral, familyReply, overdue, digestOnly: Bool?
        let areas: [String]?

        init(reading f: some ActionFields) throws {
            newReferral = try f.tickbox("new_referral")
            familyReply = try f.tickbox("family_reply")
            overdue = try f.tickbox("overdue")
            digestOnly = try f.tickbox("digest_only")
            areas = try f.texts("areas")
        }

        func applied(to c: NotificationChoices) -> NotificationChoices {
            NotificationChoices(newReferral: newReferral ?? c.newReferral, familyReply: familyReply ?? c.familyReply,
                                overdue: overdue ?? c.overdue, digestOnly: digestOnly ?? c.digestOnly, areas: areas ?? c.areas)
        }
    }

    func addRoutes(api: RouterGroup<StaffRequestContext>) {
        api.get("me/notifications") { _, context in try await choices(context.staff) }
        api.patch("me/notifications") { request, context -> Choices in
            try await change(Change(reading: try await JSONFields.read(request, maxBytes: maxBody, allowed: Change.fields)), context)
            return try await self.choices(context.staff)
        }
    }

    /// The one action behind both doors.
    private func change(_ change: Change, _ context: StaffRequestContext) async throws {
        // An unknown area is refused by the store (422 `areas`, as `DomainErrors` answers it) and nothing changes.
        try await stores.mail.changeNotificationChoices(for: context.staff.actor, councilAreas: councilAreas) { change.applied(to: $0) }
        context.logger.info("notification choices changed", metadata: ["actor.id": "\(context.staff.id)"])
    }

    func choices(_ staff: StaffAccount) async throws -> Choices {
        let c = try await stores.mail.notificationChoices(for: staff.actor)
        return Choices(newReferral: c.newReferral, familyReply: c.familyReply, overdue: c.overdue, digestOnly: c.digestOnly,
                       areas: c.areas, mailEnabled: mailOn)
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
            let form = FormFields(form: try await kit.readForm(request))
            do { try await change(Change(reading: form), context) } catch {
                return kit.error(request, context.staff, APIError.answer(for: error), back: "/staff/notifications")
            }
            return Response(status: .seeOther, headers: [.location: "/staff/notifications?saved=1"])
        }
    }
}
