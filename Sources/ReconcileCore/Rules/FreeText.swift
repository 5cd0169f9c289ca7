import Foundation

/// Rules for every free text a person writes (referral fields, notes, messages, themes), in one place.
public enum FreeText {
    /// Length is counted in Unicode scalars, never grapheme clusters: one "character" can carry thousands of
    /// combining marks. A scalar is at most 4 UTF-8 bytes, so the byte size is bounded by 4 × `max` as well.
    public static func isTooLong(_ text: String, max: Int) -> Bool {
        text.unicodeScalars.count > max || text.utf8.count > 4 * max
    }

    /// Control characters (except line breaks and tabs in multi-line text), invisible format characters and
    /// the bidirectional overrides and isolates that make text read differently from what it holds
    /// (general category Cf; the zero-width joiner and the tag characters stay, emoji and flags need them),
    /// and line/paragraph separators.
    public static func hasForbiddenCharacters(_ text: String, multiline: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control: !(multiline && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
            case .format: scalar.value != 0x200D && !(0xE0020...0xE007F).contains(scalar.value)
            case .lineSeparator, .paragraphSeparator: true
            default: false
            }
        }
    }

    /// Canonical composition (NFC): "é" typed as one scalar or as "e" + combining accent is the same text, so
    /// it gives the same blind index and the same duplicate check.
    public static func normalised(_ text: String) -> String { text.precomposedStringWithCanonicalMapping }
}
