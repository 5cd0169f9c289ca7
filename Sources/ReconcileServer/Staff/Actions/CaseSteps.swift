import Foundation
import ReconcileCore
import ReconcileStore

// The input of each case step. Rules the store also enforces inside its transaction (a past date, a note's
// length, a service meeting the need) stay there, so nothing written around these types can skip them.

struct AssignStep: CaseStep {
    static let name = "assign"
    static let route = StepRoute("assign")
    static let done = "The case has been assigned."
    static let fields: Set<String> = ["practitioner"]
    static let roles: Set<StaffRole> = [.lead]
    let practitionerEmail: String

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        practitionerEmail = try f.requiredText("practitioner").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.assign(caseID: t.caseID, toPractitionerEmail: practitionerEmail, by: staff.actor)
    }
}

struct AcknowledgementStep: CaseStep {
    static let name = "acknowledge"
    static let route = StepRoute("acknowledge")
    static let done = "Acknowledgement recorded."
    static let fields: Set<String> = ["method", "note"]
    let method: AcknowledgementMethod
    let note: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        method = try f.one("method", AcknowledgementMethod.self)
        note = try f.text("note")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.acknowledge(caseID: t.caseID, method: method, note: note, by: staff.actor)
    }
}

struct ListeningSessionStep: CaseStep {
    static let name = "listening_session"
    static let route = StepRoute("listening-sessions")
    static let done = "Listening session recorded."
    static let fields: Set<String> = ["date", "duration_minutes", "modality", "note", "advice_given", "actions_agreed"]
    let heldOn: String
    let durationMinutes: Int
    let modality: ListeningModality
    let note: String?
    let practice: PracticeRecord

    init(reading f: some ActionFields, on _: CaseTarget, rules: StepRules) throws {
        heldOn = try f.requiredText("date").trimmingCharacters(in: .whitespaces)
        durationMinutes = try f.wholeNumber("duration_minutes")
        modality = try f.one("modality", ListeningModality.self)
        note = try f.text("note")
        practice = try rules.practice(f, for: .listeningSession)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.recordListeningSession(caseID: t.caseID, heldOn: heldOn, durationMinutes: durationMinutes,
                                                    modality: modality, note: note, practice: practice, by: staff.actor)
    }
}

struct AssessmentStep: CaseStep {
    static let name = "assessment"
    static let route = StepRoute("assessment")
    static let done = "Assessment recorded."
    static let fields: Set<String> = ["level_of_need", "needs", "note", "advice_given", "actions_agreed", "reason"]
    let level: LevelOfNeed
    let needs: [Need]
    let note: String?
    let practice: PracticeRecord

    init(reading f: some ActionFields, on _: CaseTarget, rules: StepRules) throws {
        guard let level = LevelOfNeed(rawValue: try f.wholeNumber("level_of_need")) else {
            throw APIError.field("level_of_need", "out_of_range", "Use 1 (universal) to 4 (acute or specialist).")
        }
        self.level = level
        needs = try f.many("needs", Need.self)
        guard !needs.isEmpty else { throw APIError.field("needs", "required", "Choose at least one need.") }
        note = try f.text("note")
        practice = try rules.practice(f, for: .assessment)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.recordAssessment(caseID: t.caseID, level: level, needs: needs, note: note, practice: practice,
                                              by: staff.actor)
    }
}

struct SignpostStep: CaseStep {
    static let name = "signpost"
    static let route = StepRoute("signposts")
    static let done = "Signpost added."
    static let fields: Set<String> = ["service", "need", "note", "kind", "advice_given", "actions_agreed", "reason"]
    let service: Service
    let need: Need
    let note: String?
    /// Absent: information given (as every signpost was before kinds existed).
    let kind: SignpostKind
    let practice: PracticeRecord

    init(reading f: some ActionFields, on _: CaseTarget, rules: StepRules) throws {
        guard let service = rules.directory.service(id: try f.requiredText("service")) else {
            throw APIError.field("service", "unknown_value", "Choose a service from the directory (GET /api/v1/services).")
        }
        self.service = service
        need = try f.one("need", Need.self)
        note = try f.text("note")
        kind = try f.text("kind") == nil ? .informationGiven : try f.one("kind", SignpostKind.self)
        practice = try rules.practice(f, for: .signpost)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.addSignpost(caseID: t.caseID, service: service, need: need, note: note, kind: kind, practice: practice,
                                         by: staff.actor)
    }
}

struct SignpostOutcomeStep: CaseStep {
    static let name = "signpost_outcome"
    static let route = StepRoute(.patch, "signposts/:sid", page: "signposts/:sid/outcome")
    static let done = "Signpost outcome recorded."
    static let fields: Set<String> = ["outcome"]
    let signpostID: String
    let outcome: SignpostOutcome

    init(reading f: some ActionFields, on t: CaseTarget, rules _: StepRules) throws {
        guard let sid = t.signpostID, CaseTarget.isID(sid) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such signpost on this case.")
        }
        signpostID = sid
        outcome = try f.one("outcome", SignpostOutcome.self)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.recordSignpostOutcome(caseID: t.caseID, signpostID: signpostID, outcome: outcome, by: staff.actor)
    }
}

/// A safeguarding referral in full: `routes` (one or more), `parents_informed` and, when false, why; the
/// `date` (default today), `area_referred_to` (default the case's area), an `outcome` (default pending), a
/// `re_referral_of` link and a note.
struct SafeguardingStep: CaseStep {
    static let name = "safeguarding"
    static let route = StepRoute("safeguarding")
    static let done = "Safeguarding escalation recorded."
    static let fields: Set<String> = ["routes", "date", "area_referred_to", "parents_informed", "parents_not_informed_reason",
                                      "outcome", "re_referral_of", "note"]
    let referral: SafeguardingReferral
    let note: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules: StepRules) throws {
        let routes = try f.many("routes", SafeguardingRoute.self)
        guard !routes.isEmpty else { throw APIError.field("routes", "required", "Choose at least one route.") }
        let informed = try f.flag("parents_informed")
        let reason = informed ? nil : try f.one("parents_not_informed_reason", ParentsNotInformedReason.self)
        let area = try f.text("area_referred_to")?.trimmingCharacters(in: .whitespaces)
        if let area, !(rules.councilAreas + ["other"]).contains(area) {
            throw APIError.field("area_referred_to", "unknown_value", "Use a council area of the service, or other.")
        }
        let outcome = try f.text("outcome") == nil ? SafeguardingOutcome.pending : try f.one("outcome", SafeguardingOutcome.self)
        let first = try f.text("re_referral_of")
        if let first, !CaseTarget.isID(first) { throw APIError.field("re_referral_of", "unknown_value", "Name an earlier safeguarding referral of this case.") }
        referral = SafeguardingReferral(routes: routes, referredOn: try f.text("date")?.trimmingCharacters(in: .whitespaces),
                                        areaReferredTo: area, parentsInformed: informed, parentsNotInformedReason: reason,
                                        outcome: outcome, reReferralOf: first)
        note = try f.text("note")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.recordSafeguarding(caseID: t.caseID, referral: referral, note: note, by: staff.actor)
    }
}

/// What came of a safeguarding referral, recorded later (`PATCH .../safeguarding/{eid}`).
struct SafeguardingOutcomeStep: CaseStep {
    static let name = "safeguarding_outcome"
    static let route = StepRoute(.patch, "safeguarding/:eid", page: "safeguarding/:eid/outcome")
    static let done = "Safeguarding outcome recorded."
    static let fields: Set<String> = ["outcome"]
    let escalationID: String
    let outcome: SafeguardingOutcome

    init(reading f: some ActionFields, on t: CaseTarget, rules _: StepRules) throws {
        guard let eid = t.escalationID, CaseTarget.isID(eid) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such safeguarding referral on this case.")
        }
        escalationID = eid
        outcome = try f.one("outcome", SafeguardingOutcome.self)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.recordSafeguardingOutcome(caseID: t.caseID, escalationID: escalationID, outcome: outcome, by: staff.actor)
    }
}

struct MessageStep: CaseStep {
    static let name = "message"
    static let route = StepRoute("messages")
    static let done = "Message sent to the family."
    static let fields: Set<String> = ["body"]
    let body: String

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        body = try f.requiredText("body")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.sendMessage(caseID: t.caseID, body: body, by: staff.actor)
    }
}

struct CloseStep: CaseStep {
    static let name = "close"
    static let route = StepRoute("close")
    static let done = "The case has been closed."
    static let fields: Set<String> = ["reason", "note", "summary"]
    let reason: CloseReason
    let note: String?
    /// For the family: what was talked about, where they were signposted (the portal adds how to come back).
    let summary: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules: StepRules) throws {
        reason = try f.one("reason", CloseReason.self)   // always required: the lifecycle needs it
        note = try f.text("note", required: rules.recording.requires("note", on: .close))
        summary = try f.text("summary", required: rules.recording.requires("summary", on: .close))
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.close(caseID: t.caseID, reason: reason, note: note, summary: summary, by: staff.actor)
    }
}

/// A lead places or lifts an evidential hold (`hold`, and a `reason` when placing it): retention and erasure
/// wait while it stands. Not a lifecycle step: allowed at every stage, it never moves the case.
struct EvidentialHoldStep: CaseStep {
    static let name = "evidential_hold"
    static let route = StepRoute("evidential-hold")
    static let done = "The evidential hold has been changed."
    static let fields: Set<String> = ["hold", "reason"]
    static let roles: Set<StaffRole> = [.lead]
    let hold: Bool
    let reason: String?

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        hold = try f.flag("hold")
        reason = try f.text("reason", required: hold)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.retention.setEvidentialHold(caseID: t.caseID, on: hold, reason: reason, by: staff.actor)
    }
}

/// A lead reopens a closed case, with a `reason`, at the stage it closed from.
struct ReopenStep: CaseStep {
    static let name = "reopen"
    static let route = StepRoute("reopen")
    static let done = "The case has been reopened where it left off."
    static let fields: Set<String> = ["reason"]
    static let roles: Set<StaffRole> = [.lead]
    let reason: String

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        reason = try f.requiredText("reason")
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.reopen(caseID: t.caseID, reason: reason, by: staff.actor)
    }
}

/// The practitioner sets the case's coded experience themes (`themes`, any of the fixed list; none clears them).
struct ThemesStep: CaseStep {
    static let name = "themes"
    static let route = StepRoute("themes")
    static let done = "The themes have been saved."
    static let fields: Set<String> = ["themes"]
    let themes: [ExperienceTheme]

    init(reading f: some ActionFields, on _: CaseTarget, rules _: StepRules) throws {
        themes = try f.many("themes", ExperienceTheme.self)
    }

    func perform(on t: CaseTarget, by staff: StaffAccount, in s: CaseActions) async throws -> CaseChange {
        try await s.stores.cases.setExperienceThemes(caseID: t.caseID, themes: themes, by: staff.actor)
    }
}
