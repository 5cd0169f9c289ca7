import Foundation

/// An `application/x-www-form-urlencoded` body: every name with all its values, in order.
/// Parsed by hand so repeated checkbox names (`harm=a&harm=b`) keep every value.
struct FormBody: Sendable {
    private(set) var values: [String: [String]] = [:]

    /// Nil when the body is not valid percent-encoded UTF-8.
    ///
    /// Split on bytes, never on Swift `Character`s: "=" or "&" followed by a combining mark is one Character, so a
    /// split by Characters read `a=\u{0652}b` as a name with no value.
    init?(_ bytes: [UInt8]) {
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = pair[..<(equals ?? pair.endIndex)]
            let value = equals.map { pair[pair.index(after: $0)...] } ?? []
            guard let name = Self.decode(name), let value = Self.decode(value) else { return nil }
            values[name, default: []].append(value)
        }
    }

    subscript(_ name: String) -> String? { values[name]?.first }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// "+" is a space, then percent-decoding; the bytes between "&" and "=" of valid UTF-8 are valid UTF-8 too.
    private static func decode(_ part: ArraySlice<UInt8>) -> String? {
        String(decoding: part.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self).removingPercentEncoding
    }
}
