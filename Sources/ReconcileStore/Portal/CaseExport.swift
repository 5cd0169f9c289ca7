import Foundation
import GRDB
import ReconcileCore

/// Everything held about one referral, decrypted, for the family to download (SPEC "People and roles").
/// Encode with a `JSONEncoder` whose `dateEncodingStrategy` is `.iso8601`: keys are snake_case and every
/// key is always present (`null` when there is no value), so the shape is the same for every family.
///
/// Staff are not named (the partner organisation acts as one). Safeguarding escalations are listed by date
/// and route only; their notes, and the notes of their timeline events, are withheld (see `withheld`).
public struct CaseExport: Sendable, Encodable {
    public struct Answers: Sendable, Encodable {
        public let councilArea: String
        public let referrerRole: ReferrerRole
        public let setting: ReconcileCore.Setting
        public let harm: [Harm]
        public let when: HowLongAgo
        public let toldBefore: [ToldBefore]
        public let wishes: [Wish]
        /// The intake questions (nil: not answered, or not asked then) and how the referral came.
        public let intake: IntakeAnswersView

        enum CodingKeys: String, CodingKey {
            case councilArea = "council_area", referrerRole = "referrer_role", setting, harm, when
            case toldBefore = "told_before", wishes, involvement, ageBand = "age_band", parentKnows = "parent_knows"
            case heardFrom = "heard_from", pattern, monitoring, channel, language
        }

        enum MonitoringKeys: String, CodingKey { case childSex = "child_sex", send }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(councilArea, forKey: .councilArea)
            try c.encode(referrerRole, forKey: .referrerRole)
            try c.encode(setting, forKey: .setting)
            try c.encode(harm, forKey: .harm)
            try c.encode(when, forKey: .when)
            try c.encode(toldBefore, forKey: .toldBefore)
            try c.encode(wishes, forKey: .wishes)
            try c.encode(intake.involvement, forKey: .involvement)
            try c.encode(intake.ageBand, forKey: .ageBand)
            try c.encode(intake.parentKnows, forKey: .parentKnows)
            try c.encode(intake.heardFrom, forKey: .heardFrom)
            try c.encode(intake.pattern, forKey: .pattern)
            var monitoring = c.nestedContainer(keyedBy: MonitoringKeys.self, forKey: .monitoring)
            try monitoring.encode(intake.childSex, forKey: .childSex)
            try monitoring.encode(intake.specialNeeds, forKey: .send)
            try c.encode(intake.channel, forKey: .channel)
            try c.encode(intake.language, forKey: .language)
        }
    }

    public struct Consent: Sendable, Encodable {
        /// Consent to be contacted is required to refer, so it is always true; when it was given.
        public let contact: Bool
        public let contactAt: Date
        public let statistics: Bool
        public let statisticsAt: Date

        enum CodingKeys: String, CodingKey {
            case contact, contactAt = "contact_at", statistics, statisticsAt = "statistics_at"
        }
    }

    public struct Contact: Sendable, Encodable {
        public let name: String?
        public let email: String?
        public let phone: String?
        public let address: String?
        public let preference: ContactPreference
        public let safeToLeaveMessage: Bool
        public let safeTimes: String?

        enum CodingKeys: String, CodingKey {
            case name, email, phone, address, preference
            case safeToLeaveMessage = "safe_to_leave_message", safeTimes = "safe_times"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(email, forKey: .email)
            try c.encode(phone, forKey: .phone)
            try c.encode(address, forKey: .address)
            try c.encode(preference, forKey: .preference)
            try c.encode(safeToLeaveMessage, forKey: .safeToLeaveMessage)
            try c.encode(safeTimes, forKey: .safeTimes)
        }
    }

    public struct Message: Sendable, Encodable {
        /// "you" or "partner".
        public let from: String
        public let body: String
        public let at: Date
    }

    public struct ListeningSession: Sendable, Encodable {
        /// `YYYY-MM-DD`.
        public let date: String
        public let durationMinutes: Int
        public let modality: ListeningModality
        public let note: String?
        public let practice: PracticeRecord

        enum CodingKeys: String, CodingKey {
            case date, durationMinutes = "duration_minutes", modality, note, adviceGiven = "advice_given", actionsAgreed = "actions_agreed"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(date, forKey: .date)
            try c.encode(durationMinutes, forKey: .durationMinutes)
            try c.encode(modality, forKey: .modality)
            try c.encode(note, forKey: .note)
            try c.encode(practice.adviceGiven, forKey: .adviceGiven)
            try c.encode(practice.actionsAgreed, forKey: .actionsAgreed)
        }
    }

    public struct Assessment: Sendable, Encodable {
        public let at: Date
        public let levelOfNeed: LevelOfNeed
        public let needs: [Need]
        public let note: String?
        public let practice: PracticeRecord

        enum CodingKeys: String, CodingKey {
            case at, levelOfNeed = "level_of_need", needs, note, adviceGiven = "advice_given", actionsAgreed = "actions_agreed", reason
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(at, forKey: .at)
            try c.encode(levelOfNeed, forKey: .levelOfNeed)
            try c.encode(needs, forKey: .needs)
            try c.encode(note, forKey: .note)
            try c.encode(practice.adviceGiven, forKey: .adviceGiven)
            try c.encode(practice.actionsAgreed, forKey: .actionsAgreed)
            try c.encode(practice.reason, forKey: .reason)
        }
    }

    public struct Signpost: Sendable, Encodable {
        public let at: Date
        /// The id of the service in the signposting directory.
        public let serviceID: String
        public let need: Need
        public let outcome: SignpostOutcome
        public let outcomeAt: Date?
        public let note: String?
        public let kind: SignpostKind
        public let practice: PracticeRecord

        enum CodingKeys: String, CodingKey {
            case at, serviceID = "service_id", need, outcome, outcomeAt = "outcome_at", note, kind, adviceGiven = "advice_given"
            case actionsAgreed = "actions_agreed", reason
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(at, forKey: .at)
            try c.encode(serviceID, forKey: .serviceID)
            try c.encode(need, forKey: .need)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(outcomeAt, forKey: .outcomeAt)
            try c.encode(note, forKey: .note)
            try c.encode(kind, forKey: .kind)
            try c.encode(practice.adviceGiven, forKey: .adviceGiven)
            try c.encode(practice.actionsAgreed, forKey: .actionsAgreed)
            try c.encode(practice.reason, forKey: .reason)
        }
    }

    /// Date and route only: the note is withheld (see `CaseExport.withheld`).
    public struct SafeguardingEscalation: Sendable, Encodable {
        public let at: Date
        /// The first of `routes`.
        public let route: SafeguardingRoute
        public let routes: [SafeguardingRoute]
    }

    public struct Event: Sendable, Encodable {
        public let at: Date
        public let action: String
        public let fromStage: Stage
        public let toStage: Stage
        /// The note written with the event, if any; always nil for safeguarding and evidential-hold events (withheld).
        public let note: String?

        enum CodingKeys: String, CodingKey {
            case at, action, fromStage = "from_stage", toStage = "to_stage", note
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(at, forKey: .at)
            try c.encode(action, forKey: .action)
            try c.encode(fromStage, forKey: .fromStage)
            try c.encode(toStage, forKey: .toStage)
            try c.encode(note, forKey: .note)
        }
    }

    public struct Erasure: Sendable, Encodable {
        public let requestedAt: Date
        public let dueAt: Date
        public let held: Bool
        public let cancelled: Bool
        public let heldForEvidence: Bool

        enum CodingKeys: String, CodingKey {
            case requestedAt = "requested_at", dueAt = "due_at", held, cancelled, heldForEvidence = "held_for_evidence"
        }
    }

    /// What is left out, and why, in words for the family.
    public static let withheldExplanation = """
        Notes about safeguarding referrals are not included. Sharing them could put a child at risk. \
        The date of each safeguarding referral, and whether it went to children's social care or the police, \
        are included. If notes are being kept because the police or a court may need them, the reason is not \
        included either, as it could affect their work. If you have questions about this, please send us a message.
        """

    public let reference: String
    public let exportedAt: Date
    public let receivedAt: Date
    public let acknowledgedAt: Date?
    public let stage: Stage
    public let stageText: String
    public let closeReason: CloseReason?
    public let closedAt: Date?
    public let answers: Answers
    public let consent: Consent
    public let contact: Contact
    public let story: String?
    /// What the family said would help them take part (null when nothing was said).
    public let accessNeeds: AccessNeeds?
    /// What the partner wrote for the family when the case closed.
    public let closureSummary: String?
    public let messages: [Message]
    public let listeningSessions: [ListeningSession]
    public let assessments: [Assessment]
    public let signposts: [Signpost]
    public let safeguardingEscalations: [SafeguardingEscalation]
    public let events: [Event]
    public let erasure: Erasure?
    public let withheld: String
    /// The family's feedback and their complaints or compliments, their own words opened.
    public var feedback: FeedbackHeld? = nil
    public var complaints: [ComplaintHeld] = []

    enum CodingKeys: String, CodingKey {
        case reference, exportedAt = "exported_at", receivedAt = "received_at", acknowledgedAt = "acknowledged_at"
        case stage, stageText = "stage_text", closeReason = "close_reason", closedAt = "closed_at"
        case answers, consent, contact, story, accessNeeds = "access_needs", closureSummary = "closure_summary", messages, listeningSessions = "listening_sessions", assessments, signposts
        case safeguardingEscalations = "safeguarding_escalations", events, erasure, withheld, feedback, complaints
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reference, forKey: .reference)
        try c.encode(exportedAt, forKey: .exportedAt)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encode(stage, forKey: .stage)
        try c.encode(stageText, forKey: .stageText)
        try c.encode(closeReason, forKey: .closeReason)
        try c.encode(closedAt, forKey: .closedAt)
        try c.encode(answers, forKey: .answers)
        try c.encode(consent, forKey: .consent)
        try c.encode(contact, forKey: .contact)
        try c.encode(story, forKey: .story)
        try c.encode(accessNeeds, forKey: .accessNeeds)
        try c.encode(closureSummary, forKey: .closureSummary)
        try c.encode(messages, forKey: .messages)
        try c.encode(listeningSessions, forKey: .listeningSessions)
        try c.encode(assessments, forKey: .assessments)
        try c.encode(signposts, forKey: .signposts)
        try c.encode(safeguardingEscalations, forKey: .safeguardingEscalations)
        try c.encode(events, forKey: .events)
        try c.encode(erasure, forKey: .erasure)
        try c.encode(withheld, forKey: .withheld)
        try c.encode(feedback, forKey: .feedback)
        try c.encode(complaints, forKey: .complaints)
    }
}
