import Foundation
import GRDB
import ReconcileCore

// Lessons-learned themes are free text written by a lead for the council. Before a report is released, each
// theme is screened against the personal values held in that council area's cases (SPEC "Quarterly feedback":
// names, emails, phone numbers, postcodes), so a family cannot be named to the council by accident.
//
// The personal values are decrypted in memory only for the comparison. They are never returned, logged or put
// in an error: the caller learns only *which* themes matched.

/// The personal values of a set of cases, normalised for matching, and the matching rules.
///
/// Normalisation: Unicode case, width and accent folding; zero-width characters removed. Then
/// - emails, postal addresses, address lines holding a number (house number and street), and postcodes are
///   compared with all white space removed, so "Ann.Smith @ Example.org" matches "ann.smith@example.org";
/// - names are compared word by word (runs of letters and digits), so "Sam" matches "sam said" and "Sam's"
///   but not "same"; a name of several words also matches with the words run together ("annsmith");
/// - phone numbers are compared as digits: every run of digits and phone punctuation in a theme is reduced to
///   its digits (a leading +44 or 0044 read as 0) and matches if it contains the number, with or without its
///   leading 0.
/// Values shorter than 3 characters (after normalisation) are ignored: they would match almost anything.
/// Over-matching is the safe mistake here; the lead rewords the theme.
public struct PersonalValueScreen: Sendable {
    static let minimumLength = 3

    private var compactValues: Set<String> = []   // white space removed
    private var nameWords: Set<[String]> = []     // word sequences
    private var nameJoined: Set<String> = []      // several-word names, words run together
    private var phoneDigits: Set<String> = []

    public init() {}

    /// Adds one case's contact values.
    public mutating func add(name: String?, email: String?, phone: String?, address: String?) {
        if let name {
            let words = Self.words(name)
            if words.joined().count >= Self.minimumLength {
                nameWords.insert(words)
                if words.count > 1 { nameJoined.insert(words.joined()) }
            }
        }
        if let email { insertCompact(email) }
        if let phone {
            let digits = ContactNormaliser.phone(phone)
            if digits.count >= Self.minimumLength { phoneDigits.insert(digits) }
        }
        if let address {
            insertCompact(address)
            for line in address.split(whereSeparator: { $0.isNewline || $0 == "," || $0 == ";" })
            where line.contains(where: { $0.isNumber }) {
                insertCompact(String(line))
            }
            for postcode in Self.postcodes(in: address) { insertCompact(postcode) }
        }
    }

    /// Whether nothing was added (no case holds a usable value).
    public var isEmpty: Bool { compactValues.isEmpty && nameWords.isEmpty && phoneDigits.isEmpty }

    /// Whether `text` contains any of the values.
    public func matches(_ text: String) -> Bool {
        let compact = Self.compact(text)
        if compactValues.contains(where: { compact.contains($0) }) { return true }
        let words = Self.words(text)
        if !nameWords.isEmpty {
            for name in nameWords where Self.containsSequence(words, name) { return true }
            let joined = words.joined()
            if nameJoined.contains(where: { joined.contains($0) }) { return true }
        }
        if !phoneDigits.isEmpty {
            for run in Self.phoneRuns(in: text) {
                let digits = ContactNormaliser.phone(run)
                for phone in phoneDigits {
                    if digits.contains(phone) { return true }
                    // Written internationally without "+" ("44 7700 900123"), or without the trunk 0.
                    if phone.hasPrefix("0"), phone.count >= 9, digits.contains(phone.dropFirst()) { return true }
                }
            }
        }
        return false
    }

    // MARK: - Normalisation

    private mutating func insertCompact(_ value: String) {
        let compact = Self.compact(value)
        if compact.count >= Self.minimumLength { compactValues.insert(compact) }
    }

    static func fold(_ text: String) -> String {
        let invisible: Set<Unicode.Scalar> = ["\u{00AD}", "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}"]
        let visible = String(String.UnicodeScalarView(text.unicodeScalars.filter { !invisible.contains($0) }))
        return visible.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
    }

    /// Folded, every white-space character removed.
    static func compact(_ text: String) -> String {
        String(fold(text).filter { !$0.isWhitespace })
    }

    /// Folded runs of letters and digits.
    static func words(_ text: String) -> [String] {
        fold(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    static func containsSequence(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return true
        }
        return false
    }

    /// UK postcodes, e.g. "SY1 1AA", "b11 2aa", "EC1A 1BB" (outward code, optional space, inward code).
    static func postcodes(in text: String) -> [String] {
        let pattern = #"(?i)(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})(?![A-Z0-9])"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            guard let outward = Range(match.range(at: 1), in: text), let inward = Range(match.range(at: 2), in: text) else {
                return nil
            }
            return "\(text[outward])\(text[inward])"
        }
    }

    /// Runs of digits with the punctuation people put in phone numbers ("+44 (0)7700 900-123").
    static func phoneRuns(in text: String) -> [String] {
        let folded = fold(text)
        var runs: [String] = [], current = ""
        let punctuation: Set<Character> = [" ", "\u{00A0}", "-", "(", ")", ".", "+", "/"]
        for character in folded {
            if character.isASCII && character.isNumber { current.append(character) }
            else if punctuation.contains(character), !current.isEmpty || character == "+" || character == "(" {
                current.append(character)
            } else {
                if current.contains(where: { $0.isNumber }) { runs.append(current) }
                current = ""
            }
        }
        if current.contains(where: { $0.isNumber }) { runs.append(current) }
        return runs
    }
}

extension AppDatabase {
    /// The positions (0-based) of the `texts` that contain a personal value held in any case of `councilArea`
    /// whose personal data is still held. Decrypts every such case's name, email, phone and postal address in
    /// memory, inside one read transaction; nothing decrypted leaves this function.
    ///
    /// Fails closed: a case whose data cannot be decrypted stops the screen with an error (naming no value)
    /// rather than being skipped.
    public func themesHoldingPersonalValues(_ texts: [String], councilArea: String, keys: KeyRing) async throws -> [Int] {
        guard !texts.isEmpty else { return [] }
        return try await reader.read { db in
            var screen = PersonalValueScreen()
            let cursor = try CaseRecord
                .filter(CaseRecord.Columns.councilArea == councilArea)
                .filter(sql: "erased_at IS NULL")
                .fetchCursor(db)
            while let record = try cursor.next() {
                let cipher = try Self.caseCipher(db, caseID: record.id, keys: keys)
                screen.add(name: try cipher.openIfPresent(record.contactName, field: PersonalField.name),
                           email: try cipher.openIfPresent(record.contactEmail, field: PersonalField.email),
                           phone: try cipher.openIfPresent(record.contactPhone, field: PersonalField.phone),
                           address: try cipher.openIfPresent(record.contactAddress, field: PersonalField.address))
            }
            return texts.indices.filter { screen.matches(texts[$0]) }
        }
    }
}
