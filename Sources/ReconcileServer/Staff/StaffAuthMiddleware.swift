import Hummingbird
import ReconcileCore
import ReconcileStore

/// Resolves `Authorization: Bearer <token>` to a signed-in account and refuses the request (401) without
/// one, then refuses (403) roles the group does not admit. The API takes only the header, never the
/// cookie, so a page on another site can never make an API call that carries a staff session.
struct StaffAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let database: AppDatabase
    let keys: KeyRing
    let policy: StaffSessionPolicy
    let roles: Set<StaffRole>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let token = String(header.dropFirst("Bearer ".count)), (16...128).contains(token.utf8.count),
              let account = try await database.staffSession(token: token, keys: keys, policy: policy)
        else { throw APIError.unauthenticated() }
        guard roles.contains(account.role) else { throw APIError.forbidden() }
        var context = context
        context.staff = account
        context.logger[metadataKey: "actor.id"] = "\(account.id)"
        do {
            return try await next(request, context)
        } catch {
            throw APIError.forStaff(error, role: account.role) ?? error
        }
    }
}

/// The token of a request (for sign-out), if it carries one.
extension Request {
    var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}
