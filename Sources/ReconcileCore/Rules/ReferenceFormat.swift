/// The shape of case references and passphrases given to families.
public enum ReferenceFormat {
    /// Letters and digits that cannot be confused when read aloud or handwritten (no 0/O, 1/I/L, U/V pair).
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTWXYZ")

    /// `RS-XXXX-XXXX`, upper case; `normalise` first to accept lower case and stray spaces.
    public static func isValid(_ reference: String) -> Bool {
        let chars = Array(reference)
        guard chars.count == 12, reference.hasPrefix("RS-"), chars[7] == "-" else { return false }
        return (Array(chars[3..<7]) + Array(chars[8..<12])).allSatisfy(alphabet.contains)
    }

    public static func normalise(_ reference: String) -> String {
        reference.uppercased().filter { !$0.isWhitespace }
    }
}
