import Foundation
import Testing
@testable import ReconcileCore

@Suite struct FreeTextTests {
    @Test(arguments: ["\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{200B}", "\u{FEFF}", "\u{00AD}", "\u{0000}",
                      "\u{0007}", "\u{001B}", "\u{007F}", "\u{0085}", "\u{2028}", "\u{2029}"])
    func hiddenAndControlCharactersAreForbidden(character: String) {
        #expect(FreeText.hasForbiddenCharacters("a\(character)b", multiline: true))
        #expect(FreeText.hasForbiddenCharacters("a\(character)b", multiline: false))
    }

    @Test func ordinaryTextEmojiAndLineBreaksInLongTextPass() {
        for text in ["Zoë's mum — “fine” ½", "👩‍👩‍👧 family", "🏴󠁧󠁢󠁷󠁬󠁳󠁿 flag", "ملاحظة", "שלום"] {
            #expect(!FreeText.hasForbiddenCharacters(text, multiline: false), "\(text)")
        }
        #expect(!FreeText.hasForbiddenCharacters("one\ntwo\r\nthree\tfour", multiline: true))
        #expect(FreeText.hasForbiddenCharacters("one\ntwo", multiline: false))
    }

    @Test func lengthIsScalarsAndNormalisationComposes() {
        let heavy = "a" + String(repeating: "\u{0300}", count: 99)
        #expect(heavy.count == 1 && !FreeText.isTooLong(heavy, max: 100) && FreeText.isTooLong(heavy + "\u{0300}\u{0300}", max: 100))
        #expect(Array(FreeText.normalised("e\u{0301}").unicodeScalars) == ["\u{00E9}"])
    }

    /// The ASCII fast paths give the Unicode rules' answers: every ASCII byte alone and in text, and random text
    /// mixing ASCII with accents, combining marks, controls, format characters, separators and emoji.
    @Test func asciiFastPathsAgreeWithTheUnicodeRules() {
        let pool: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
            + ["é", "e\u{0301}", "\u{0300}", "\u{202E}", "\u{200D}", "\u{200B}", "\u{2028}", "\u{0085}", "\u{00A0}", "👩‍👧", "ß", "\u{E0067}"]
        var generator = SystemRandomNumberGenerator()
        var samples = pool.map { "a\($0)b" }
        for _ in 0..<5_000 {
            samples.append((0..<Int.random(in: 0...12, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined())
        }
        for text in samples {
            for multiline in [false, true] {
                #expect(FreeText.hasForbiddenCharacters(text, multiline: multiline) == FreeText.unicodeHasForbiddenCharacters(text, multiline: multiline),
                        "\(Array(text.unicodeScalars))")
            }
            #expect(FreeText.normalised(text) == text.precomposedStringWithCanonicalMapping)
            for max in [0, 1, 3, 5, 12] {
                #expect(FreeText.isTooLong(text, max: max) == (text.unicodeScalars.count > max || text.utf8.count > 4 * max))
            }
        }
    }

    /// The trim gives Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` over random text built from
    /// every kind of space and line break, format characters that are not spaces, letters and combining marks.
    @Test func trimmingAgreesWithFoundation() {
        let pool = [" ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2007}", "\u{2028}", "\u{2029}",
                    "\u{3000}", "\u{200B}", "\u{FEFF}", "\u{180E}", "a", "é", "\u{301}", "👩‍👧", "\u{0}", "\u{1F}"]
        var generator = SystemRandomNumberGenerator()
        var samples = pool + ["", "  a  ", "a b", "\u{301} a"]
        for _ in 0..<5_000 {
            samples.append((0..<Int.random(in: 0...8, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined())
        }
        for text in samples {
            #expect(Array(FreeText.trimmed(text).unicodeScalars) == Array(text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars),
                    "\(Array(text.unicodeScalars))")
        }
    }
}
