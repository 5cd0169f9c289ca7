import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// The one middleware that turns a token into a signed-in party, for every door: staff and council by session
/// (or a council API token), families by portal session; from the bearer header (API) or a cookie (pages).
/// The API takes only the header, never the cookie, so a page on another site can never make an API call
/// that carries a session; a staff token opens nothing on portal routes and a portal token nothing on staff
/// routes (they are looked up in different tables). The group behind it turns the context into the party's
/// typed context (`StaffRequestContext`, `CouncilRequestContext`, `FamilyRequestContext`).
struct TokenResolver: RouterMiddleware {
    typealias Context = AppRequestContext

    enum Party: Sendable {
        /// Staff sessions of these roles (a council account only with an area).
        case staff(Set<StaffRole>)
        /// Council officers with an area: a session, or on the API a council API token.
        case council
        case family
    }
    enum Carrier: Sendable {
        case bearer
        case cookie(String)
    }

    let stores: Stores
    let staffPolicy: StaffSessionPolicy
    let portalPolicy: PortalSessionPolicy
    let party: Party
    let carrier: Carrier
    let clock: @Sendable () -> Date
    /// Pages only: a request without a live session is sent to sign in (not a JSON 401), and refusals and
    /// errors below render as staff pages.
    var signIn: (@Sendable (Request) -> String)? = nil
    var kit: StaffPageKit? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token: String? = switch carrier {
        case .bearer: request.bearerToken
        case .cookie(let name): request.cookies[name]?.value
        }
        guard let token, (16...128).contains(token.utf8.count) else { return try unsigned(request) }
        var context = context
        switch party {
        case .family:
            guard let caseID = try await stores.portal.portalSession(token: token, policy: portalPolicy, now: clock()) else { return try unsigned(request) }
            context.portalCaseID = caseID
            return try await next(request, context)
        case .staff, .council:
            var account = try await stores.staff.staffSession(token: token, policy: staffPolicy, now: clock())
            if account == nil, case .council = party, case .bearer = carrier {
                account = try await stores.staff.councilTokenAccount(token: token)
            }
            guard let account else { return try unsigned(request) }
            guard admits(account) else {
                let refusal = APIError.forbidden(kit == nil ? "Your role does not allow this." : "Your account cannot open this page.")
                if let kit { return kit.error(request, account, refusal) }
                throw refusal
            }
            context.staff = account
            context.logger[metadataKey: "actor.id"] = "\(account.id)"
            do {
                return try await next(request, context)
            } catch {
                // An erased case answers a practitioner as no case at all (`APIError.forStaff`).
                let error = APIError.forStaff(error, role: account.role) ?? error
                guard let kit else { throw error }
                let api = APIError.answer(for: error)
                RequestFailure.log(api, error, logger: context.logger, requestID: context.id)
                return kit.error(request, account, api)
            }
        }
    }

    private func admits(_ account: StaffAccount) -> Bool {
        let hasArea = account.role != .council || account.councilArea != nil
        return switch party {
        case .staff(let roles): roles.contains(account.role) && hasArea
        case .council: account.role == .council && hasArea
        case .family: false
        }
    }

    private func unsigned(_ request: Request) throws -> Response {
        guard let signIn else { throw APIError.unauthenticated() }
        return Response(status: .seeOther, headers: [.location: signIn(request)])
    }
}

/// The token of a request (for sign-out), if it carries one.
extension Request {
    var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}
