import Foundation
import GRDB
import ReconcileCore

// What staff see of one case, opened: each record as a view, and the case with all of them (`CaseDetail`).

public struct ListeningSessionView: Sendable, Equatable, Codable {
    public let id: String
    public let heldOn: String
    public let durationMinutes: Int
    public let modality: ListeningModality
    public let note: String?
    public let recordedAt: Date
    /// Staff email (or the account id if the account is gone).
    public let recordedBy: String
    public var adviceGiven: String? = nil
    public var actionsAgreed: String? = nil
}

public struct AssessmentView: Sendable, Equatable, Codable {
    public let id: String
    public let level: LevelOfNeed
    public let needs: [Need]
    public let note: String?
    public let assessedAt: Date
    public let assessedBy: String
    public var adviceGiven: String? = nil
    public var actionsAgreed: String? = nil
    public var reason: String? = nil
}

public struct SignpostView: Sendable, Equatable, Codable {
    public let id: String
    public let serviceID: String
    public let need: Need
    public let outcome: SignpostOutcome
    public let note: String?
    public let createdAt: Date
    public let createdBy: String
    public let outcomeAt: Date?
    public var kind: SignpostKind = .informationGiven
    public var adviceGiven: String? = nil
    public var actionsAgreed: String? = nil
    public var reason: String? = nil
}

public struct SafeguardingView: Sendable, Equatable, Codable {
    public let id: String
    /// The first route (every route is in `routes`).
    public let route: SafeguardingRoute
    public let note: String?
    public let escalatedAt: Date
    public let escalatedBy: String
    public var routes: [SafeguardingRoute] = []
    public var referredOn: String? = nil
    public var areaReferredTo: String? = nil
    /// nil: not recorded (escalations from before v11).
    public var parentsInformed: Bool? = nil
    public var parentsNotInformedReason: ParentsNotInformedReason? = nil
    public var outcome: SafeguardingOutcome = .pending
    public var outcomeAt: Date? = nil
    public var reReferralOf: String? = nil
}

public struct MessageView: Sendable, Equatable, Codable {
    public let id: String
    /// "partner" or "family".
    public let sender: String
    public let body: String
    public let sentAt: Date
}

public struct CaseEventView: Sendable, Equatable, Codable {
    public let id: String
    public let at: Date
    /// Staff email, or "family" / "system".
    public let actor: String
    public let action: String
    public let fromStage: Stage
    public let toStage: Stage
    /// Codes and ids only, e.g. "method=phone".
    public let detail: String?
    public let note: String?
    /// For an assignment: whom the case went to, and from whom (staff emails).
    public var assignee: String? = nil
    public var previousAssignee: String? = nil
}

/// One case as a practitioner or lead sees it, personal fields decrypted.
public struct CaseDetail: Sendable, Equatable {
    public let id: CaseID
    public let reference: String
    public let stage: Stage
    public let closeReason: CloseReason?
    public let councilArea: String
    public let receivedAt: Date
    public let acknowledgedAt: Date?
    public let closedAt: Date?
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    public let overdue: Bool
    /// An earlier case with the same email or phone (blind index match), if any.
    public let duplicateOf: CaseID?
    /// Contact details and story.
    public let referral: DecryptedReferral
    // Statistical answers from intake.
    public let referrerRole: ReferrerRole
    public let setting: ReconcileCore.Setting
    public let harm: [Harm]
    public let whenAgo: HowLongAgo
    public let toldBefore: [ToldBefore]
    public let wishes: [Wish]
    public let consentStatistics: Bool
    // Work on the case, oldest first.
    public let listeningSessions: [ListeningSessionView]
    public let assessments: [AssessmentView]
    public let signposts: [SignpostView]
    public let safeguarding: [SafeguardingView]
    public let messages: [MessageView]
    public let events: [CaseEventView]
    /// Since when a lead's evidential hold has stood (its reason is the note of its event), if one does.
    public var evidentialHoldSince: Date? = nil
    /// What the family was told at closure (shown in their portal), if it was written.
    public var closureSummary: String? = nil
    /// The intake questions, and access needs; `enteredBy` as the staff email.
    public var intake = IntakeAnswersView()
    /// Cases a lead linked to this one as about the same incident.
    public var linkedCases: [LinkedCaseView] = []
    /// Coded experience themes the practitioner tagged.
    public var experienceThemes: [ExperienceTheme] = []
    /// The family's feedback (their comment opened) and their complaints or compliments.
    public var feedback: FamilyFeedback? = nil
    public var complaints: [CaseComplaintView] = []
    /// Dated follow-ups, open ones first by due date.
    public var followUps: [FollowUpView] = []
    /// Planned, moved, cancelled and held appointments, soonest first.
    public var appointments: [AppointmentView] = []
    /// The reference of `duplicateOf` (set exactly when it is), so people see a reference, not an internal id.
    public var duplicateOfReference: String? = nil
    /// Meetings the family asked for with the school or college or the council, oldest first.
    public var meetings: [MeetingView] = []
    /// Set when a lead closed this case as a duplicate: the case the conversation goes on in.
    public var closedAsDuplicateOf: DuplicateTarget? = nil
}
