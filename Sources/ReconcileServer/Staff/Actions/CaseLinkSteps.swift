import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

// Steps that name another case: linking two about the same incident, and closing one as a duplicate of another.

/// A lead links this case to another about the same incident (`case`: its id or its reference).
struct LinkStep: CaseStep {
    static let name = "link"
    static let route = StepRoute("links")
    static let done = "The cases have been linked."
    static let fields: Set<String> = ["case"]
    static let roles: Set<StaffRole> = [.lead]
    let other: String

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        other = try Self.otherCase(f)
    }

    /// The other case named in `case`, by its id or its reference (any case, spaces or missing hyphens as the
    /// search reads them). Only an id or a reference can name a case; anything else is refused without being
    /// looked up or echoed.
    static func otherCase(_ f: some ActionFields) throws -> String {
        let text = try f.requiredText("case").trimmingCharacters(in: .whitespacesAndNewlines)
        if CaseTarget.isID(text) { return text }
        guard text.count <= 40, case .reference(let reference)? = try? SearchTerm(parsing: text) else {
            throw APIError.field("case", "unknown_value", "Give the other case's reference (RS-XXXX-XXXX).")
        }
        return reference
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.linkCases(caseID: t.caseID, to: other, by: staff.actor)
    }
}

/// A lead closes a second referral from a family already referred as a duplicate of the other case (`case`: its
/// id or reference): the conversation goes on there, and the council counts the family once.
struct CloseAsDuplicateStep: CaseStep {
    static let name = "close_as_duplicate"
    static let route = StepRoute("close-as-duplicate")
    static let done = "The case has been closed as a duplicate; the family's conversation goes on in the other case."
    static let fields: Set<String> = ["case", "note"]
    static let roles: Set<StaffRole> = [.lead]
    let other: String
    let note: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        other = try LinkStep.otherCase(f)
        note = try f.text("note")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.desk.closeAsDuplicate(caseID: t.caseID, of: other, note: note, by: staff.actor)
    }
}
