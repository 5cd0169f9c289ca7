import Hummingbird
import ReconcileStore

/// Resolves a family's portal token: the bearer header for the API, the portal cookie for pages (whose
/// forms also carry a CSRF token). A staff token is not a portal token and opens nothing here, and a
/// portal token opens nothing on staff routes (they look tokens up in a different table).
struct PortalAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let database: AppDatabase
    let keys: KeyRing
    let policy: PortalSessionPolicy
    let cookieName: String
    /// Pages send people without a session back to the sign-in page instead of a JSON 401.
    let pages: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = pages ? request.cookies[cookieName]?.value : request.bearerToken
        guard let token, (16...128).contains(token.utf8.count),
              let caseID = try await database.portalSession(token: token, keys: keys, policy: policy) else {
            if pages { return Response(status: .seeOther, headers: [.location: "/portal"]) }
            throw APIError.unauthenticated()
        }
        var context = context
        context.portalCaseID = caseID
        return try await next(request, context)
    }
}
