import Foundation

/// An `application/x-www-form-urlencoded` body: every name with all its values, in order.
/// Parsed by hand so repeated checkbox names (`harm=a&harm=b`) keep every value.
struct FormBody: Sendable {
    private(set) var values: [String: [String]] = [:]

    /// Nil when the body is not valid percent-encoded UTF-8.
    init?(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { return nil }
            values[name, default: []].append(value)
        }
    }

    subscript(_ name: String) -> String? { values[name]?.first }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
