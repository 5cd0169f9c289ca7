/// Safe by default on a real network: staff passwords, family passphrases and session cookies must not
/// cross it in clear. Listening beyond loopback is allowed only when TLS terminates in front of us (an https
/// `server.public_url`) or when the operator says so explicitly (`--allow-plain-http`, e.g. a private lab).
public enum PlainHTTPRule {
    /// The one-line reason `serve` refuses to start, or nil when it may listen on `host`.
    public static func refusal(host: String, publicURL: String, allowPlainHTTP: Bool) -> String? {
        if isLoopback(host) || allowPlainHTTP || publicURL.lowercased().hasPrefix("https://") { return nil }
        return "refusing to listen on \(host) over plain HTTP: passwords and cookies would cross the network in clear; "
            + "set server.public_url to the https address of the TLS proxy, or pass --allow-plain-http"
    }

    /// 127.0.0.0/8, ::1 and "localhost"; everything else (0.0.0.0, ::, a LAN address, a name) may be reachable.
    public static func isLoopback(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
