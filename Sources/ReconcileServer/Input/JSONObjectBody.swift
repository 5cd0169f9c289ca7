import Foundation

/// A request body that must be one JSON object. Foundation's decoder keeps the last of two equal keys, so
/// `{"note": "harmless", "note": "other"}` would mean whatever a proxy, a log reader or a second parser
/// thinks it means; such bodies are refused (400) before anything reads them.
enum JSONObjectBody {
    static func decode(_ body: [UInt8]) throws -> [String: JSONValue] {
        // Foundation's decoder is more lenient than RFC 8259: it reads bytes that are not UTF-8 (as U+FFFD) and a
        // comma before a closing bracket. Both are refused here first, so what we read is what any strict reader
        // reads (found by scripts/fuzz against an independent reader).
        let scanned = scan(body)
        guard String(validating: body, as: UTF8.self) != nil, !scanned.trailingComma,
              let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(body)) else {
            throw APIError(.badRequest, code: "invalid_json", message: "The body must be a JSON object in UTF-8.")
        }
        if scanned.duplicateKey {
            throw APIError(.badRequest, code: "duplicate_key", message: "A field appears more than once in the same JSON object.")
        }
        return object
    }

    /// Whether a "," is followed (after white space) by "]" or "}" outside a string.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool { scan(bytes).trailingComma }

    /// Whether any object holds a key twice. Keys are compared after unescaping (`"a"` and `"\u0061"` are one key).
    static func hasDuplicateKey(_ bytes: [UInt8]) -> Bool { scan(bytes).duplicateKey }

    /// One walk over the body, keeping the keys seen in each open object and the last byte outside strings and
    /// white space. Meant for valid JSON (`decode` trusts only what Foundation also read), but never traps on any bytes.
    static func scan(_ bytes: [UInt8]) -> (duplicateKey: Bool, trailingComma: Bool) {
        // Keys as their exact scalars: Swift's String equality is canonical equivalence, JSON's is not.
        enum Frame { case object(keys: Set<[UInt32]>, expectingKey: Bool), array }
        var stack: [Frame] = []
        var duplicateKey = false, trailingComma = false
        var lastSignificant: UInt8 = 0
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                i += 1
                continue
            case UInt8(ascii: "{"): stack.append(.object(keys: [], expectingKey: true))
            case UInt8(ascii: "["): stack.append(.array)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastSignificant == UInt8(ascii: ",") { trailingComma = true }
                _ = stack.popLast()
            case UInt8(ascii: ","):
                if case .object(let keys, _)? = stack.last { stack[stack.count - 1] = .object(keys: keys, expectingKey: true) }
            case UInt8(ascii: "\""):
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                if case .object(var keys, true)? = stack.last {
                    let raw = Array(bytes[start...min(i, bytes.count - 1)])
                    // Both forms without their quotes: an escaped key is unescaped by JSON's own rules (the quoted
                    // string is a JSON document of its own), a plain one is its bytes. Compared with the quotes on one
                    // side only, `{"a":1,"\u0061":2}` passed as two keys (found by scripts/fuzz).
                    let plain = String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                    let key = raw.contains(UInt8(ascii: "\\")) ? (try? JSONDecoder().decode(String.self, from: Data(raw))) ?? plain : plain
                    if !keys.insert(key.unicodeScalars.map(\.value)).inserted { duplicateKey = true }
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: false)
                }
            default: break
            }
            lastSignificant = byte
            i += 1
        }
        return (duplicateKey, trailingComma)
    }
}
