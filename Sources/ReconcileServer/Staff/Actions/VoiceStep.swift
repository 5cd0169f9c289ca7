import Foundation
import ReconcileCore
import ReconcileStore

/// The practitioner writes the family's own words with them (`text`, and the family's explicit `consent`), or records
/// that the family approved a lead's edit (`family_approved_edit: true`). Never moves the case.
struct VoiceStep: CaseStep {
    static let name = "voice"
    static let route = StepRoute(.put, "voice")
    static let done = "The family's words have been saved for review."
    static let fields: Set<String> = ["text", "consent", "family_approved_edit"]
    enum Action: Sendable { case offer(String), familyApprovedEdit }
    let action: Action

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        if try Self.optionalFlag(f, "family_approved_edit") == true {
            action = .familyApprovedEdit
            return
        }
        let text = try f.requiredText("text")
        // The family's own consent, asked in plain words and recorded apart: never assumed.
        guard try Self.optionalFlag(f, "consent") == true else { throw VoiceError.consentRequired }
        action = .offer(text)
    }

    /// A yes/no that may be left out (an unticked box sends nothing); any other value is still refused by name.
    static func optionalFlag(_ f: some ActionFields, _ key: String) throws -> Bool? {
        do { return try f.flag(key) } catch let error as APIError where error.code == "required" { return nil }
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        switch action {
        case .offer(let text):
            try await s.stores.portal.offerVoice(caseID: t.caseID, text: text, consent: true, by: .staff(staff.actor))
        case .familyApprovedEdit:
            try await s.stores.portal.acceptVoiceEdit(caseID: t.caseID, by: .staff(staff.actor))
        }
    }
}
