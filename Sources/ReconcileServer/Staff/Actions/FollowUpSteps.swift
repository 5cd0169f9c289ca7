import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

// Dated follow-ups: set one (a London day and a note, sealed by the store) and mark one done.

struct FollowUpStep: CaseStep {
    static let name = "follow_up"
    static let route = StepRoute("follow-ups")
    static let done = "Follow-up set."
    static let fields: Set<String> = ["due_on", "note"]
    let dueOn: String
    let note: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        dueOn = try f.requiredText("due_on").trimmingCharacters(in: .whitespaces)
        note = try f.text("note")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.desk.addFollowUp(caseID: t.caseID, dueOn: dueOn, note: note, by: staff.actor)
    }
}

struct FollowUpDoneStep: CaseStep {
    static let name = "follow_up_done"
    static let route = StepRoute("follow-ups/:fid/done")
    static let done = "Follow-up marked done."
    static let fields: Set<String> = []
    let followUpID: String

    init(reading _: some ActionFields, on t: CaseTarget, rules _: StepRules) throws {
        guard let fid = t.followUpID, CaseTarget.isID(fid) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such follow-up on this case.")
        }
        followUpID = fid
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.desk.completeFollowUp(caseID: t.caseID, followUpID: followUpID, by: staff.actor)
    }
}
