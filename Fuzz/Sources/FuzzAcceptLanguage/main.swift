import FuzzSupport
import ReconcileCore
@testable import ReconcileServer

// Accept-Language (every family page). Beyond not crashing: easy read is never guessed from a header; Polish is
// chosen only from a header naming `pl`; a header naming none of our languages (`pl`, `en`, `*`) chooses none;
// a language added with q=0 (refused, RFC 9110) changes nothing; and a `?lang=` or cookie choice always wins.
@_cdecl("FuzzAcceptLanguage_main")
public func fuzzAcceptLanguageMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzAcceptLanguage)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAcceptLanguage(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let header = Fuzz.text(start, count) else { return 0 }
    let chosen = FamilyLanguage.fromAcceptLanguage(header)
    let lower = header.lowercased()
    Fuzz.require(chosen != .easyRead, "easy read never comes from a header")
    if chosen == .polish { Fuzz.require(lower.contains("pl"), "Polish only when the header names pl") }
    if !lower.contains("pl") && !lower.contains("en") && !header.contains("*") {
        Fuzz.require(chosen == nil, "no language of ours named, none chosen: got \(String(describing: chosen))")
    }
    // Appending a refused language must not change the choice while the header stays within the limits read.
    let refused = header + ",pl;q=0"
    if refused.utf8.count <= 1_000 && header.split(separator: ",").count < 31 {
        Fuzz.require(FamilyLanguage.fromAcceptLanguage(refused) == chosen, "a q=0 language changes nothing")
    }
    for language in FamilyLanguage.allCases {
        Fuzz.require(FamilyLanguage.choose(query: language.rawValue, cookie: header, acceptLanguage: header) == language,
                     "?lang= wins over the header")
        Fuzz.require(FamilyLanguage.choose(query: nil, cookie: language.rawValue, acceptLanguage: header) == language,
                     "the cookie wins over the header")
    }
    Fuzz.require(FamilyLanguage.choose(query: header, cookie: nil, acceptLanguage: nil) == FamilyLanguage(rawValue: header) ?? .english,
                 "an unknown ?lang= is ignored")
    return 0
}
