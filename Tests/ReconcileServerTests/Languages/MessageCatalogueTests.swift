import Foundation
import HTTPTypes
import ReconcileCore
import Testing
@testable import ReconcileServer

/// The catalogues as a translator and a reviewer would break them: a key missing or left over, a placeholder
/// renamed, markup that is not ours.
@Suite struct MessageCatalogueTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/ReconcileServer")

    /// `{{{t.key}}}` (markup allowed) and `{{t.key}}` (escaped, for attributes) in every template.
    static func templateKeys() throws -> (all: Set<String>, escaped: Set<String>) {
        var all = Set<String>(), escaped = Set<String>()
        let files = try Pages.templateFiles(in: sources.appendingPathComponent("Resources/templates"))
        #expect(files.count > 40, "every template, in its audience's folder")
        for (_, url) in files {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: /\{\{(\{?)t\.([a-z0-9_]+)\}?\}\}/) {
                all.insert(String(match.output.2))
                if match.output.1.isEmpty { escaped.insert(String(match.output.2)) }
            }
        }
        return (all, escaped)
    }

    /// Keys the Swift code names as literals ("refer_title", Catalogues.english["error_not_accepted"]).
    static func literalKeys(known: Set<String>) throws -> Set<String> {
        var found = Set<String>()
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /"([a-z][a-z0-9_]+)"/) where known.contains(String(match.output.1)) {
                found.insert(String(match.output.1))
            }
        }
        return found
    }

    /// Keys the code builds: choices, stages, error titles, the questions a problem names, "problem_<code>".
    static var builtKeys: Set<String> {
        var keys = Set(IntakeQuestions.catalogueKeys)
        for stage in Stage.allCases where stage != .closed { keys.insert(PortalPagesController.stageKey(stage, nil)) }
        for reason in CloseReason.allCases { keys.insert(PortalPagesController.stageKey(.closed, reason)) }
        keys.insert(PortalPagesController.stageKey(.closed, nil, closedAsDuplicate: true))
        for code in [400, 403, 404, 409, 413, 422, 429, 500, 503] { keys.insert(Pages.titleKey(for: HTTPResponse.Status(code: code))) }
        keys.formUnion(Pages.messageKeys.values)
        for code in ["required", "unknown_value"] { keys.insert("problem_\(code)") }
        for question in FeedbackQuestion.allCases { keys.insert("feedback_q_\(question.rawValue)") }
        // A meeting in the family's words (`PortalPagesController.meetingLine`).
        for party in MeetingParty.allCases { keys.insert("meeting_party_\(party.rawValue)") }
        for status in MeetingStatus.allCases { keys.insert("meeting_status_\(status.rawValue)") }
        for status in VoiceStatus.allCases { keys.insert("voice_status_\(status.rawValue)") }   // PortalVoiceController.statusText
        // An appointment in the family's words (`PortalPagesController.appointmentLine`).
        for modality in ListeningModality.allCases { keys.insert("appointment_modality_\(modality.rawValue)") }
        let fields = ["contact.preference", "council_area", "referrer_role", "setting", "harm", "when", "told_before", "wishes",
                      "heard_from", "pattern", "involvement", "age_band", "parent_knows", "monitoring.child_sex", "monitoring.send"]
        for field in fields {
            for youngPerson in [false, true] { FormProblems.questionKey(field, youngPerson: youngPerson).map { _ = keys.insert($0) } }
        }
        return keys
    }

    /// Templates live in folders by audience but are named by file name alone: the same name in two folders is
    /// refused when the templates load, instead of one page silently rendering the other.
    @Test func aTemplateNameUsedInTwoFoldersIsRefused() throws {
        let dir = try TemporaryDirectory()
        for folder in ["staff", "portal"] {
            let sub = dir.url.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Data("<p>{{title}}</p>".utf8).write(to: sub.appendingPathComponent("header.mustache"))
        }
        #expect(throws: Pages.PagesError.self) { _ = try Pages.templateFiles(in: dir.url) }
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent("portal"))
        #expect(try Pages.templateFiles(in: dir.url).map(\.name) == ["header"])
    }

    @Test func everyLanguageHasExactlyTheKeysEnglishHas() {
        let english = Set(Catalogues.english.messages.keys)
        #expect(english.count > 250)
        for language in FamilyLanguage.allCases {
            let keys = Set(Catalogues[language].messages.keys)
            #expect(english.subtracting(keys).sorted() == [], "\(language.rawValue) lacks these")
            #expect(keys.subtracting(english).sorted() == [], "\(language.rawValue) has these English lacks")
            #expect(Catalogues[language].messages.values.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        }
    }

    @Test func everyKeyIsUsedAndEveryUsedKeyExists() throws {
        let (inTemplates, _) = try Self.templateKeys()
        let known = Set(Catalogues.english.messages.keys)
        let used = inTemplates.union(Self.builtKeys).union(try Self.literalKeys(known: known))
        #expect(used.subtracting(known).sorted() == [], "used but in no catalogue")
        #expect(known.subtracting(used).sorted() == [], "in the catalogue but used nowhere")
        // The template scan and the built keys find real uses (a broken regex would make this test pass vacuously).
        #expect(inTemplates.count > 150 && Self.builtKeys.count > 80)
    }

    @Test func translationsKeepEveryPlaceholderAndOnlyOurMarkup() throws {
        let placeholder = /\{([a-z_]+)\}/
        let tag = /<[^>]*>/
        let allowedTag = /<strong>|<\/strong>|<\/a>|<a href="\/[a-z\/?=_&;]*">/
        let (_, escaped) = try Self.templateKeys()
        for (key, english) in Catalogues.english.messages {
            let wanted = Set(english.matches(of: placeholder).map { String($0.output.1) })
            let englishTags = english.matches(of: tag).map { String($0.output) }
            for language in FamilyLanguage.allCases {
                let text = Catalogues[language][key]
                #expect(Set(text.matches(of: placeholder).map { String($0.output.1) }) == wanted, "\(language.rawValue) \(key)")
                let tags = text.matches(of: tag).map { String($0.output) }
                #expect(tags == englishTags, "\(language.rawValue) \(key) changes the markup")
                for found in tags { #expect(found.wholeMatch(of: allowedTag) != nil, "\(language.rawValue) \(key): \(found)") }
                // Outside our tags: no markup characters (an ampersand would be read as an entity).
                let bare = text.replacing(tag, with: "")
                #expect(!bare.contains("<") && !bare.contains(">") && !bare.contains("&") && !bare.contains("\""), "\(language.rawValue) \(key)")
                if key.hasPrefix("mail_") || escaped.contains(key) { #expect(tags.isEmpty, "\(language.rawValue) \(key) is plain text") }
            }
        }
    }

    @Test func eachCatalogueSaysItsLanguageDirectionAndReview() {
        #expect(Catalogues[.english].about.htmlLang == "en-GB" && Catalogues[.english].about.review == "reviewed")
        #expect(Catalogues[.easyRead].about.htmlLang == "en-GB")
        #expect(Catalogues[.polish].about.htmlLang == "pl")
        // Neither translation has been checked by the partner yet, and the catalogue says so.
        #expect(Catalogues[.polish].about.review == "awaiting_partner_review")
        #expect(Catalogues[.easyRead].about.review == "awaiting_partner_review")
        for language in FamilyLanguage.allCases {
            let about = Catalogues[language].about
            #expect(about.code == language.rawValue && ["ltr", "rtl"].contains(about.dir))
        }
        #expect(Catalogues[.polish]["refer_title"] != Catalogues[.english]["refer_title"])
        #expect(Catalogues[.easyRead]["refer_yp_lead"] != Catalogues[.english]["refer_yp_lead"])
    }

    /// The family's export keeps its stage text in English from `StageText`: the catalogue's English must say the same.
    @Test func theEnglishStageTextsAreTheExportsStageTexts() {
        for stage in Stage.allCases where stage != .closed {
            #expect(Catalogues.english[PortalPagesController.stageKey(stage, nil)] == StageText.forFamily(stage, closeReason: nil))
        }
        for reason in CloseReason.allCases {
            #expect(Catalogues.english[PortalPagesController.stageKey(.closed, reason)] == StageText.forFamily(.closed, closeReason: reason))
        }
    }

    @Test func aFilledInValueIsEscapedNotMarkup() {
        let catalogue = Catalogues.english.forTemplate(["reissued_on": "<script>x</script>&\""])
        #expect(catalogue["portal_reissued_notice"]?.hasPrefix("A new passphrase for your referral was issued on &lt;script&gt;x&lt;/script&gt;&amp;&quot;, ") == true)
    }
}
