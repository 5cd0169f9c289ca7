import Foundation
import Hummingbird
import ReconcileStore

/// The request context every route sees.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for rate limits. Behind a proxy this is the proxy: set limits to 0 there and
    /// let the proxy enforce them (SPEC "Automation contract").
    public internal(set) var clientAddress: String
    /// The signed-in staff or council account, set by `StaffAuthMiddleware` on the routes that need one.
    public var staff: StaffAccount?
    /// The case a family signed in to with reference + passphrase, set by `PortalAuthMiddleware`.
    public var portalCaseID: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// snake_case keys, ISO 8601 dates and sorted keys: the API's JSON is stable byte for byte.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    func requirePortalCase() throws -> String {
        guard let portalCaseID else { throw APIError.unauthenticated() }
        return portalCaseID
    }

    /// The account, or 401 when the route was reached without one (a wiring mistake, never expected).
    func requireStaff() throws -> StaffAccount {
        guard let staff else { throw APIError.unauthenticated() }
        return staff
    }
}
