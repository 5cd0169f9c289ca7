import Foundation
import HTTPTypes
import Hummingbird
import Sodium

/// Double-submit protection for HTML forms: a random cookie, and in the form a keyed BLAKE2b of it.
/// A page from another site can neither read the cookie nor compute the token. Cookies are
/// HttpOnly and SameSite=Strict, and Secure (with the `__Host-` prefix) when the service is on https.
struct CSRFProtection: Sendable {
    let key: SecretKey
    let secureCookies: Bool

    var cookieName: String { secureCookies ? "__Host-reconcile_csrf" : "reconcile_csrf" }

    /// The cookie to keep (the existing one when valid) and the matching form token.
    func issue(for request: Request) -> (cookie: String, token: String, setCookie: String?) {
        if let existing = request.cookies[cookieName]?.value, existing.count == 43, let token = token(for: existing) {
            return (existing, token, nil)
        }
        let fresh = Data(Random.bytes(count: 32)).base64URL
        let attributes = "Path=/; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : "")
        return (fresh, token(for: fresh)!, "\(cookieName)=\(fresh); \(attributes)")
    }

    /// True when the request carries the cookie and the form token made from it, and was not sent
    /// from another site (Sec-Fetch-Site / Origin, where the browser provides them).
    func verify(_ request: Request, formToken: String?) -> Bool {
        if let site = request.headers[.secFetchSite], site == "cross-site" { return false }
        // Browsers send `Origin: null` on a same-site form POST when the page's Referrer-Policy is no-referrer
        // (ours, everywhere): that says nothing about the sender, so only a real origin is compared.
        if let origin = request.headers[.origin], origin != "null", let authority = request.head.authority,
           URL(string: origin)?.host?.lowercased() != Self.hostWithoutPort(authority) {
            return false
        }
        guard let cookie = request.cookies[cookieName]?.value, let formToken, let expected = token(for: cookie) else { return false }
        return Sodium.constantTimeEquals(Array(expected.utf8), Array(formToken.utf8))
    }

    /// "example.org:8080" → "example.org"; "[::1]:8080" → "::1" (as URL.host reports it).
    static func hostWithoutPort(_ authority: String) -> String {
        let lower = authority.lowercased()
        if lower.hasPrefix("["), let close = lower.firstIndex(of: "]") { return String(lower[lower.index(after: lower.startIndex)..<close]) }
        return String(lower.split(separator: ":", maxSplits: 1).first ?? "")
    }

    private func token(for cookie: String) -> String? {
        guard let hash = try? GenericHash.hash(Array("csrf\u{0}\(cookie)".utf8), key: key) else { return nil }
        return Data(hash).base64URL
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
}

extension Data {
    /// base64url without padding: safe in cookies, forms and URLs.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
