import Foundation
import HTTPTypes
import Hummingbird
import Sodium

/// Protection for HTML forms, in two layers. First, where the POST came from: accepted only when the
/// browser says `Sec-Fetch-Site: same-origin`, or (older browsers, no Sec-Fetch-*) when Origin — or, without
/// it, Referer — is exactly our origin. `same-site` is refused: a sibling subdomain is another party. Our
/// `Referrer-Policy: same-origin` makes browsers send a real Origin on our own posts, so `Origin: null` is
/// refused too. Second, a token: a keyed BLAKE2b over a random cookie and, on signed-in pages, the session
/// cookie, so a token obtained in one session (or planted with a cookie) is worthless in another.
struct CSRFProtection: Sendable {
    let key: SecretKey
    let cookies: SessionCookies
    /// "https://referrals.example.org" from `server.public_url`; nil: the request's own `http://Host`.
    let publicOrigin: String?

    init(key: SecretKey, cookies: SessionCookies, publicURL: String) {
        self.key = key
        self.cookies = cookies
        self.publicOrigin = publicURL.isEmpty ? nil : Self.origin(of: publicURL)
    }

    /// The form token for this request, bound to the session in `sessionCookie` when the browser holds one,
    /// and the Set-Cookie for a fresh random cookie when the browser holds no valid one yet.
    func issue(for request: Request, sessionCookie: String?) -> (token: String, setCookie: String?) {
        let session = sessionCookie.flatMap { request.cookies[$0]?.value }
        if let existing = request.cookies[cookies.csrf]?.value, existing.count == 43, let token = token(for: existing, session: session) {
            return (token, nil)
        }
        let fresh = Data(Random.bytes(count: 32)).base64URL
        // Keyed BLAKE2b of a short message under a 32-byte key does not fail; an empty token would only make the
        // form's POST refused (403), never trap.
        return (token(for: fresh, session: session) ?? "", cookies.set(cookies.csrf, fresh, maxAge: nil))
    }

    /// True when the POST came from our own pages and carries the token made from its cookie and session.
    func verify(_ request: Request, formToken: String?, sessionCookie: String?) -> Bool {
        guard isSameOrigin(request) else { return false }
        let session = sessionCookie.flatMap { request.cookies[$0]?.value }
        guard let cookie = request.cookies[cookies.csrf]?.value, let formToken,
              let expected = token(for: cookie, session: session) else { return false }
        return Sodium.constantTimeEquals(Array(expected.utf8), Array(formToken.utf8))
    }

    func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite] { return site == "same-origin" }
        guard let ours = publicOrigin ?? request.head.authority.map({ "http://" + $0.lowercased() }) else { return false }
        if let origin = request.headers[.origin] { return origin.lowercased() == ours }
        if let referer = request.headers[.referer] { return Self.origin(of: referer) == ours }
        return false
    }

    /// "HTTPS://Example.org:443/path?q" → "https://example.org"; the port stays only when it is not the scheme's default.
    static func origin(of address: String) -> String? {
        guard let url = URLComponents(string: address), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
              !host.isEmpty, ["http", "https"].contains(scheme) else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let port = url.port.flatMap { ($0 == 80 && scheme == "http") || ($0 == 443 && scheme == "https") ? nil : ":\($0)" } ?? ""
        return "\(scheme)://\(bracketed)\(port)"
    }

    private func token(for cookie: String, session: String?) -> String? {
        let message = "csrf\u{0}\(cookie)\u{0}\(session ?? "")"
        guard let hash = try? GenericHash.hash(Array(message.utf8), key: key) else { return nil }
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

extension CSRFProtection {
    /// A page's form body, read the same way behind every door: the form content type (415), the size limit
    /// (413), valid percent-encoded UTF-8 (400), then the CSRF token bound to `sessionCookie` (403, with
    /// `expired` telling the person what to do). Nothing of the form is acted on before all of that holds.
    func readForm(_ request: Request, maxBytes: Int, sessionCookie: String?, expired: String) async throws -> FormBody {
        try await readFormAndBody(request, maxBytes: maxBytes, sessionCookie: sessionCookie, expired: expired).form
    }

    /// The same, with the bytes as sent (the referral form keys its replay check on them).
    func readFormAndBody(_ request: Request, maxBytes: Int, sessionCookie: String?, expired: String) async throws -> (form: FormBody, body: [UInt8]) {
        try request.requireContentType("application/x-www-form-urlencoded")
        var request = request
        let body = try await request.collectLimited(maxBytes)
        guard let form = FormBody(body) else {
            throw APIError(.badRequest, code: "invalid_form", message: "The form could not be read. Please go back and try again.")
        }
        guard verify(request, formToken: form["csrf_token"], sessionCookie: sessionCookie) else {
            throw APIError(.forbidden, code: "form_expired", message: expired)
        }
        return (form, body)
    }
}
