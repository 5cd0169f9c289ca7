import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

// What the case routes answer. Keys become snake_case in the response encoder.

/// After a case step: the stage the case is at now, and the id of the record the step added (absent when it
/// added none).
struct ChangeResponse: ResponseEncodable {
    let id: String?
    let stage: Stage

    init(_ change: CaseChange) {
        id = change.recordID
        stage = change.stage
    }
}

struct HoldResponse: ResponseEncodable { let hold: Bool }

/// The case list holds no personal field: ids, reference, stage, area, dates, assignee, overdue flag.
struct CaseListResponse: ResponseEncodable {
    let cases: [Summary]
    let nextCursor: String?

    init(cases: [CaseSummary], nextCursor: String?) {
        self.cases = cases.map(Summary.init)
        self.nextCursor = nextCursor
    }

    /// Nulls are written out (`"assigned_to": null`, `"next_cursor": null`) so every key is always there.
    struct Summary: Encodable {
        let s: CaseSummary
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(s.id, forKey: .id)
            try c.encode(s.reference, forKey: .reference)
            try c.encode(s.stage, forKey: .stage)
            try c.encode(s.councilArea, forKey: .councilArea)
            try c.encode(s.receivedAt, forKey: .receivedAt)
            try c.encode(s.assignedTo, forKey: .assignedTo)
            try c.encode(s.overdue, forKey: .overdue)
            try c.encode(s.unreadReplies, forKey: .unreadReplies)
            try c.encode(s.askedToComeBack, forKey: .askedToComeBack)
        }
        enum CodingKeys: String, CodingKey { case id, reference, stage, councilArea, receivedAt, assignedTo, overdue, unreadReplies, askedToComeBack }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cases, forKey: .cases)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
    enum CodingKeys: String, CodingKey { case cases, nextCursor }
}

struct TimelineResponse: ResponseEncodable { let events: [EventJSON] }

struct EventJSON: Encodable {
    let id: String, at: Date, actor: String, action: String, from: String, to: String, detail: String?, note: String?
    init(_ e: CaseEventView) {
        (id, at, actor, action, from, to, detail, note) = (e.id, e.at, e.actor, e.action, e.fromStage.rawValue, e.toStage.rawValue, e.detail, e.note)
    }
}

/// One case, decrypted for the practitioner or lead reading it (the read is audited by the store).
struct CaseDetailResponse: ResponseEncodable {
    struct Contact: Encodable {
        let name, email, phone, address: String?
        let preference: String
        let safeToLeaveMessage: Bool
        let safeTimes: String?
    }
    struct Statistics: Encodable {
        let referrerRole, setting, when: String
        let harm, toldBefore, wishes: [String]
        let consentStatistics: Bool
        // The intake questions (absent: not answered, or not asked then).
        let involvement, ageBand, parentKnows, heardFrom: String?
        let pattern: [String]
        let monitoring: Monitoring
        let channel: String
        /// The language the family made the referral in; absent from before, or not said.
        let language: String?
    }
    struct Monitoring: Encodable { let childSex, send: String? }
    struct Session: Encodable {
        let id, date: String; let durationMinutes: Int; let modality: String; let note: String?; let recordedAt: Date; let recordedBy: String
        let adviceGiven, actionsAgreed: String?
    }
    struct Assessment: Encodable {
        let id: String; let levelOfNeed: Int; let levelLabel: String; let needs: [String]; let note: String?; let assessedAt: Date; let assessedBy: String
        let adviceGiven, actionsAgreed, reason: String?
    }
    struct Signpost: Encodable {
        let id, service, need, outcome, kind: String; let note: String?; let createdAt: Date; let outcomeAt: Date?
        let adviceGiven, actionsAgreed, reason: String?
    }
    struct Escalation: Encodable {
        let id, route: String; let note: String?; let escalatedAt: Date; let escalatedBy: String
        let routes: [String]; let date, areaReferredTo: String?; let parentsInformed: Bool?; let parentsNotInformedReason: String?
        let outcome: String; let outcomeAt: Date?; let reReferralOf: String?
    }
    struct Message: Encodable { let id, from, body: String; let at: Date }
    /// A meeting the family asked for: with whom (a category), where it is up to, and after it the family's view.
    struct Meeting: Encodable {
        let id, party, status: String; let note: String?; let requestedAt: Date; let requestedBy: String; let statusAt: Date
        let heldOn: String?; let helped: Int?; let familyWords: String?
    }

    let id: CaseID
    let reference, stage, councilArea: String
    let closeReason: String?
    let receivedAt: Date
    let assignedTo: String?
    let overdue: Bool
    let duplicateOf: CaseID?
    let contact: Contact
    let story: String?
    let statistics: Statistics
    /// What the family said would help them take part; absent when nothing was said.
    let accessNeeds: AccessNeeds?
    /// The staff member who entered a referral taken by phone, post or in person; absent for the family's own.
    let enteredBy: String?
    /// Cases a lead linked to this one (about the same incident); a practitioner sees the id and reference only
    /// of those they work.
    let linkedCases: [Linked]
    struct Linked: Encodable { let id: CaseID?; let reference: String?; let linkedAt: Date }
    /// Coded experience themes tagged on the case.
    let experienceThemes: [String]
    let listeningSessions: [Session]
    let assessments: [Assessment]
    let signposts: [Signpost]
    let safeguarding: [Escalation]
    let meetings: [Meeting]
    let messages: [Message]
    let events: [EventJSON]
    /// What the state machine allows next, so a client (or page) offers only those.
    let allowedActions: [String]
    /// Since when an evidential hold has stood; absent when there is none.
    let evidentialHoldSince: Date?
    /// What the family was told at closure; absent when none was written.
    let closureSummary: String?
    /// The latest assessment is at a level where the area's thresholds point to statutory services and no
    /// safeguarding escalation is recorded: the practitioner should consider one.
    let considerSafeguarding: Bool
    /// Dated follow-ups, open ones first.
    let followUps: [FollowUpJSON]
    /// Appointments, soonest first, whatever their status.
    let appointments: [AppointmentJSON]
    /// The reference of `duplicateOf`; absent with it.
    let duplicateOfReference: String?
    /// Set when a lead closed this case as a duplicate: the case the conversation goes on in (its id and reference
    /// only for a reader who may open it); absent otherwise.
    let closedAsDuplicateOf: DuplicateTargetJSON?
    struct DuplicateTargetJSON: Encodable { let id: CaseID?; let reference: String? }

    init(_ d: CaseDetail, levels: LevelLabels) {
        let c = d.referral.contact
        id = d.id; reference = d.reference; stage = d.stage.rawValue; councilArea = d.councilArea
        closeReason = d.closeReason?.rawValue; receivedAt = d.receivedAt; assignedTo = d.assignedTo
        overdue = d.overdue; duplicateOf = d.duplicateOf
        contact = Contact(name: c.name, email: c.email, phone: c.phone, address: c.address, preference: c.preference.rawValue,
                          safeToLeaveMessage: c.safeToLeaveMessage, safeTimes: c.safeTimes)
        story = d.referral.story
        statistics = Statistics(referrerRole: d.referrerRole.rawValue, setting: d.setting.rawValue, when: d.whenAgo.rawValue,
                                harm: d.harm.map(\.rawValue), toldBefore: d.toldBefore.map(\.rawValue), wishes: d.wishes.map(\.rawValue),
                                consentStatistics: d.consentStatistics,
                                involvement: d.intake.involvement?.rawValue, ageBand: d.intake.ageBand?.rawValue,
                                parentKnows: d.intake.parentKnows?.rawValue, heardFrom: d.intake.heardFrom?.rawValue,
                                pattern: d.intake.pattern.map(\.rawValue),
                                monitoring: Monitoring(childSex: d.intake.childSex?.rawValue, send: d.intake.specialNeeds?.rawValue),
                                channel: d.intake.channel.rawValue, language: d.intake.language?.rawValue)
        accessNeeds = d.intake.accessNeeds
        enteredBy = d.intake.enteredBy
        experienceThemes = d.experienceThemes.map(\.rawValue)
        linkedCases = d.linkedCases.map { Linked(id: $0.id, reference: $0.reference, linkedAt: $0.linkedAt) }
        listeningSessions = d.listeningSessions.map {
            Session(id: $0.id, date: $0.heldOn, durationMinutes: $0.durationMinutes, modality: $0.modality.rawValue, note: $0.note,
                    recordedAt: $0.recordedAt, recordedBy: $0.recordedBy, adviceGiven: $0.adviceGiven, actionsAgreed: $0.actionsAgreed)
        }
        assessments = d.assessments.map {
            Assessment(id: $0.id, levelOfNeed: $0.level.rawValue, levelLabel: levels.label($0.level, in: d.councilArea), needs: $0.needs.map(\.rawValue), note: $0.note,
                       assessedAt: $0.assessedAt, assessedBy: $0.assessedBy, adviceGiven: $0.adviceGiven, actionsAgreed: $0.actionsAgreed,
                       reason: $0.reason)
        }
        signposts = d.signposts.map {
            Signpost(id: $0.id, service: $0.serviceID, need: $0.need.rawValue, outcome: $0.outcome.rawValue, kind: $0.kind.rawValue,
                     note: $0.note, createdAt: $0.createdAt, outcomeAt: $0.outcomeAt, adviceGiven: $0.adviceGiven,
                     actionsAgreed: $0.actionsAgreed, reason: $0.reason)
        }
        safeguarding = d.safeguarding.map {
            Escalation(id: $0.id, route: $0.route.rawValue, note: $0.note, escalatedAt: $0.escalatedAt, escalatedBy: $0.escalatedBy,
                       routes: $0.routes.map(\.rawValue), date: $0.referredOn, areaReferredTo: $0.areaReferredTo,
                       parentsInformed: $0.parentsInformed, parentsNotInformedReason: $0.parentsNotInformedReason?.rawValue,
                       outcome: $0.outcome.rawValue, outcomeAt: $0.outcomeAt, reReferralOf: $0.reReferralOf)
        }
        messages = d.messages.map { Message(id: $0.id, from: $0.sender, body: $0.body, at: $0.sentAt) }
        meetings = d.meetings.map {
            Meeting(id: $0.id, party: $0.party.rawValue, status: $0.status.rawValue, note: $0.note, requestedAt: $0.requestedAt,
                    requestedBy: $0.requestedBy, statusAt: $0.statusAt, heldOn: $0.heldOn, helped: $0.helped, familyWords: $0.familyWords)
        }
        events = d.events.map(EventJSON.init)
        evidentialHoldSince = d.evidentialHoldSince
        closureSummary = d.closureSummary
        considerSafeguarding = CasePageModel.considersSafeguarding(d, levels: levels)
        followUps = d.followUps.map(FollowUpJSON.init)
        appointments = d.appointments.map(AppointmentJSON.init)
        duplicateOfReference = d.duplicateOfReference
        closedAsDuplicateOf = d.closedAsDuplicateOf.map { DuplicateTargetJSON(id: $0.id, reference: $0.reference) }
        var seen = Set<String>()
        allowedActions = CaseLifecycle.allowedActions(at: d.stage).map(\.name).filter { seen.insert($0).inserted }
    }
}

/// A follow-up in the case's JSON, every key present (null when absent).
struct FollowUpJSON: Encodable {
    let view: FollowUpView
    init(_ view: FollowUpView) { self.view = view }

    enum CodingKeys: String, CodingKey { case id, dueOn, note, createdAt, createdBy, doneAt, doneBy }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(view.id, forKey: .id)
        try c.encode(view.dueOn, forKey: .dueOn)
        try c.encode(view.note, forKey: .note)
        try c.encode(view.createdAt, forKey: .createdAt)
        try c.encode(view.createdBy, forKey: .createdBy)
        try c.encode(view.doneAt, forKey: .doneAt)
        try c.encode(view.doneBy, forKey: .doneBy)
    }
}

/// An appointment in the case's JSON: UTC instants, every key present (null when absent).
struct AppointmentJSON: Encodable {
    let view: AppointmentView
    init(_ view: AppointmentView) { self.view = view }

    enum CodingKeys: String, CodingKey { case id, startsAt, endsAt, durationMinutes, modality, status, practitioner, note, listeningSessionId }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(view.id, forKey: .id)
        try c.encode(view.startsAt, forKey: .startsAt)
        try c.encode(view.endsAt, forKey: .endsAt)
        try c.encode(view.durationMinutes, forKey: .durationMinutes)
        try c.encode(view.modality.rawValue, forKey: .modality)
        try c.encode(view.status.rawValue, forKey: .status)
        try c.encode(view.practitioner, forKey: .practitioner)
        try c.encode(view.note, forKey: .note)
        try c.encode(view.listeningSessionID, forKey: .listeningSessionId)
    }
}
