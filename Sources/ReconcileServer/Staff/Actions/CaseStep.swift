import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// One step a practitioner or lead takes on a case. Its input is read and validated once, from the API's JSON
/// or a page's form alike (`ActionFields`), then `perform` makes the one store write. The API controller and
/// the page controller both run steps through `CaseActions`; neither parses a field of its own.
protocol CaseStep: Sendable {
    /// The name in logs and in the page's "done" message.
    static var name: String { get }
    /// The JSON fields the API accepts; any other is refused (422) before anything is read.
    static var fields: Set<String> { get }
    /// Who may take the step at all, checked before its input is read (the store checks again, and checks
    /// assignment). Practitioners and leads unless the step says otherwise.
    static var roles: Set<StaffRole> { get }
    init(reading fields: some ActionFields, on target: CaseTarget, rules: StepRules) throws
    func perform(on target: CaseTarget, by staff: StaffAccount, in store: CaseActions) async throws -> CaseChange
}

extension CaseStep {
    static var roles: Set<StaffRole> { [.practitioner, .lead] }
}

/// What a step's input is checked against besides its own lists: the signposting directory and which
/// practice-record fields `policies/recording.json` requires; and, for the views of a case, the area's words
/// for the levels of need (`policies/levels.json`).
struct StepRules: Sendable {
    let directory: ServiceDirectory
    let recording: RecordingPolicy
    var levels = LevelLabels()
    /// The configured council areas: where a safeguarding referral may have gone (or "other").
    var councilAreas: [String] = []
    /// The partner's words for the coded experience themes (`policies/themes.json`), for the case page.
    var themes = ThemeLabels()

    /// The practice-record fields of `step`, each refused (422 naming it) when the policy requires it and it
    /// is absent or blank.
    func practice(_ f: some ActionFields, for step: RecordingPolicy.Step) throws -> PracticeRecord {
        func read(_ name: String) throws -> String? {
            guard RecordingPolicy.fields[step]?.contains(name) == true else { return nil }
            return try f.text(name, required: recording.requires(name, on: step))
        }
        return PracticeRecord(adviceGiven: try read("advice_given"), actionsAgreed: try read("actions_agreed"), reason: try read("reason"))
    }
}

/// The case a step is for, and the record within it (a signpost's outcome), from the request path.
struct CaseTarget: Sendable {
    let caseID: String
    let signpostID: String?
    /// A safeguarding referral's id, from `/safeguarding/:eid`.
    var escalationID: String? = nil
    /// A follow-up's id, from `/follow-ups/:fid`.
    var followUpID: String? = nil
    /// A meeting's id, from `/meetings/:mid`.
    var meetingID: String? = nil
    /// An appointment's id, from `/appointments/:aid`.
    var appointmentID: String? = nil

    /// Case ids are lower-case UUIDs; anything else cannot be a case (and is never echoed).
    init(_ parameters: Parameters) throws {
        guard let id = parameters.get("id"), Self.isID(id) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such case.")
        }
        caseID = id
        signpostID = parameters.get("sid")
        escalationID = parameters.get("eid")
        followUpID = parameters.get("fid")
        meetingID = parameters.get("mid")
        appointmentID = parameters.get("aid")
    }

    static func isID(_ text: String) -> Bool { UUID(uuidString: text) != nil && text == text.lowercased() }
}
