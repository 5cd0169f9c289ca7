import Foundation

// The canonical form of the report document (the JSON that is signed, stored in the ledger and served to the council
// byte for byte), so the same data and `generated_at` always give the same bytes: UTF-8; object keys sorted by
// their UTF-8 bytes; no insignificant white space; integers in decimal; other numbers with at most one decimal
// place ("2.5"), never an exponent; strings escaped minimally (", \, control characters, U+2028/U+2029).

/// A JSON value with one canonical encoding.
public indirect enum CanonicalJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// Written with at most one decimal place; a whole value is written as an integer.
    case number(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let n): out += Array(String(n).utf8)
        case .number(let x): out += Array(Self.format(x).utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, member)) in members.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// One decimal place at most, rounded half away from zero; no exponent; "-0" never appears.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        let tenths = Int64((x * 10).rounded())
        if tenths == 0 { return "0" }
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += Array("\\\"".utf8)
            case "\\": out += Array("\\\\".utf8)
            case "\n": out += Array("\\n".utf8)
            case "\r": out += Array("\\r".utf8)
            case "\t": out += Array("\\t".utf8)
            case "\u{2028}", "\u{2029}": out += Array(String(format: "\\u%04x", scalar.value).utf8)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += Array(String(format: "\\u%04x", scalar.value).utf8)
                } else {
                    out += Array(String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses JSON text (any valid JSON, not only canonical) into a value.
    public static func parse(_ bytes: [UInt8]) throws -> CanonicalJSON {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        return try from(object)
    }

    private static func from(_ any: Any) throws -> CanonicalJSON {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            // Report documents hold no booleans, so a number is an integer unless it is written with a fraction.
            let text = n.stringValue
            if !text.contains("."), !text.lowercased().contains("e"), let i = Int(text) { return .int(i) }
            return .number(n.doubleValue)
        case let a as [Any]: return .array(try a.map(from))
        case let o as [String: Any]: return .object(try o.mapValues(from))
        default: throw ReportDocumentError("unexpected JSON value")
        }
    }

    public subscript(key: String) -> CanonicalJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int? { if case .int(let n) = self { n } else { nil } }
    public var doubleValue: Double? {
        switch self {
        case .int(let n): Double(n)
        case .number(let x): x
        default: nil
        }
    }
}
