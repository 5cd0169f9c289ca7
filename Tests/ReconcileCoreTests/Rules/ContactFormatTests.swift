import Foundation
import Testing
import ReconcileCore

/// The email and phone checks give the answers of the regular expressions they replaced, over random text built
/// from the characters that matter to them (at signs, dots, every kind of white space, digits, phone punctuation,
/// letters inside and outside ASCII).
@Suite struct ContactFormatTests {
    static let emailPattern = #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#
    static let phonePattern = #"^[0-9 +()\-.]+$"#

    @Test func theChecksAgreeWithTheRegularExpressions() {
        let pool: [String] = ["@", ".", "a", "Z", "é", "ü", "1", "0", "9", " ", "\t", "\u{0B}", "\u{0C}", "\u{00A0}", "\u{2003}",
                              "\u{3000}", "\u{2028}", "\u{0085}", "+", "(", ")", "-", "_", "٣", "１", "🙂"]
        var generator = SystemRandomNumberGenerator()
        var samples = ["a@b.c", "a@.c", "a@b.", "@b.c", "a@b@c.d", "a@bc", "a b@c.d", "ann@example.org", "a@b..c", "a@.b.c",
                       "07700 900123", "+44 (0)7700 900123", "123456", "1234567", "1234567890123456", "123456789012345", ""]
        func part(_ most: Int) -> String { (0..<Int.random(in: 0...most, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined() }
        for _ in 0..<10_000 {
            samples.append(part(16))
            samples.append(part(4) + "@" + part(4) + "." + part(3))  // shaped like an address, so both answers come up
        }
        // ICU's `$` also matches before a final line terminator, which never reaches the checks: fields are trimmed
        // first, and a single-line field with a line break is refused before it is checked.
        let lineEnds: Set<Unicode.Scalar> = ["\n", "\r", "\u{0C}", "\u{0B}", "\u{0085}", "\u{2028}", "\u{2029}"]
        var emails = 0, phones = 0
        for text in samples where !(text.unicodeScalars.last.map(lineEnds.contains) ?? false) {
            let email = text.range(of: Self.emailPattern, options: .regularExpression) != nil
            #expect(ContactFormat.looksLikeEmail(text) == email, "\(Array(text.unicodeScalars))")
            let digits = text.filter(\.isASCII).filter(\.isNumber).count
            let phone = text.range(of: Self.phonePattern, options: .regularExpression) != nil && (7...15).contains(digits)
            #expect(ContactFormat.looksLikePhone(text) == phone, "\(Array(text.unicodeScalars))")
            emails += email ? 1 : 0; phones += phone ? 1 : 0
        }
        // Both answers were seen many times, so the comparison says something.
        #expect(emails > 100 && phones > 2)
    }
}
