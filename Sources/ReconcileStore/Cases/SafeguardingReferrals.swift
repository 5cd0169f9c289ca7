import Foundation
import GRDB
import ReconcileCore

/// A safeguarding referral as the guidance asks it recorded: every route taken (social care and the police
/// usually together; the LADO for an allegation against someone who works with children), where and when it
/// went, whether the parents were told and, if not, why; its outcome, and the first referral when this is a
/// re-referral. The note (sealed) travels separately.
public struct SafeguardingReferral: Sendable, Equatable {
    public var routes: [SafeguardingRoute]
    /// `YYYY-MM-DD`; nil means today (Europe/London).
    public var referredOn: String?
    /// A council area id, or "other"; nil means the case's own area.
    public var areaReferredTo: String?
    public var parentsInformed: Bool?
    public var parentsNotInformedReason: ParentsNotInformedReason?
    public var outcome: SafeguardingOutcome
    public var reReferralOf: String?

    public init(routes: [SafeguardingRoute], referredOn: String? = nil, areaReferredTo: String? = nil, parentsInformed: Bool? = nil,
                parentsNotInformedReason: ParentsNotInformedReason? = nil, outcome: SafeguardingOutcome = .pending,
                reReferralOf: String? = nil) {
        (self.routes, self.referredOn, self.areaReferredTo, self.parentsInformed) = (routes, referredOn, areaReferredTo, parentsInformed)
        (self.parentsNotInformedReason, self.outcome, self.reReferralOf) = (parentsNotInformedReason, outcome, reReferralOf)
    }
}

/// A safeguarding referral the rules refuse. Changes nothing.
public enum SafeguardingError: Error, Equatable {
    /// No route chosen.
    case noRoutes
    /// Parents not told, and no reason given.
    case reasonForNotInformingRequired
    /// `re_referral_of` names no escalation of this case.
    case firstReferralNotFound
    /// No escalation with that id on this case (an outcome for it).
    case escalationNotFound
}

extension CaseStore {
    /// Records a safeguarding referral with its routes, date, area, parents informed, outcome and link. Allowed
    /// at every stage, closed included; never moves the case.
    @discardableResult
    public func recordSafeguarding(caseID: CaseID, referral r: SafeguardingReferral, note: String?, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        guard !r.routes.isEmpty else { throw SafeguardingError.noRoutes }
        if r.parentsInformed == false, r.parentsNotInformedReason == nil { throw SafeguardingError.reasonForNotInformingRequired }
        if let date = r.referredOn, !AppDatabase.isPastOrPresentDate(date, now: now) { throw WorkflowError.invalidDate }
        return try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .recordSafeguarding, from: current.stage)
            let note = try AppDatabase.cleanNote(note)
            if let first = r.reReferralOf {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM safeguarding_escalation WHERE id = ? AND case_id = ?)",
                                        arguments: [first, caseID]) == true else { throw SafeguardingError.firstReferralNotFound }
            }
            let id = AppDatabase.newID()
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let routes = SafeguardingRoute.allCases.filter(r.routes.contains)   // list order, no repeats
            guard let firstRoute = routes.first else { throw SafeguardingError.noRoutes }
            try SafeguardingEscalationRecord(
                id: id, caseId: caseID, route: firstRoute, escalatedAt: now, escalatedBy: actor.id,
                note: try cipher.sealIfPresent(note, field: WorkflowField.safeguardingNote(id)),
                routesBits: SafeguardingRoute.answerBits(routes), referredOn: r.referredOn ?? WorkingDays.londonDate(now),
                areaReferredTo: r.areaReferredTo ?? (try String.fetchOne(db, sql: "SELECT council_area FROM referral_case WHERE id = ?", arguments: [caseID])),
                parentsInformed: r.parentsInformed, parentsNotInformedReason: r.parentsInformed == false ? r.parentsNotInformedReason : nil,
                outcome: r.outcome, outcomeAt: r.outcome == .pending ? nil : now, reReferralOf: r.reReferralOf
            ).insert(db)
            try AppDatabase.moveStage(db, caseID: caseID, from: current.stage, to: next)
            let detail = ["escalation=\(id)", "routes=\(routes.map(\.rawValue).joined(separator: "+"))", "outcome=\(r.outcome.rawValue)"]
                + (r.reReferralOf.map { ["re_referral_of=\($0)"] } ?? [])
            try AppDatabase.recordEvent(db, current, actor: actor, action: .recordSafeguarding, to: next, detail: detail.joined(separator: ","),
                                 note: note, keys: keys, at: now)
            return CaseChange(stage: next, recordID: id)
        }
    }

    /// Records what came of a safeguarding referral, later. Allowed at every stage; never moves the case.
    @discardableResult
    public func recordSafeguardingOutcome(caseID: CaseID, escalationID: String, outcome: SafeguardingOutcome, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await caseWork(caseID: caseID, by: actor, at: now) { db, _ in
            try db.execute(sql: "UPDATE safeguarding_escalation SET outcome = ?, outcome_at = ? WHERE id = ? AND case_id = ?",
                           arguments: [outcome.rawValue, outcome == .pending ? nil : now, escalationID, caseID])
            guard db.changesCount == 1 else { throw SafeguardingError.escalationNotFound }
            return CaseWork(event: .recordSafeguardingOutcome, detail: "escalation=\(escalationID),outcome=\(outcome.rawValue)")
        }
    }
}
