/// Whether a typed email or phone number looks like one, over its scalars: the same answers as the regular
/// expressions they replace (`ContactFormatTests` compares them), without compiling an NSRegularExpression for
/// every field of every referral.
public enum ContactFormat {
    /// `^[^@\s]+@[^@\s]+\.[^@\s]+$`: one "@" with something before it, and after it a "." with something on
    /// each side; no white space (ICU's `\s`: the Unicode White_Space property).
    public static func looksLikeEmail(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.contains(where: isWhiteSpace),
              let at = scalars.firstIndex(of: "@"), at > 0, scalars.lastIndex(of: "@") == at else { return false }
        let domain = scalars[(at + 1)...]
        guard domain.count >= 3 else { return false }
        return domain.dropFirst().dropLast().contains(".")
    }

    /// `^[0-9 +()\-.]+$` with 7 to 15 digits.
    public static func looksLikePhone(_ text: String) -> Bool {
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: " "), UInt8(ascii: "+"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "-"), UInt8(ascii: "."): break
            default: return false
            }
        }
        return (7...15).contains(digits)
    }

    static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? (0x09...0x0D).contains(scalar.value) || scalar == " " : scalar.properties.isWhitespace
    }
}
