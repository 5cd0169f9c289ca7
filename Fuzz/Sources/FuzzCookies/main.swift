import Foundation
import FuzzSupport
import Hummingbird
@testable import ReconcileServer

// Cookies: the `Cookie` header as the service reads it (Hummingbird's reader, looked up by our names) and the
// `Set-Cookie` our `SessionCookies` writes. Input: one flags byte, then header text, a NUL, then the bytes of a
// token. Beyond not crashing: a value read never runs past its `;`; our token, sent after any other cookies
// that do not use our name, reads back exactly; and every cookie we set keeps HttpOnly, SameSite=Strict,
// Path=/, no Domain, and Secure with the `__Host-` prefix exactly when the service is on https.
@_cdecl("FuzzCookies_main")
public func fuzzCookiesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzCookies)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCookies(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    guard let flags = bytes.first else { return 0 }
    let rest = bytes.dropFirst()
    let headerBytes = rest.prefix { $0 != 0 }
    let tokenBytes = rest.dropFirst(headerBytes.count + 1)
    guard let header = String(validating: headerBytes, as: UTF8.self) else { return 0 }
    let cookies = SessionCookies(secure: flags & 1 == 1)
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    let token = String(tokenBytes.map { alphabet[Int($0 & 63)] })

    for name in [cookies.staffSession, cookies.portalSession, cookies.csrf, cookies.name("reconcile_lang")] {
        if let read = Cookies(from: [header])[name]?.value {
            Fuzz.require(!read.contains(";"), "a cookie value never runs past its ;")
        }
        let sent = header + (header.isEmpty ? "" : "; ") + name + "=" + token
        // Our tokens are never empty (32 random bytes and more); an empty value reads as no cookie at all.
        if !token.isEmpty && !header.contains(name + "=") && !header.hasSuffix(";") {
            Fuzz.require(Cookies(from: [sent])[name]?.value == token, "our token reads back after other cookies: \(sent)")
        }
        let maxAge: Int? = flags & 2 == 2 ? Int(flags) : nil
        let set = cookies.set(name, token, maxAge: maxAge)
        let attributes = set.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        Fuzz.require(token.isEmpty || Cookies(from: [set])[name]?.value == token, "the cookie we set reads back: \(set)")
        Fuzz.require(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict") && attributes.contains("Path=/"),
                     "every cookie is HttpOnly, SameSite=Strict, Path=/: \(set)")
        Fuzz.require(!attributes.contains { $0.lowercased().hasPrefix("domain") }, "no cookie names a Domain: \(set)")
        Fuzz.require(attributes.contains("Secure") == cookies.secure && name.hasPrefix("__Host-") == cookies.secure,
                     "Secure and __Host- exactly on https: \(set)")
        Fuzz.require(attributes.contains("Max-Age=\(maxAge ?? 0)") == (maxAge != nil), "Max-Age only when asked: \(set)")
        Fuzz.require(cookies.clear(name).contains("Max-Age=0"), "clearing expires the cookie at once")
    }
    return 0
}
