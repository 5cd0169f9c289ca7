#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTypes
import Hummingbird

/// Decides whom the per-address limits count: the peer, or behind a configured reverse proxy the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left are whatever the client
/// chose to send; from anyone else the header is ignored, so it cannot be used to dodge the limits).
///
/// The result is a network, not an address: an IPv4 address (IPv4-mapped IPv6 `::ffff:a.b.c.d` read as
/// a.b.c.d), or an IPv6 /64 — one home or mobile network holds 2^64 addresses, so counting per address
/// would give one person an unlimited budget.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: Set<String>

    init(trustedProxies: Set<String>) {
        self.trustedProxies = Set(trustedProxies.map(ClientNetwork.canonical))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var client = ClientNetwork.canonical(context.clientAddress)
        if trustedProxies.contains(client), let header = request.headers[.xForwardedFor] {
            let hops = header.split(separator: ",").map { ClientNetwork.canonical($0.trimmingCharacters(in: .whitespaces)) }
            if let forwarded = hops.last(where: { !$0.isEmpty && !trustedProxies.contains($0) }), forwarded.utf8.count <= 64 {
                client = forwarded
            }
        }
        var context = context
        context.clientAddress = ClientNetwork.limitKey(client)
        return try await next(request, context)
    }
}

/// IP address forms, with the C library's own parser (`inet_pton`) rather than string games.
enum ClientNetwork {
    /// IPv4 as dotted quad; IPv4-mapped IPv6 as its IPv4 address; other IPv6 in one canonical spelling
    /// (so "2001:DB8::1" and "2001:db8:0:0::1" are one address). Anything else is returned unchanged.
    static func canonical(_ text: String) -> String {
        if let v4 = ipv4(text) { return v4.map(String.init).joined(separator: ".") }
        guard let v6 = ipv6(text) else { return text }
        if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF {
            return v6[12...].map(String.init).joined(separator: ".")
        }
        return stride(from: 0, to: 16, by: 2).map { (i: Int) -> String in
            let group: UInt16 = UInt16(v6[i]) << 8 | UInt16(v6[i + 1])
            return String(group, radix: 16)
        }.joined(separator: ":")
    }

    /// The key the limits count: an IPv4 address as it is, an IPv6 address as its /64 network.
    static func limitKey(_ canonicalAddress: String) -> String {
        guard ipv4(canonicalAddress) == nil, let v6 = ipv6(canonicalAddress) else { return canonicalAddress }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(v6[$0]) << 8 | UInt16(v6[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var address = in6_addr()
        guard inet_pton(AF_INET6, bare, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
