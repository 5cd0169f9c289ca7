import Foundation
import Testing
@testable import ReconcileServer

/// Typed view models reach Mustache as the names the templates use, and an empty or absent value is not
/// shown: a note-less record must not render an empty "Note:" line, nor a false flag a section.
@Suite struct PageModelTests {
    struct Model: PageModel {
        struct Row: Sendable, Encodable { let note: String?; let canOutcome: Bool }
        let caseId: String
        let story: String?
        let empty: String
        let rows: [Row]
        let minutes: Int
        var dateID = "d-1"
        var caseIDs = ["a", "b"]
    }

    @Test func namesAreSnakeCaseAndEmptyValuesAreLeftOut() throws {
        let values = TemplateValues.of(Model(caseId: "abc", story: nil, empty: "",
                                             rows: [.init(note: "", canOutcome: true), .init(note: "a note", canOutcome: false)], minutes: 0))
        #expect(values["case_id"] as? String == "abc")
        #expect(values["story"] == nil && values["empty"] == nil)
        #expect(values["minutes"] as? Int == 0)   // a count of zero is a number, not "false"
        let rows = try #require(values["rows"] as? [[String: Any]])
        #expect(rows.count == 2 && rows[0]["note"] == nil && rows[0]["can_outcome"] as? Bool == true)
        #expect(rows[1]["note"] as? String == "a note" && rows[1]["can_outcome"] as? Bool == false)
        // A run of capitals is one word: `dateID` is the template's `date_id`, not `date_i_d`.
        #expect(values["date_id"] as? String == "d-1")
        #expect(values["case_ids"] as? [String] == ["a", "b"])
    }

    @Test(arguments: [("canAssign", "can_assign"), ("dateID", "date_id"), ("caseIDs", "case_ids"), ("pageURLText", "page_url_text"),
                      ("title", "title"), ("idleRefresh", "idle_refresh"), ("level2Label", "level2_label")])
    func namesAreSnakeCasedAsTemplatesSpellThem(name: String, expected: String) {
        #expect(TemplateEncoding.snakeCase(name) == expected)
    }
}
