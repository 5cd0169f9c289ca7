import Hummingbird

/// The request context every route sees.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for rate limits. Behind a proxy this is the proxy: set limits to 0 there and
    /// let the proxy enforce them (SPEC "Automation contract").
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
