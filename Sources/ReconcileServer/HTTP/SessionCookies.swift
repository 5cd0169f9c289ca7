/// Every cookie the service sets is made here, so each has the same guard rails: always HttpOnly (no script
/// reads it) and SameSite=Strict (no other site's request carries it); on https also Secure and the `__Host-`
/// prefix, which the browser honours only without Domain and with Path=/ — a sibling subdomain cannot plant
/// or overwrite such a cookie.
struct SessionCookies: Sendable {
    let secure: Bool

    var staffSession: String { name("reconcile_session") }
    var portalSession: String { name("reconcile_portal") }
    var csrf: String { name("reconcile_csrf") }

    func name(_ base: String) -> String { secure ? "__Host-" + base : base }

    /// `maxAge` nil makes a browser-session cookie: closing the browser forgets it.
    func set(_ name: String, _ value: String, maxAge: Int?) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict" + (maxAge.map { "; Max-Age=\($0)" } ?? "") + (secure ? "; Secure" : "")
    }

    func clear(_ name: String) -> String { set(name, "", maxAge: 0) }
}
