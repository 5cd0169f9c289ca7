/// Text and attribute values for XML 1.0. Escapes the five markup characters, and replaces with U+FFFD every
/// character XML 1.0 cannot carry at all (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF):
/// a single such character in a theme would otherwise make the whole spreadsheet unreadable.
public enum XMLText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Carriage return would be read back as a line feed; keep it as a character reference.
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(allowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    /// Whether XML 1.0's `Char` production admits the character (Swift strings hold no lone surrogates).
    public static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
