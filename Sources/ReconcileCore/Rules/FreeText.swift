import Foundation

/// Rules for every free text a person writes (referral fields, notes, messages, themes), in one place.
///
/// Each rule first walks the UTF-8 bytes: most of what people write is ASCII, which answers every rule without
/// Unicode property tables or Foundation (the referral path runs these on every field of every submission).
/// Text with any other byte takes the full Unicode path; `FreeTextTests` holds the two paths to the same answers.
public enum FreeText {
    /// Length is counted in Unicode scalars, never grapheme clusters: one "character" can carry thousands of
    /// combining marks. A scalar is at most 4 UTF-8 bytes, so the byte size is bounded by 4 × `max` as well.
    public static func isTooLong(_ text: String, max: Int) -> Bool {
        let bytes = text.utf8.count
        // Every scalar takes at least one byte: no more bytes than `max` means no more scalars either.
        if bytes <= max { return false }
        return bytes > 4 * max || text.unicodeScalars.count > max
    }

    /// Control characters (except line breaks and tabs in multi-line text), invisible format characters and
    /// the bidirectional overrides and isolates that make text read differently from what it holds
    /// (general category Cf; the zero-width joiner and the tag characters stay, emoji and flags need them),
    /// and line/paragraph separators.
    public static func hasForbiddenCharacters(_ text: String, multiline: Bool) -> Bool {
        asciiHasForbiddenCharacters(text, multiline: multiline) ?? unicodeHasForbiddenCharacters(text, multiline: multiline)
    }

    /// The rule over Unicode scalars and their general category: the rule itself, for any text.
    static func unicodeHasForbiddenCharacters(_ text: String, multiline: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control: !(multiline && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
            case .format: scalar.value != 0x200D && !(0xE0020...0xE007F).contains(scalar.value)
            case .lineSeparator, .paragraphSeparator: true
            default: false
            }
        }
    }

    /// The answer for all-ASCII text (whose only forbidden characters are the C0 controls and DEL), or nil when
    /// the text has a byte outside ASCII.
    static func asciiHasForbiddenCharacters(_ text: String, multiline: Bool) -> Bool? {
        var forbidden = false
        for byte in text.utf8 {
            if byte >= 0x80 { return nil }
            if byte < 0x20 || byte == 0x7F {
                if !(multiline && (byte == 0x0A || byte == 0x0D || byte == 0x09)) { forbidden = true }
            }
        }
        return forbidden
    }

    /// Without the white space and line breaks at either end: Foundation's `trimmingCharacters(in:
    /// .whitespacesAndNewlines)` (which bridges every field through NSString on Linux), over scalars. The set is
    /// Foundation's: tab to carriage return, NEL, categories Zs, Zl and Zp, and the zero-width space (Zs in
    /// Foundation's tables).
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }) else { return "" }
        guard let last = scalars.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    static func isTrimmed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0x200B: return true
        case 0..<0x80: return false
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// Canonical composition (NFC): "é" typed as one scalar or as "e" + combining accent is the same text, so
    /// it gives the same blind index and the same duplicate check. ASCII text is already NFC.
    public static func normalised(_ text: String) -> String {
        text.utf8.allSatisfy({ $0 < 0x80 }) ? text : text.precomposedStringWithCanonicalMapping
    }
}
