import Foundation
import ReconcileCore
import ReconcileStore

/// The family asked to meet the school or college, the council's children's services, its education service or
/// another organisation (`party`; categories only, never a person's name: the `note` holds the rest, sealed).
/// There is no party for the other child's family: the guidance keeps the children apart.
struct MeetingRequestStep: CaseStep {
    static let name = "meeting_request"
    static let route = StepRoute("meetings")
    static let done = "The family's request for a meeting has been recorded."
    static let fields: Set<String> = ["party", "note"]
    let party: MeetingParty
    let note: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        guard let raw = try f.text("party", required: true)?.trimmingCharacters(in: .whitespaces), let party = MeetingParty(rawValue: raw) else {
            throw APIError.field("party", "unknown_value",
                                 "Use one of " + MeetingParty.allCases.map(\.rawValue).joined(separator: ", ") + " (never the other child's family).")
        }
        self.party = party
        note = try f.text("note")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.requestMeeting(caseID: t.caseID, party: party, note: note, by: staff.actor)
    }
}

/// A meeting's course (`status`: invited, accepted, declined_by_other_party, held with `held_on`, withdrawn) and,
/// once held, the family's view: `helped` 1 to 5 and `family_words` (sealed), recorded with them.
struct MeetingUpdateStep: CaseStep {
    static let name = "meeting_update"
    static let route = StepRoute(.patch, "meetings/:mid")
    static let done = "The meeting has been updated."
    static let fields: Set<String> = ["status", "held_on", "helped", "family_words"]
    let meetingID: String
    let update: MeetingUpdate

    init(reading f: some ActionFields, on t: CaseTarget, rules _: StepRules) throws {
        guard let mid = t.meetingID, CaseTarget.isID(mid) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such meeting on this case.")
        }
        meetingID = mid
        var update = MeetingUpdate()
        if let raw = try f.text("status")?.trimmingCharacters(in: .whitespaces) {
            guard let status = MeetingStatus(rawValue: raw), MeetingStatus.settable.contains(status) else {
                throw APIError.field("status", "unknown_value",
                                     "Use one of " + MeetingStatus.settable.map(\.rawValue).joined(separator: ", ") + ".")
            }
            update.status = status
        }
        update.heldOn = try f.text("held_on")?.trimmingCharacters(in: .whitespaces)
        update.helped = try f.optionalWholeNumber("helped")
        update.familyWords = try f.text("family_words")
        self.update = update
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.updateMeeting(caseID: t.caseID, meetingID: meetingID, update, by: staff.actor)
    }
}
