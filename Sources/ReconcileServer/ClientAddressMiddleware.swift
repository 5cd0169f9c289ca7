import HTTPTypes
import Hummingbird

/// Behind a configured reverse proxy, the client is the right-most `X-Forwarded-For` entry that is not
/// itself a trusted proxy (entries further left are whatever the client chose to send). From anyone else
/// the header is ignored, so it cannot be used to dodge the per-address limits.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard trustedProxies.contains(context.clientAddress), let header = request.headers[.xForwardedFor] else {
            return try await next(request, context)
        }
        let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let client = hops.last(where: { !trustedProxies.contains($0) }), client.utf8.count <= 64 else {
            return try await next(request, context)
        }
        var context = context
        context.clientAddress = client
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
