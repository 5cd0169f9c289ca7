import Foundation

/// What a practitioner typed into the search box, read as one of three ways to find a family: a case reference,
/// an exact email or phone number, or part of a name. Contact details are only ever matched exactly (through the
/// blind indexes), never fuzzily: a near miss on an email would show another family.
public enum SearchTerm: Sendable, Equatable {
    /// `RS-XXXX-XXXX`, however it was typed (lower case, spaces, hyphens missing).
    case reference(String)
    /// Normalised as at intake (`ContactNormaliser.email`).
    case email(String)
    /// Normalised as at intake (`ContactNormaliser.phone`).
    case phone(String)
    /// Folded for matching (case and accents ignored, spaces collapsed).
    case name(String)

    public enum Problem: Error, Equatable, Sendable {
        case empty, tooLong, controlCharacters, tooShort
    }

    public static let maxLength = 200

    /// The way this term is matched, for the answer and the audit row (never the term itself).
    public var way: String {
        switch self {
        case .reference: "reference"
        case .email: "email"
        case .phone: "phone"
        case .name: "name"
        }
    }

    public init(parsing raw: String) throws(Problem) {
        if raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.isBidiControl }) {
            throw .controlCharacters
        }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .empty }
        guard text.count <= Self.maxLength else { throw .tooLong }

        let compact = text.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        if compact.count == 10, compact.hasPrefix("RS"), compact.dropFirst(2).allSatisfy(ReferenceFormat.alphabet.contains) {
            let body = Array(compact.dropFirst(2))
            self = .reference("RS-\(String(body[0..<4]))-\(String(body[4..<8]))")
        } else if text.contains("@") {
            self = .email(ContactNormaliser.email(text))
        } else if text.allSatisfy({ $0.isASCII && ($0.isNumber || " +-().".contains($0)) }),
                  text.filter(\.isNumber).count >= 7 {
            self = .phone(ContactNormaliser.phone(text))
        } else {
            let folded = Self.fold(text)
            guard folded.filter(\.isLetter).count >= 2 else { throw .tooShort }
            self = .name(folded)
        }
    }

    /// Case, accents and runs of spaces ignored, so "Zoë  Smith" finds "zoe smith".
    public static func fold(_ text: String) -> String {
        if let ascii = foldASCII(text) { return ascii }
        return text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `fold` of a text that is all ASCII, in one pass over its bytes: there folding is lower-casing, and ASCII's
    /// whitespace is exactly what `isWhitespace` finds. A lead's name search folds every open case's name, and
    /// Foundation's Unicode folding was a fifth of it. Nil for any other text.
    static func foldASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var space = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == 0x20 || (0x09...0x0D).contains(byte) { space = !out.isEmpty; continue }
            if space { out.append(0x20); space = false }
            out.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a stored name (opened) matches this name term.
    public func matchesName(_ stored: String) -> Bool {
        guard case .name(let folded) = self else { return false }
        let name = Self.fold(stored)
        // Both ASCII (most names): a plain byte search, where comparing bytes is comparing characters.
        if name.utf8.allSatisfy({ $0 < 0x80 }) && folded.utf8.allSatisfy({ $0 < 0x80 }) {
            return Self.bytes(Array(name.utf8), contain: Array(folded.utf8))
        }
        return name.contains(folded)
    }

    static func bytes(_ haystack: [UInt8], contain needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
