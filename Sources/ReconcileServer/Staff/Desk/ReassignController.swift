import Foundation
import Hummingbird
import Logging
import ReconcileCore
import ReconcileStore

/// Moving all of a leaving practitioner's open cases at once (leads): `POST /api/v1/staff/{email}/reassign-open-cases`
/// `{"to": email}` and the form beside each caseload on the lead's home page. One store write: all move or none.
struct ReassignController {
    let stores: Stores
    let kit: StaffPageKit

    func addRoutes(api: RouterGroup<StaffRequestContext>, pages: RouterGroup<StaffRequestContext>) {
        api.post(":email/reassign-open-cases", use: reassignAPI)
        pages.post("team/:email/reassign-open-cases", use: reassignForm)
    }

    struct Moved: ResponseEncodable { let moved: Int }

    /// The one action both doors run; the refusal names the field `to` when the target is at fault.
    func reassign(from: String, to: String, by staff: StaffAccount, logger: Logger) async throws -> Int {
        guard !to.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.field("to", "required", "Choose who the open cases go to.")
        }
        do {
            let moved = try await stores.desk.reassignOpenCases(fromEmail: from, toEmail: to, by: staff.actor)
            logger.info("open cases reassigned", metadata: ["cases.moved": "\(moved)"])
            return moved
        } catch WorkflowError.unknownPractitioner {
            throw APIError.field("to", "unknown_value", "Choose an enabled practitioner or lead.")
        }
    }

    static func email(_ context: StaffRequestContext) -> String {
        (context.parameters.get("email") ?? "").removingPercentEncoding ?? ""
    }

    @Sendable func reassignAPI(request: Request, context: StaffRequestContext) async throws -> Moved {
        let fields = try await JSONFields.read(request, maxBytes: kit.maxBody, allowed: ["to"])
        return Moved(moved: try await reassign(from: Self.email(context), to: try fields.requiredString("to"), by: context.staff,
                                               logger: context.logger))
    }

    @Sendable func reassignForm(request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await kit.readForm(request)
        do {
            let moved = try await reassign(from: Self.email(context), to: form["to"] ?? "", by: context.staff, logger: context.logger)
            return Response(status: .seeOther, headers: [.location: "/staff?moved=\(moved)"])
        } catch {
            return kit.error(request, context.staff, APIError.answer(for: error), back: "/staff")
        }
    }
}
