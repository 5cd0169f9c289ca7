import Foundation
import ReconcileCore

/// Every family-facing word in one language, from `Resources/messages/<code>.json`. Templates take keys
/// (`{{{t.key}}}`), never prose, so a page reads the same in every language and a missing text is caught by a
/// test rather than by a family.
struct MessageCatalogue: Sendable {
    struct About: Codable, Sendable {
        let code: String
        /// For `<html lang>`: easy read is still English.
        let htmlLang: String
        /// `ltr` or `rtl`, for `<html dir>`, so a right-to-left language needs only its catalogue.
        let dir: String
        /// The language's own name for itself, as the switch shows it.
        let name: String
        /// `reviewed`, or `awaiting_partner_review` until the partner has checked a translation.
        let review: String

        enum CodingKeys: String, CodingKey { case code, htmlLang = "html_lang", dir, name, review }
    }

    let language: FamilyLanguage
    let about: About
    let messages: [String: String]
    /// The few messages with a `{name}` to fill: a page fills only these, not every message, each time it renders.
    private let withPlaceholders: [String]

    init(language: FamilyLanguage, about: About, messages: [String: String]) {
        (self.language, self.about, self.messages) = (language, about, messages)
        withPlaceholders = messages.filter { $0.value.contains("{") }.map(\.key)
    }

    /// For dates and numbers written in this language ("2 grudnia 2026").
    var locale: Locale { Locale(identifier: about.htmlLang.replacingOccurrences(of: "-", with: "_")) }

    /// The text for `key`. A key the catalogue lacks shows as the key itself (the catalogue test fails first).
    subscript(_ key: String) -> String { messages[key] ?? key }

    /// The text for `key` with each `{name}` replaced by `values[name]`.
    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        Self.fill(self[key], values, escape: false)
    }

    /// The whole catalogue as a template reads it: `values` filled in, each HTML-escaped first. Messages may hold
    /// our own few tags (`<strong>`, `<a href="/…">`: the catalogue test allows no others), so templates show them
    /// unescaped; a filled-in value is data and must never become markup.
    func forTemplate(_ values: [String: String]) -> [String: String] {
        guard !values.isEmpty else { return messages }
        var filled = messages
        for key in withPlaceholders { if let message = messages[key] { filled[key] = Self.fill(message, values, escape: true) } }
        return filled
    }

    static func fill(_ text: String, _ values: [String: String], escape: Bool) -> String {
        guard text.contains("{") else { return text }
        var out = text
        for (name, value) in values { out = out.replacingOccurrences(of: "{\(name)}", with: escape ? HTMLText.escaped(value) : value) }
        return out
    }
}

/// The shipped catalogues, read once from the bundle.
enum Catalogues {
    private struct File: Codable { let language: MessageCatalogue.About; let messages: [String: String] }

    static let all: [FamilyLanguage: MessageCatalogue] = {
        var all: [FamilyLanguage: MessageCatalogue] = [:]
        for language in FamilyLanguage.allCases {
            // The catalogues are part of the build: a missing or broken one is a packaging fault, caught by the tests.
            guard let url = Bundle.module.url(forResource: "Resources/messages/\(language.rawValue)", withExtension: "json"),
                  let data = try? Data(contentsOf: url) else { preconditionFailure("message catalogue \(language.rawValue) is missing") }
            // No key strategy: it would rewrite the message keys too.
            do {
                let file = try JSONDecoder().decode(File.self, from: data)
                all[language] = MessageCatalogue(language: language, about: file.language, messages: file.messages)
            } catch {
                preconditionFailure("message catalogue \(language.rawValue) cannot be read: \(error)")
            }
        }
        return all
    }()

    static subscript(_ language: FamilyLanguage) -> MessageCatalogue { all[language]! }

    /// The English catalogue: also the words of the staff pages that show a family's answers.
    static var english: MessageCatalogue { self[.english] }
}
