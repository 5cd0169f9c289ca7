import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// Resolves the staff session cookie for pages. Without a live session: a redirect to the sign-in page.
/// With a role the group does not admit: a friendly 403 page. Errors thrown below it render as pages too.
struct StaffPageAuth: RouterMiddleware {
    typealias Context = AppRequestContext
    let database: AppDatabase
    let keys: KeyRing
    let policy: StaffSessionPolicy
    let cookieName: String
    let roles: Set<StaffRole>
    let kit: StaffPageKit

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[cookieName]?.value, (16...128).contains(token.utf8.count),
              let account = try await database.staffSession(token: token, keys: keys, policy: policy) else {
            let signIn = request.uri.path.hasPrefix("/council") ? "/council/sign-in" : "/staff/sign-in"
            return Response(status: .seeOther, headers: [.location: signIn])
        }
        guard roles.contains(account.role), account.role != .council || account.councilArea != nil else {
            return kit.error(request, account, APIError(.forbidden, code: "forbidden", message: "Your account cannot open this page."))
        }
        var context = context
        context.staff = account
        context.logger[metadataKey: "actor.id"] = "\(account.id)"
        do {
            return try await next(request, context)
        } catch {
            let error = APIError.forStaff(error, role: account.role) ?? error
            let api = ErrorMiddleware<AppRequestContext>.apiError(for: error)
            RequestFailure.log(api, error, logger: context.logger, requestID: context.id)
            return kit.error(request, account, api)
        }
    }
}
