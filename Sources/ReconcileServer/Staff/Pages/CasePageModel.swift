import Foundation
import ReconcileCore
import ReconcileStore

/// What the case page shows: the referral, the record so far, and a form for each step the lifecycle allows
/// next (only those steps; the store refuses any other all the same).
struct CasePageModel: PageModel {
    let title: String
    let id, caseId: CaseID
    let reference, stage: String
    let closeReason: String?
    let area, received, assignedTo: String
    let overdue: Bool
    let duplicateOf: CaseID?
    /// The earlier case's reference, shown as a link to it (only ever set when the reader may open it).
    var duplicateOfReference: String? = nil
    /// A lead may close this case as a duplicate of another (any open stage); once closed so, the case it went into
    /// (reference and link only for a reader who may open that case; otherwise `duplicateElsewhere`).
    var canCloseAsDuplicate = false
    var closedAsDuplicateOf: Linked? = nil
    var duplicateElsewhere = false
    let contact: Contact
    let story: String?
    let facts: [Fact]
    let sessions: [Session]
    let assessments: [Assessment]
    let signposts: [Signpost]
    let safeguarding: [Escalation]
    let messages: [Message]
    let events: [Event]
    let canAssign, canAcknowledge, canListen, canAssess, canSignpost, canSafeguard, canMessage: Bool
    let close: Closing?
    let hasSteps: Bool
    /// Follow-ups (set at any open stage; the lifecycle says when).
    var followUps: [FollowUp] = []
    var canFollowUp = false
    /// Who a lead can assign the case to: enabled practitioners and leads, each with their open caseload.
    var assignees: [Choice] = []
    let done: String?
    let today: String
    let ackMethods, modalities, routes, levels, needs, services, signpostKinds: [Choice]
    let notInformedReasons, referralAreas, firstReferrals: [Choice]
    let hasEarlierReferrals: Bool
    let listenBoxes, assessBoxes, signpostBoxes: [PracticeBox]
    let closeNoteRequired, closeSummaryRequired: Bool
    let closureSummary: String?
    /// Leads place and lift evidential holds; `heldSince` is set while one stands.
    let canHold: Bool
    let heldSince: String?
    /// A lead may reopen a closed case (at the stage it closed from).
    let canReopen: Bool
    /// Shown when the latest assessment reaches the area's statutory level and no escalation is recorded.
    let safeguardingPrompt: String?
    /// What the family said would help them take part, one line each; shown first, before anyone makes contact.
    let accessNeeds: [String]
    let hasAccessNeeds: Bool
    /// The child is under 13: they cannot consent alone, which shapes who is contacted and how.
    let underThirteen: Bool
    /// Linked cases (about the same incident): a reference when the reader may open it, else that one exists.
    struct Linked: Sendable, Encodable { let id: CaseID?; let reference: String? }
    let linked: [Linked]
    let hasLinked: Bool
    let canLink: Bool
    /// The coded experience themes, ticked as tagged; offered while the case is not erased (any stage).
    struct Theme: Sendable, Encodable { let value, label, id: String; let checked: Bool }
    let themes: [Theme]
    /// What the family said in the portal: their feedback scores and comment, their complaints or compliments.
    var feedback: FamilyFeedbackShown? = nil
    var complaints: [FamilyFeedbackShown.Complaint] = []
    var hasComplaints = false
    /// Meetings the family asked for, and the form to record one (any stage but closed).
    var meetings: [MeetingShown] = []
    /// Appointments (planned, moved, held, cancelled) and the form to plan one (any stage but closed).
    var appointments: [AppointmentShown] = []
    var hasAppointments = false
    var canPlan = false
    var appointmentPractitioners: [Choice] = []
    var appointmentDurations: [Choice] = []
    var diaryToday = "/staff/diary"
    var canMeet = false
    var meetingParties: [Choice] = []
    /// The family's own words for the council, if they wrote some (with them, the practitioner may write or change them).
    var voice: VoiceShown? = nil

    init(_ d: CaseDetail, staff: StaffAccount, directory: ServiceDirectory, recording: RecordingPolicy, levels: LevelLabels = LevelLabels(),
         councilAreas: [String] = [], themes themeLabels: ThemeLabels = ThemeLabels(), done: String?, now: Date = Date()) {
        let allowed = CaseLifecycle.allowedActions(at: d.stage)
        let c = d.referral.contact
        let fmt = StaffPageKit.dateTime
        let words = StaffPageKit.words
        func label<T: FixedList>(_ list: [(T, String)], _ code: String) -> String { StaffPageKit.label(list, code) }
        func options<T: FixedList>(_: T.Type) -> [Choice] { T.allCases.map { Choice(value: $0.rawValue, label: words($0.rawValue)) } }

        title = "Case \(d.reference)"
        (id, caseId, reference, stage) = (d.id, d.id, d.reference, CasePagesController.stageLabel(d.stage))
        closeReason = d.closeReason.map { words($0.rawValue) }
        area = IntakeQuestions.areaLabel(d.councilArea)
        received = d.receivedAt.formatted(fmt)
        assignedTo = d.assignedTo ?? "Nobody yet"
        overdue = d.overdue
        duplicateOf = d.duplicateOf
        contact = Contact(name: c.name, email: c.email, phone: c.phone, address: c.address,
                          preference: label(IntakeQuestions.preference, c.preference.rawValue),
                          safeToLeaveMessage: c.safeToLeaveMessage ? "Yes" : "No", safeTimes: c.safeTimes)
        story = d.referral.story
        var facts = [
            Fact(label: "Who referred", value: label(IntakeQuestions.referrerRole, d.referrerRole.rawValue)),
            Fact(label: "Where it happened", value: label(IntakeQuestions.setting, d.setting.rawValue)),
            Fact(label: "Kind of harm", value: d.harm.map { label(IntakeQuestions.harm, $0.rawValue) }.joined(separator: "; ")),
            Fact(label: "How long ago", value: label(IntakeQuestions.when, d.whenAgo.rawValue)),
            Fact(label: "Told before", value: d.toldBefore.map { label(IntakeQuestions.toldBefore, $0.rawValue) }.joined(separator: "; ")),
            Fact(label: "What they would like", value: d.wishes.map { label(IntakeQuestions.wishes, $0.rawValue) }.joined(separator: "; ")),
            Fact(label: "Agreed to anonymous statistics", value: d.consentStatistics ? "Yes" : "No"),
        ]
        let intake = d.intake
        func answered<T: FixedList>(_ question: String, _ list: [(T, String)], _ value: T?) -> Fact {
            Fact(label: question, value: value.map { label(list, $0.rawValue) } ?? "Not recorded")
        }
        facts.insert(contentsOf: [
            answered("The child's part", IntakeQuestions.involvement, intake.involvement),
            answered("The child's age now", IntakeQuestions.ageBand, intake.ageBand),
        ] + (d.referrerRole == .youngPerson ? [answered("A parent or carer knows", IntakeQuestions.parentKnows, intake.parentKnows)] : []),
        at: 1)
        facts += [
            Fact(label: "What it was like", value: intake.pattern.isEmpty ? "Not said"
                 : intake.pattern.map { label(IntakeQuestions.pattern, $0.rawValue) }.joined(separator: "; ")),
            answered("Heard of the service from", IntakeQuestions.heardFrom, intake.heardFrom),
            Fact(label: "Language the family used", value: intake.language.map(Self.languageName) ?? "Not recorded"),
            Fact(label: "How the referral came", value: intake.channel == .web ? "The web form"
                 : label(IntakeQuestions.channel, intake.channel.rawValue) + (intake.enteredBy.map { ", entered by \($0)" } ?? "")),
            answered("The child's sex (equality question)", IntakeQuestions.childSex, intake.childSex),
            answered("Special educational needs or disability", IntakeQuestions.specialNeeds, intake.specialNeeds),
        ]
        var helps: [String] = []
        if let a = intake.accessNeeds {
            if let language = a.language { helps.append("Language: \(language)") }
            if a.interpreter { helps.append("An interpreter") }
            if a.bsl { helps.append("A British Sign Language interpreter") }
            if a.easyRead { helps.append("Easy read information") }
            if a.largePrint { helps.append("Large print") }
            if let supporter = a.supporter { helps.append("Would like with them: \(supporter)") }
            if let other = a.other { helps.append("Also: \(other)") }
        }
        accessNeeds = helps
        hasAccessNeeds = !helps.isEmpty
        underThirteen = intake.ageBand == .under13
        self.facts = facts
        linked = d.linkedCases.map { Linked(id: $0.id, reference: $0.reference) }
        hasLinked = !linked.isEmpty
        canLink = staff.role == .lead
        themes = ExperienceTheme.allCases.map {
            Theme(value: $0.rawValue, label: themeLabels.label($0), id: "theme-\($0.rawValue)", checked: d.experienceThemes.contains($0))
        }
        sessions = d.listeningSessions.map {
            Session(date: $0.heldOn, minutes: $0.durationMinutes, modality: words($0.modality.rawValue), note: $0.note,
                    practice: Practice(adviceGiven: $0.adviceGiven, actionsAgreed: $0.actionsAgreed, reason: nil))
        }
        assessments = d.assessments.map {
            Assessment(level: "\($0.level.rawValue) - \(levels.label($0.level, in: d.councilArea))", needs: $0.needs.map { words($0.rawValue) }.joined(separator: "; "),
                       note: $0.note, at: $0.assessedAt.formatted(fmt),
                       practice: Practice(adviceGiven: $0.adviceGiven, actionsAgreed: $0.actionsAgreed, reason: $0.reason))
        }
        signposts = d.signposts.map { s in
            Signpost(id: s.id, service: directory.service(id: s.serviceID)?.name ?? s.serviceID, need: words(s.need.rawValue),
                     outcome: words(s.outcome.rawValue), kind: Self.kindWords[s.kind] ?? words(s.kind.rawValue), note: s.note,
                     practice: Practice(adviceGiven: s.adviceGiven, actionsAgreed: s.actionsAgreed, reason: s.reason),
                     canOutcome: allowed.contains(.recordSignpostOutcome),
                     outcomes: SignpostOutcome.allCases.map { Choice(value: $0.rawValue, label: words($0.rawValue), selected: $0 == s.outcome) })
        }
        safeguarding = d.safeguarding.map { e in
            let parents: String? = switch e.parentsInformed {
            case true?: "Parents told"
            case false?: "Parents not told: " + words(e.parentsNotInformedReason?.rawValue ?? "other")
            case nil: nil
            }
            return Escalation(id: e.id, routes: e.routes.map { Self.routeWords[$0] ?? words($0.rawValue) }.joined(separator: ", "),
                              at: e.escalatedAt.formatted(fmt), outcome: words(e.outcome.rawValue), date: e.referredOn,
                              area: e.areaReferredTo.map { $0 == "other" ? "another area" : IntakeQuestions.areaLabel($0) },
                              parents: parents, note: e.note, reReferral: e.reReferralOf != nil,
                              outcomes: SafeguardingOutcome.allCases.map { Choice(value: $0.rawValue, label: words($0.rawValue), selected: $0 == e.outcome) })
        }
        messages = d.messages.map {
            Message(fromFamily: $0.sender == "family", from: $0.sender == "family" ? "The family" : "The partner", body: $0.body,
                    at: $0.sentAt.formatted(fmt))
        }
        events = d.events.reversed().map { e in
            Event(at: e.at.formatted(fmt), action: Self.eventWords(e),
                  change: e.fromStage == e.toStage ? "" : "\(CasePagesController.stageLabel(e.fromStage)) to \(CasePagesController.stageLabel(e.toStage))",
                  by: Self.actorWords(e.actor), note: e.note)
        }
        canAssign = staff.role == .lead && d.stage != .closed
        canAcknowledge = allowed.contains(.acknowledge)
        canListen = allowed.contains(.recordListeningSession)
        canAssess = allowed.contains(.recordAssessment)
        canSignpost = allowed.contains(.addSignpost)
        canSafeguard = allowed.contains(.recordSafeguarding)
        canMessage = allowed.contains(.sendMessage)
        let reasons = allowed.compactMap { action -> CloseReason? in if case .close(let r) = action { r } else { nil } }
        close = reasons.isEmpty ? nil : Closing(reasons: reasons.map { Choice(value: $0.rawValue, label: words($0.rawValue)) })
        canReopen = staff.role == .lead && allowed.contains { if case .reopen = $0 { true } else { false } }
        hasSteps = canAcknowledge || canListen || canAssess || canSignpost || close != nil || canReopen
        self.done = done
        today = now.formatted(.iso8601.year().month().day().dateSeparator(.dash))
        ackMethods = options(AcknowledgementMethod.self)
        modalities = options(ListeningModality.self)
        routes = SafeguardingRoute.allCases.map { Choice(value: $0.rawValue, label: Self.routeWords[$0] ?? $0.rawValue) }
        notInformedReasons = options(ParentsNotInformedReason.self)
        referralAreas = ((councilAreas.isEmpty ? [d.councilArea] : councilAreas) + ["other"]).map {
            Choice(value: $0, label: $0 == "other" ? "Another area" : IntakeQuestions.areaLabel($0), selected: $0 == d.councilArea)
        }
        hasEarlierReferrals = !d.safeguarding.isEmpty
        firstReferrals = d.safeguarding.map { Choice(value: $0.id, label: "\($0.escalatedAt.formatted(fmt)): \($0.routes.map { Self.routeWords[$0] ?? $0.rawValue }.joined(separator: ", "))") }
        self.levels = LevelOfNeed.allCases.map { Choice(value: "\($0.rawValue)", label: "\($0.rawValue) - \(levels.label($0, in: d.councilArea))") }
        safeguardingPrompt = d.assessments.last.flatMap { latest in
            Self.considersSafeguarding(d, levels: levels)
                ? "Assessed at level \(latest.level.rawValue) (\(levels.label(latest.level, in: d.councilArea))) "
                    + "in \(IntakeQuestions.areaLabel(d.councilArea))'s thresholds, and no safeguarding escalation is recorded. "
                    + "Consider whether to make one (children's social care, the police, the LADO or early help)." : nil
        }
        needs = Need.allCases.map { Choice(value: $0.rawValue, label: words($0.rawValue), id: "need-\($0.rawValue)") }
        services = directory.services.filter { $0.areas.contains(d.councilArea) || $0.areas.contains("national") }
            .map { Choice(value: $0.id, label: $0.name) }
        signpostKinds = SignpostKind.allCases.map { Choice(value: $0.rawValue, label: Self.kindWords[$0] ?? $0.rawValue, selected: $0 == .informationGiven) }
        func boxes(_ step: RecordingPolicy.Step, _ prefix: String) -> [PracticeBox] {
            Self.practiceLabels.compactMap { name, label in
                RecordingPolicy.fields[step]?.contains(name) == true
                    ? PracticeBox(id: "\(prefix)-\(name)", name: name, label: label, required: recording.requires(name, on: step)) : nil
            }
        }
        listenBoxes = boxes(.listeningSession, "ls")
        assessBoxes = boxes(.assessment, "as")
        signpostBoxes = boxes(.signpost, "sp")
        closeNoteRequired = recording.requires("note", on: .close)
        closeSummaryRequired = recording.requires("summary", on: .close)
        closureSummary = d.closureSummary
        canHold = staff.role == .lead
        heldSince = d.evidentialHoldSince?.formatted(fmt)
        feedback = d.feedback.map { FamilyFeedbackShown($0, at: fmt) }
        complaints = d.complaints.map(FamilyFeedbackShown.Complaint.init)
        hasComplaints = !complaints.isEmpty
        canMeet = d.stage != .closed
        meetings = d.meetings.map { MeetingShown($0, open: canMeet, at: fmt) }
        meetingParties = MeetingParty.allCases.map { Choice(value: $0.rawValue, label: words($0.rawValue)) }
    }

    /// The latest assessment is at or above the area's prompting level and no escalation has been recorded.
    /// A family's language as staff read it (the switch names each in its own language; staff read English).
    static func languageName(_ language: FamilyLanguage) -> String {
        switch language {
        case .english: "English"
        case .easyRead: "Easy read English"
        case .polish: "Polish"
        }
    }

    static func considersSafeguarding(_ d: CaseDetail, levels: LevelLabels) -> Bool {
        guard let latest = d.assessments.last else { return false }
        return levels.promptsSafeguarding(latest.level) && d.safeguarding.isEmpty
    }

    static let routeWords: [SafeguardingRoute: String] = [
        .socialCare: "Children's social care", .police: "The police", .lado: "The LADO (allegation against someone who works with children)",
        .earlyHelp: "Early help",
    ]

    static let kindWords: [SignpostKind: String] = [
        .informationGiven: "Information given to the family", .referralMadeWithConsent: "Referral made with the family's consent",
    ]
    /// In the order the boxes appear on a form.
    static let practiceLabels: [(name: String, label: String)] = [
        ("advice_given", "Advice given"), ("actions_agreed", "Actions agreed"), ("reason", "Reason for this decision"),
    ]
}
