import Foundation
import Testing
@testable import ReconcileCore

@Suite struct SearchTermTests {
    @Test func aReferenceIsReadHoweverItIsTyped() throws {
        for typed in ["RS-7K3M-Q9XD", "rs-7k3m-q9xd", "rs7k3mq9xd", " RS 7K3M Q9XD ", "Rs-7k3mq9xd"] {
            #expect(try SearchTerm(parsing: typed) == .reference("RS-7K3M-Q9XD"), "\(typed)")
        }
        // Letters outside the reference alphabet (O, I, L, U, V, 0, 1) make it something else.
        #expect(try SearchTerm(parsing: "RS-7K3M-Q9XO").way != "reference")
    }

    @Test func contactDetailsAreNormalisedAsAtIntake() throws {
        #expect(try SearchTerm(parsing: "  Ann.Smith@Example.ORG ") == .email("ann.smith@example.org"))
        #expect(try SearchTerm(parsing: "+44 7700 900123") == .phone("07700900123"))
        #expect(try SearchTerm(parsing: "(07700) 900-123") == .phone("07700900123"))
        // Too few digits for a phone number: read as a name, which then needs letters.
        #expect(throws: SearchTerm.Problem.tooShort) { try SearchTerm(parsing: "1234") }
    }

    @Test func namesMatchIgnoringCaseAccentsAndSpaces() throws {
        let term = try SearchTerm(parsing: "zoe  ASH")
        #expect(term.way == "name")
        #expect(term.matchesName("Zoë Ashby"))
        #expect(!term.matchesName("Zoë Brown"))
        #expect(!SearchTerm.email("a@b.c").matchesName("a@b.c"))
    }

    /// The byte-wise fold and match of ASCII names give exactly what Foundation's Unicode folding gives, over names
    /// of every ASCII character (whitespace runs, capitals, punctuation, control characters) in a seeded sample.
    @Test func theASCIIFastPathFoldsAndMatchesAsFoundationDoes() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("aZbYzA  \t\n\r\u{0B}\u{0C}-'.,@()09~\u{1F}\u{7F}Mc")
        for _ in 0..<2_000 {
            let name = String((0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let foundation = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(SearchTerm.foldASCII(name) == foundation, "\(name.debugDescription)")
            let needle = String(foundation.dropFirst(Int.random(in: 0...3, using: &random)).prefix(Int.random(in: 0...6, using: &random)))
            guard !needle.isEmpty else { continue }  // a name term has at least two letters
            #expect(SearchTerm.name(needle).matchesName(name) == foundation.contains(needle), "\(name.debugDescription) ~ \(needle)")
        }
        #expect(SearchTerm.foldASCII("Zoë") == nil)
    }

    @Test func badTermsAreRefused() {
        #expect(throws: SearchTerm.Problem.empty) { try SearchTerm(parsing: "  ") }
        #expect(throws: SearchTerm.Problem.tooLong) { try SearchTerm(parsing: String(repeating: "a", count: 201)) }
        #expect(throws: SearchTerm.Problem.controlCharacters) { try SearchTerm(parsing: "Ann\u{0}") }
        #expect(throws: SearchTerm.Problem.controlCharacters) { try SearchTerm(parsing: "Ann\u{202E}") }
        #expect(throws: SearchTerm.Problem.tooShort) { try SearchTerm(parsing: "é") }
    }
}
