import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore
import Sodium

/// `POST /api/v1/staff/session` (email, password, TOTP code → token and cookie) and
/// `DELETE /api/v1/staff/session` (sign out: the token stops working at once).
struct StaffSessionController {
    let stores: Stores
    let settings: Settings
    let throttle: RateLimiter
    /// Argon2id on the service's bounded pool.
    let hasher: PasswordHasher
    let policy: StaffSessionPolicy
    let secureCookies: Bool
    var clock: @Sendable () -> Date = { Date() }

    struct SignedIn: ResponseEncodable {
        let token: String
        let role: String
        let expiresInSeconds: Int
    }

    var cookieName: String { SessionCookies(secure: secureCookies).staffSession }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("api/v1/staff/session", use: signIn)
        group.delete("api/v1/staff/session", use: signOut)
    }

    @Sendable func signIn(request: Request, context: AppRequestContext) async throws -> EditedResponse<SignedIn> {
        let fields = try await JSONFields.read(request, maxBytes: 4096, allowed: ["email", "password", "totp"])
        let email = try fields.requiredString("email").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let password = try fields.requiredString("password")
        let code = try fields.requiredString("totp")
        let session = try await authenticate(email: email, password: password, code: code, context: context)
        return EditedResponse(headers: [.setCookie: sessionCookie(session.token)],
                              response: SignedIn(token: session.token, role: session.account.role.rawValue,
                                                 expiresInSeconds: Int(policy.absolute)))
    }

    /// Password and TOTP code → a new session, throttled per account and per address. Shared by the API and
    /// the sign-in page (`StaffPagesController`), so both count failures against the same budget.
    /// Throws `APIError.tooManyRequests` or `StaffAuthError.invalidCredentials`.
    func authenticate(email rawEmail: String, password: String, code: String, context: AppRequestContext) async throws -> StaffSignIn {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        // Per account and per address: guessing one account from many places, or many from one, both stop.
        // The attempt is counted before the password is checked, so a parallel burst gets no more checks
        // than the limit; a success (or an attempt never checked because hashing was busy) is handed back.
        let reservation: RateLimiter.Reservation
        switch await throttle.reserve(["account:\(email)", "address:\(context.clientAddress)"]) {
        case .failure(let wait):
            context.logger.notice("staff sign-in refused: too many failures")
            throw APIError.tooManyRequests(retryAfter: wait.seconds)
        case .success(let granted): reservation = granted
        }
        do {
            let session = try await stores.staff.signIn(email: email, password: password, totp: code,
                                                    hasher: hasher, policy: policy, now: clock())
            await throttle.refund(reservation)
            await throttle.clear("account:\(email)")
            context.logger.info("staff signed in", metadata: ["actor.id": "\(session.account.id)"])
            return session
        } catch StaffAuthError.invalidCredentials {
            // Neither the email nor anything typed is logged.
            context.logger.notice("staff sign-in failed")
            throw StaffAuthError.invalidCredentials
        } catch {
            await throttle.refund(reservation)
            throw error
        }
    }

    /// The session cookie for `token`, or the one that removes it when `token` is nil.
    func sessionCookie(_ token: String?) -> String {
        let cookies = SessionCookies(secure: secureCookies)
        return token.map { cookies.set(cookieName, $0, maxAge: Int(policy.absolute)) } ?? cookies.clear(cookieName)
    }

    @Sendable func signOut(request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = request.bearerToken ?? request.cookies[cookieName]?.value,
              try await stores.staff.staffSession(token: token, policy: policy) != nil else {
            throw APIError.unauthenticated()
        }
        try await stores.staff.signOut(token: token)
        return Response(status: .noContent, headers: [.setCookie: sessionCookie(nil), .clearSiteData: PortalService.clearSiteData])
    }
}
