import Foundation
import Hummingbird
import NIOCore
import ReconcileCore
import ReconcileStore

/// The request context every route sees.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Whom the rate limits count: the peer's IPv4 address or IPv6 /64 network, or behind a trusted proxy the
    /// forwarded client's (`ClientAddressMiddleware`).
    public internal(set) var clientAddress: String
    /// The signed-in staff or council account, set by `TokenResolver` on the routes that need one.
    public var staff: StaffAccount?
    /// The case a family signed in to with reference + passphrase, set by `TokenResolver`.
    public var portalCaseID: CaseID?

    /// The connection, so a refusal can close it (an upload too large to drain, `BodyLimitMiddleware`).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// snake_case keys, ISO 8601 dates and sorted keys: the API's JSON is stable byte for byte.
    public var responseEncoder: JSONEncoder { Self.jsonEncoder }

    static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
