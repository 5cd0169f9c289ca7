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
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether a stored name (opened) matches this name term.
    public func matchesName(_ stored: String) -> Bool {
        guard case .name(let folded) = self else { return false }
        return Self.fold(stored).contains(folded)
    }
}
