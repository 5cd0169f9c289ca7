import Foundation
import GRDB
import ReconcileCore

// Lessons-learned themes are free text written by a lead for the council. Before a report is released, each
// theme is screened against the personal values held in that council area's cases (SPEC "Quarterly feedback":
// names, emails, phone numbers, postcodes, streets) and the local schools, so a family cannot be named to the
// council by accident.
//
// The personal values are decrypted in memory only for the comparison. They are never returned, logged or put
// in an error: the caller learns only *which* themes matched.

/// The personal values of a set of cases, normalised for matching, and the matching rules.
///
/// Normalisation: Unicode case, width and accent folding; zero-width characters removed. Then
/// - **words**: every word of 3 letters or more of names, email local parts, street names (the lines of an
///   address that hold a number, less words like "road" or "flat") and local school names
///   (`policies/schools.json`) is matched on its own, case-insensitively on word boundaries: "The Smith family
///   felt unheard" is refused when a case holds "Ann Smith"; "Sam" matches "Sam's" but not "same";
/// - emails, postal addresses, address lines holding a number, and postcodes are also compared with all white
///   space removed, so "Ann.Smith @ Example.org" matches; a name of several words also matches run together;
/// - phone numbers are compared as digits: every run of digits and phone punctuation in a theme is reduced to
///   its digits (a leading +44 or 0044 read as 0) and matches if it contains the number, with or without its
///   leading 0.
/// Values shorter than 3 characters (after normalisation) are ignored: they would match almost anything.
/// Over-matching is the safe mistake here; the lead rewords the theme.
public struct PersonalValueScreen: Sendable {
    static let minimumLength = 3

    /// Words of street and school names that identify nobody; everything else is screened.
    static let genericWords: Set<String> = [
        "the", "and", "flat", "apartment", "house", "road", "street", "lane", "avenue", "close", "drive", "way",
        "court", "place", "crescent", "grove", "gardens", "terrace", "hill", "park", "view", "walk", "square", "row",
        "high", "low", "upper", "lower", "north", "south", "east", "west", "new", "old", "green", "mews",
        "school", "schools", "academy", "primary", "secondary", "junior", "infant", "infants", "nursery", "college",
        "community", "church", "england", "catholic", "saint", "grammar", "free", "trust", "federation", "sixth", "form",
        "middle", "first", "special", "centre", "learning", "cofe", "voluntary", "aided", "controlled",
    ]

    private var screenedWords: Set<String> = []   // single folded words
    private var compactValues: Set<String> = []   // white space removed
    private var nameJoined: Set<String> = []      // several-word names, words run together
    private var phoneDigits: Set<String> = []

    public init() {}

    /// Adds one case's contact values.
    public mutating func add(name: String?, email: String?, phone: String?, address: String?) {
        if let name {
            let words = Self.words(name)
            insertWords(Self.letterWords(name), generic: [])
            if words.count > 1, words.joined().count >= Self.minimumLength { nameJoined.insert(words.joined()) }
        }
        if let email {
            insertCompact(email)
            insertWords(Self.letterWords(String(email.split(separator: "@").first ?? "")), generic: [])
        }
        if let phone {
            let digits = ContactNormaliser.phone(phone)
            if digits.count >= Self.minimumLength { phoneDigits.insert(digits) }
        }
        if let address {
            insertCompact(address)
            for line in address.split(whereSeparator: { $0.isNewline || $0 == "," || $0 == ";" })
            where line.contains(where: { $0.isNumber }) {
                insertCompact(String(line))
                // A street is a line with a house number outside any postcode ("Ludlow SY8 1AA" is a town).
                let street = Self.postcodeRegex.stringByReplacingMatches(
                    in: String(line), range: NSRange(line.startIndex..., in: line), withTemplate: " ")
                if street.contains(where: { $0.isNumber }) { insertWords(Self.letterWords(street), generic: Self.genericWords) }
            }
            for postcode in Self.postcodes(in: address) { insertCompact(postcode) }
        }
    }

    /// Adds a local school's name: its distinctive words ("Meole Brace School" → "meole", "brace").
    public mutating func add(schoolName: String) {
        insertWords(Self.letterWords(schoolName), generic: Self.genericWords)
        let words = Self.letterWords(schoolName).filter { !Self.genericWords.contains($0) }
        if words.count > 1 { nameJoined.insert(words.joined()) }
    }

    /// Whether nothing was added (no case holds a usable value).
    public var isEmpty: Bool { compactValues.isEmpty && screenedWords.isEmpty && phoneDigits.isEmpty }

    /// Whether `text` contains any of the values.
    public func matches(_ text: String) -> Bool {
        let compact = Self.compact(text)
        if compactValues.contains(where: { compact.contains($0) }) { return true }
        if Self.letterWords(text).contains(where: screenedWords.contains) { return true }
        let joined = Self.words(text).joined()
        if nameJoined.contains(where: { joined.contains($0) }) { return true }
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

    private mutating func insertWords(_ words: [String], generic: Set<String>) {
        for word in words where word.count >= Self.minimumLength && !generic.contains(word) { screenedWords.insert(word) }
    }

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

    /// Folded runs of letters only: the words of a name, street or school ("smith99" gives "smith").
    static func letterWords(_ text: String) -> [String] {
        fold(text).split(whereSeparator: { !$0.isLetter }).map(String.init)
    }

    /// UK postcodes, e.g. "SY1 1AA", "b11 2aa", "EC1A 1BB" (outward code, optional space, inward code).
    // NSRegularExpression is immutable and documented thread-safe.
    nonisolated(unsafe) static let postcodeRegex = try! NSRegularExpression(
        pattern: #"(?i)(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})(?![A-Z0-9])"#)

    static func postcodes(in text: String) -> [String] {
        let range = NSRange(text.startIndex..., in: text)
        return postcodeRegex.matches(in: text, range: range).compactMap { match in
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

extension ReportStore {
    /// The positions (0-based) of the `texts` that contain a personal value held in any case of `councilArea`
    /// whose personal data is still held. Decrypts every such case's name, email, phone and postal address in
    /// memory, inside one read transaction; nothing decrypted leaves this function.
    ///
    /// Fails closed: a case whose data cannot be decrypted stops the screen with an error (naming no value)
    /// rather than being skipped. `schoolNames` are the local schools (`policies/schools.json`), screened too.
    public func themesHoldingPersonalValues(_ texts: [String], councilArea: String, schoolNames: [String]) async throws -> [Int] {
        guard !texts.isEmpty else { return [] }
        return try await reader.read { db in
            var screen = PersonalValueScreen()
            for school in schoolNames { screen.add(schoolName: school) }
            let cursor = try CaseRecord
                .filter(CaseRecord.Columns.councilArea == councilArea)
                .filter(sql: "erased_at IS NULL")
                .fetchCursor(db)
            while let record = try cursor.next() {
                let cipher = try AppDatabase.caseCipher(db, caseID: record.id, keys: keys)
                screen.add(name: try cipher.openIfPresent(record.contactName, field: PersonalField.name),
                           email: try cipher.openIfPresent(record.contactEmail, field: PersonalField.email),
                           phone: try cipher.openIfPresent(record.contactPhone, field: PersonalField.phone),
                           address: try cipher.openIfPresent(record.contactAddress, field: PersonalField.address))
            }
            return texts.indices.filter { screen.matches(texts[$0]) }
        }
    }
}
