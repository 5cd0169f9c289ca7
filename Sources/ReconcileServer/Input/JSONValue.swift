import Foundation

/// Any JSON value, decoded strictly (a boolean is never a number and vice versa) so that a wrong type
/// can be reported against the field that has it.
indirect enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        // Each probe that misses throws a DecodingError (with its coding path and message), so the kinds are tried
        // in the order a referral holds them most: strings, lists, objects, then yes/no and numbers. Every probe is
        // strict (a number is never read as a string), so the order changes nothing but the cost.
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else { self = .number(try c.decode(Double.self)) }
    }
}
