import Testing
import ReconcileCore

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
}
