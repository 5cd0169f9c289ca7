import FuzzSupport
@testable import ReconcileServer

// The service's JSON reader (every API body). Beyond not crashing, checked against an independent RFC 8259 reader
// written here, both ways: a body the service accepts is one JSON object with no key twice in any object, and every
// such object is accepted (unless it is deeper than the service reads, holds a number too large for a Double or a
// lone surrogate escape); a body refused as `duplicate_key` is valid JSON that really repeats a key, and every such
// body is refused so. Keys are compared as Swift compares text, as the service's dictionaries do.
@_cdecl("FuzzJSONObject_main")
public func fuzzJSONObjectMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzJSONObject)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONObject(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    var reference = StrictJSON(bytes)
    let parsed = reference.document()
    let refusal = JSONObjectBody.refusal(bytes)
    if refusal == nil {
        Fuzz.require(parsed == .object, "accepted body is one JSON object (reference: \(parsed))")
        Fuzz.require(!reference.duplicate, "accepted body repeats no key")
    }
    if refusal == "duplicate_key" {
        Fuzz.require(parsed != .invalid, "body refused for a duplicate key is valid JSON")
        Fuzz.require(reference.duplicate, "body refused for a duplicate key repeats one")
    }
    if parsed == .object, !reference.unusual {
        Fuzz.require(refusal == (reference.duplicate ? "duplicate_key" : nil), "a JSON object is read, or refused for its duplicate key")
    }
    return 0
}

/// A small recursive-descent JSON reader: validity, the top-level kind, whether any object repeats a key, and
/// whether the body holds what the service does not read (`unusual`: deep nesting, a number beyond a Double, a lone
/// surrogate escape).
struct StrictJSON {
    enum Kind: Equatable { case object, other, invalid }
    let b: [UInt8]
    var i = 0
    var duplicate = false
    var unusual = false
    var depth = 0

    init(_ bytes: [UInt8]) { b = bytes }

    mutating func document() -> Kind {
        skipSpace()
        let isObject = i < b.count && b[i] == UInt8(ascii: "{")
        guard value() else { return .invalid }
        skipSpace()
        return i == b.count ? (isObject ? .object : .other) : .invalid
    }

    private mutating func skipSpace() {
        while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 }
    }

    private mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard b.count - i >= w.count, Array(b[i..<i + w.count]) == w else { return false }
        i += w.count
        return true
    }

    private mutating func value() -> Bool {
        skipSpace()
        guard i < b.count else { return false }
        depth += 1
        defer { depth -= 1 }
        guard depth < 10_000 else { return false }
        if depth > 60 { unusual = true }
        switch b[i] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func object() -> Bool {
        i += 1
        var keys = Set<String>()
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return true }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\""), let key = string() else { return false }
            if !keys.insert(String(decoding: key, as: UTF16.self)).inserted { duplicate = true }
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
            i += 1
            guard value() else { return false }
            skipSpace()
            guard i < b.count else { return false }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return true }
            return false
        }
    }

    private mutating func array() -> Bool {
        i += 1
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return true }
        while true {
            guard value() else { return false }
            skipSpace()
            guard i < b.count else { return false }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return true }
            return false
        }
    }

    /// The string's UTF-16 code units, or nil when it is not a valid JSON string of valid UTF-8.
    private mutating func string() -> [UInt16]? {
        i += 1
        var raw: [UInt8] = []
        var units: [UInt16] = []
        func flush() -> Bool {
            guard let text = String(validating: raw, as: UTF8.self) else { return false }
            units += Array(text.utf16)
            raw = []
            return true
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard flush() else { return nil }
                if String(validating: units, as: UTF16.self) == nil { unusual = true }
                return units
            }
            if c < 0x20 { return nil }
            if c != UInt8(ascii: "\\") { raw.append(c); i += 1; continue }
            guard flush(), i + 1 < b.count else { return nil }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): units.append(UInt16(e))
            case UInt8(ascii: "b"): units.append(8)
            case UInt8(ascii: "f"): units.append(12)
            case UInt8(ascii: "n"): units.append(10)
            case UInt8(ascii: "r"): units.append(13)
            case UInt8(ascii: "t"): units.append(9)
            case UInt8(ascii: "u"):
                guard b.count - i >= 4, let unit = UInt16(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16),
                      b[i..<i + 4].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) })
                else { return nil }
                units.append(unit)
                i += 4
            default: return nil
            }
        }
        return nil
    }

    private mutating func number() -> Bool {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let s = i; while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }; return i - s }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { return false } }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        if let value = Double(String(decoding: b[start..<i], as: UTF8.self)), !value.isFinite { unusual = true }
        return i > start
    }
}
