import FuzzSupport
@testable import ReconcileServer

// The form body reader (every page's POST). Beyond not crashing: whatever it reads, written out again with
// every byte percent-encoded, reads back to the same names and values in the same order; and a body with no
// `%` or `+` reads as its bytes split on `&` and the first `=`.
@_cdecl("FuzzFormBody_main")
public func fuzzFormBodyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzFormBody)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormBody(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    guard let form = FormBody(bytes) else { return 0 }

    let rewritten = form.values.flatMap { name, values in values.map { encode(name) + "=" + encode($0) } }
        .joined(separator: "&")
    let again = FormBody(Array(rewritten.utf8))
    Fuzz.require(again?.values == form.values, "re-encoded form reads back the same: \(form.values)")

    // The WHATWG urlencoded parser splits bytes, not characters: `&` or `=` followed by a combining mark still separates.
    if !bytes.contains(UInt8(ascii: "%")) && !bytes.contains(UInt8(ascii: "+")) {
        var plain: [String: [String]] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&")) {
            let name = pair.prefix { $0 != UInt8(ascii: "=") }
            let value = pair.dropFirst(name.count + 1)
            plain[String(decoding: name, as: UTF8.self), default: []].append(String(decoding: value, as: UTF8.self))
        }
        Fuzz.require(plain == form.values, "plain body reads as written: \(form.values) vs \(plain)")
    }
    return 0
}

/// Every byte outside RFC 3986's unreserved set as %XX (so no `+`, `&` or `=` survives unencoded).
private func encode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".unicodeScalars)
            out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
        }
    }
    return out
}
