import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// One step a practitioner or lead takes on a case. Its input is read and validated once, from the API's JSON
/// or a page's form alike (`ActionFields`), then `perform` makes the one store write. The API controller and
/// the page controller both run steps through `CaseActions`; neither parses a field of its own.
protocol CaseStep: Sendable {
    /// The name in logs and in the page's `?done=` after a form post.
    static var name: String { get }
    /// Where the step is taken, under a case: one declaration for both doors' routes.
    static var route: StepRoute { get }
    /// What the case page says once the step is done.
    static var done: String { get }
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

/// Where a step is taken, relative to `cases/:id/`: the API's method and path, and the page form's path (always a
/// POST, since a form has no PATCH or PUT; the same path unless a page needs its own).
struct StepRoute: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let pagePath: String

    init(_ method: HTTPRequest.Method, _ path: String, page: String? = nil) {
        self.method = method
        self.path = path
        pagePath = page ?? path
    }

    /// A POST at the same path for both doors.
    init(_ path: String) { self.init(.post, path) }
}

/// Every case step, in the order both doors register them: `CasesController` at `api/v1/cases/:id/…` with each
/// step's method, `CasePagesController` at `staff/cases/:id/…` by POST. A step missing here has neither door.
enum CaseStepCatalogue {
    static let all: [any CaseStep.Type] = [
        AssignStep.self, AcknowledgementStep.self, ListeningSessionStep.self, AssessmentStep.self, SignpostStep.self,
        SignpostOutcomeStep.self, SafeguardingStep.self, MessageStep.self, CloseStep.self, EvidentialHoldStep.self,
        ReopenStep.self, CloseAsDuplicateStep.self, LinkStep.self, ThemesStep.self, SafeguardingOutcomeStep.self,
        FollowUpStep.self, FollowUpDoneStep.self, MeetingRequestStep.self, MeetingUpdateStep.self, VoiceStep.self,
        AppointmentBookStep.self, AppointmentUpdateStep.self,
    ]

    /// The done words of the step named `name` (from a page's `?done=`); nil for any other value.
    static func done(named name: String) -> String? { all.first { $0.name == name }?.done }
}

/// What a step's input is checked against besides its own lists: the signposting directory, which
/// practice-record fields `policies/recording.json` requires, and the configured council areas. Words that only
/// views show (levels of need, themes) are `CaseWords`, which steps never see.
struct StepRules: Sendable {
    let directory: ServiceDirectory
    let recording: RecordingPolicy
    /// The configured council areas: where a safeguarding referral may have gone (or "other").
    var councilAreas: [String] = []

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
    let caseID: CaseID
    let signpostID: String?
    /// A safeguarding referral's id, from `/safeguarding/:eid`.
    var escalationID: String? = nil
    /// A follow-up's id, from `/follow-ups/:fid`.
    var followUpID: String? = nil
    /// A meeting's id, from `/meetings/:mid`.
    var meetingID: String? = nil
    /// An appointment's id, from `/appointments/:aid`.
    var appointmentID: String? = nil

    init(_ parameters: Parameters) throws {
        guard let id = parameters.get("id").flatMap(CaseID.init(parsing:)) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such case.")
        }
        caseID = id
        signpostID = parameters.get("sid")
        escalationID = parameters.get("eid")
        followUpID = parameters.get("fid")
        meetingID = parameters.get("mid")
        appointmentID = parameters.get("aid")
    }

    /// Record ids (signposts, meetings, voices, …) are lower-case UUIDs, as case ids are; anything else is never echoed.
    static func isID(_ text: String) -> Bool { CaseID.isLowerCaseUUID(text) }
}
