/// An RFC 8259 reader of our own for request bodies, in one pass. Foundation's decoder is lenient where a second
/// reader (a proxy, a log tool, an auditor's script) may not be: it read bytes that are not UTF-8, a comma before a
/// closing bracket and numbers such as `2.`, and it keeps the last of two equal keys. This reader refuses all of them
/// (found by `scripts/fuzz` against an independent reader), so what the service reads is what any strict reader reads.
struct JSONReader {
    enum Failure: Error, Equatable {
        /// Not JSON, or JSON this service does not read (nested deeper than `maximumDepth`, a number too large).
        case invalid
        /// An object holds a key twice. Keys are compared as Swift compares text (canonical equivalence), since
        /// they become dictionary keys: `"a"` and `"\u0061"` are one key, and so are `"é"` and `"e\u0301"`.
        case duplicateKey
    }

    /// No API body needs more than a few levels; a bound keeps a hostile body from exhausting the stack.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// Noted and read on: a body that is not JSON further on is `invalid`, whatever it repeated first.
    private var repeatedKey = false

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The body as one JSON object, or why it is refused.
    static func object(_ bytes: [UInt8]) throws(Failure) -> [String: JSONValue] {
        var reader = JSONReader(bytes)
        reader.skipSpace()
        guard reader.peek == UInt8(ascii: "{"), case .object(let object) = try reader.value() else { throw .invalid }
        reader.skipSpace()
        guard reader.index == bytes.count else { throw .invalid }
        guard !reader.repeatedKey else { throw .duplicateKey }
        return object
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek == byte else { throw .invalid }
        index += 1
    }

    private mutating func value() throws(Failure) -> JSONValue {
        skipSpace()
        guard let byte = peek else { throw .invalid }
        switch byte {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return .object(try object())
        case UInt8(ascii: "["): return .array(try array())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw .invalid }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw .invalid }
        index += count
    }

    private mutating func nested() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw .invalid }
    }

    private mutating func object() throws(Failure) -> [String: JSONValue] {
        try nested()
        defer { depth -= 1 }
        index += 1
        var object: [String: JSONValue] = [:]
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return object }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw .invalid }
            let key = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            let value = try value()
            if object.updateValue(value, forKey: key) != nil { repeatedKey = true }
            skipSpace()
            guard let next = peek else { throw .invalid }
            index += 1
            if next == UInt8(ascii: "}") { return object }
            guard next == UInt8(ascii: ",") else { throw .invalid }
        }
    }

    private mutating func array() throws(Failure) -> [JSONValue] {
        try nested()
        defer { depth -= 1 }
        index += 1
        var array: [JSONValue] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { index += 1; return array }
        while true {
            array.append(try value())
            skipSpace()
            guard let next = peek else { throw .invalid }
            index += 1
            if next == UInt8(ascii: "]") { return array }
            guard next == UInt8(ascii: ",") else { throw .invalid }
        }
    }

    /// A string at the opening quote. Raw control characters are refused (RFC 8259 §7); escapes are read by the
    /// RFC's rules, a surrogate only as half of a pair. The runs between escapes are checked as UTF-8 as they are
    /// copied (no byte of a multi-byte character is a quote or a backslash, so a run never splits one); outside
    /// strings the grammar admits ASCII only, so the body is checked once, in this one pass.
    private mutating func string() throws(Failure) -> String {
        index += 1
        var text = ""
        var runStart = index
        while true {
            guard let byte = peek else { throw .invalid }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                guard let run = String(validating: bytes[runStart..<index], as: UTF8.self) else { throw .invalid }
                text += run
                index += 1
                if byte == UInt8(ascii: "\"") { return text }
                text.unicodeScalars.append(try escape())
                runStart = index
            case ..<0x20:
                throw .invalid
            default:
                index += 1
            }
        }
    }

    private mutating func escape() throws(Failure) -> Unicode.Scalar {
        guard let byte = peek else { throw .invalid }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard peek == UInt8(ascii: "\\") else { throw .invalid }
                index += 1
                try expect(UInt8(ascii: "u"))
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low),
                      let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) else { throw .invalid }
                return scalar
            }
            guard let scalar = Unicode.Scalar(unit) else { throw .invalid }  // a lone low surrogate
            return scalar
        default: throw .invalid
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw .invalid }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalid
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, and finite as a Double.
    private mutating func number() throws(Failure) -> Double {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() else { throw .invalid }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard digits() else { throw .invalid }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() else { throw .invalid }
        }
        guard let number = Double(String(decoding: bytes[start..<index], as: UTF8.self)), number.isFinite else { throw .invalid }
        return number
    }

    /// Skips a run of digits; whether there was one.
    private mutating func digits() -> Bool {
        let start = index
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index > start
    }
}
