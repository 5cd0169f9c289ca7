import Foundation
import GRDB
import ReconcileCore

// The staff case steps, each one write transaction: check the case may be worked, change it, record the event and
// the audit row (the shared steps are in CaseSteps).
extension AppDatabase {
    /// The listening session itself, inside the caller's transaction, for this step and for an appointment recorded
    /// as held alike: one rule for the stage, the date, the duration and the sealing.
    static func insertListeningSession(_ db: Database, _ current: WorkableCase, heldOn: String, durationMinutes: Int,
                                       modality: ListeningModality, note: String?, practice: PracticeRecord, by actor: StaffActor,
                                       keys: KeyRing, at now: Date, detail extra: String? = nil) throws -> CaseChange {
        let next = try CaseLifecycle.stage(after: .recordListeningSession, from: current.stage)
        guard Self.isPastOrPresentDate(heldOn, now: now) else { throw WorkflowError.invalidDate }
        guard CaseWorkflowLimits.durationMinutes.contains(durationMinutes) else { throw WorkflowError.invalidDuration }
        let note = try Self.cleanNote(note)
        let id = Self.newID()
        let cipher = try Self.caseCipher(db, caseID: current.id, keys: keys)
        let sealed = try practice.sealed(cipher, table: ListeningSessionRecord.databaseTableName, id: id)
        try ListeningSessionRecord(
            id: id, caseId: current.id, heldOn: heldOn, durationMinutes: durationMinutes, modality: modality,
            recordedAt: now, recordedBy: actor.id,
            note: try cipher.sealIfPresent(note, field: WorkflowField.listeningNote(id)),
            adviceGiven: sealed.advice, actionsAgreed: sealed.actions
        ).insert(db)
        try Self.moveStage(db, caseID: current.id, from: current.stage, to: next)
        try Self.recordEvent(db, current, actor: actor, action: .recordListeningSession, to: next,
                             detail: ["session=\(id),modality=\(modality.rawValue),minutes=\(durationMinutes)", extra].compactMap { $0 }
                                .joined(separator: ","),
                             note: note, keys: keys, at: now)
        return CaseChange(stage: next, recordID: id)
    }
}

extension CaseStore {
    /// Assigns a case to a practitioner (or a lead). Lead only. Not a lifecycle step: allowed at every
    /// stage but `closed`; recorded as an event from and to the current stage.
    @discardableResult
    public func assign(caseID: CaseID, toPractitionerEmail: String, by actor: StaffActor,
                       now: Date = Date()) async throws -> CaseChange {
        let email = toPractitionerEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return try await writer.write { db in
            guard actor.role == .lead else { throw CaseAccessError.forbidden }
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            if current.stage == .closed {
                // `TransitionRefused` has no public initialiser, and assignment is not a `CaseAction`; the
                // lifecycle's own refusal for a closed case ("This case is already closed.") says the same
                // thing and maps to the same 409.
                _ = try CaseLifecycle.stage(after: .close(.withdrawn), from: .closed)
            }
            guard let target = try String.fetchOne(db, sql: """
                SELECT id FROM staff_account
                WHERE email = ? AND role IN ('practitioner', 'lead') AND disabled_at IS NULL
                """, arguments: [email]) else {
                throw WorkflowError.unknownPractitioner
            }
            if try AppDatabase.assignmentConflicts(db, caseID: caseID, assignee: target) { throw CaseLinkError.opposingSidesWithOneWorker }
            try db.execute(sql: "UPDATE referral_case SET assigned_to = ? WHERE id = ?", arguments: [target, caseID])
            // The event is the assignment history: who assigned (its actor), to whom, and from whom.
            try AppDatabase.recordEvent(db, current, actor: actor, action: .assign, to: current.stage,
                                 detail: ["to=\(target)", current.assignedTo.map { "from=\($0)" }].compactMap { $0 }.joined(separator: ","),
                                 note: nil, keys: keys, at: now)
            return CaseChange(stage: current.stage)
        }
    }

    /// Records first contact with the family. `received` → `acknowledged`.
    @discardableResult
    public func acknowledge(caseID: CaseID, method: AcknowledgementMethod, note: String?, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await caseStep(.acknowledge, caseID: caseID, by: actor, at: now) { db, _ in
            let note = try AppDatabase.cleanNote(note)
            try db.execute(sql: "UPDATE referral_case SET acknowledged_at = ? WHERE id = ?", arguments: [now, caseID])
            return StepRecord(detail: "method=\(method.rawValue)", note: note)
        }
    }

    /// Records one listening session; the first moves an acknowledged case to `listening`.
    @discardableResult
    public func recordListeningSession(caseID: CaseID, heldOn: String, durationMinutes: Int, modality: ListeningModality,
                                       note: String?, practice: PracticeRecord = .init(), by actor: StaffActor,
                                       now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            return try AppDatabase.insertListeningSession(db, current, heldOn: heldOn, durationMinutes: durationMinutes, modality: modality,
                                                   note: note, practice: practice, by: actor, keys: keys, at: now)
        }
    }

    /// Records a need assessment (a later one revises the earlier); the first moves the case to `assessed`.
    @discardableResult
    public func recordAssessment(caseID: CaseID, level: LevelOfNeed, needs: [Need], note: String?,
                                 practice: PracticeRecord = .init(), by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await caseStep(.recordAssessment, caseID: caseID, by: actor, at: now) { db, _ in
            var seen: Set<Need> = []
            let needs = needs.filter { seen.insert($0).inserted }
            guard !needs.isEmpty else { throw AssessmentInputError.noNeeds }
            let note = try AppDatabase.cleanNote(note)
            let id = AppDatabase.newID()
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let sealed = try practice.sealed(cipher, table: AssessmentRecord.databaseTableName, id: id)
            try AssessmentRecord(
                id: id, caseId: caseID, levelOfNeed: level, needs: needs, needsBits: Need.answerBits(needs), assessedAt: now,
                assessedBy: actor.id,
                note: try cipher.sealIfPresent(note, field: WorkflowField.assessmentNote(id)),
                adviceGiven: sealed.advice, actionsAgreed: sealed.actions, reason: sealed.reason
            ).insert(db)
            return StepRecord(detail: "assessment=\(id),level=\(level.rawValue),needs=\(needs.map(\.rawValue).joined(separator: "+"))",
                              note: note, recordID: id)
        }
    }

    /// Signposts the family to a directory service for one need; the first moves the case to `signposted`.
    @discardableResult
    public func addSignpost(caseID: CaseID, service: Service, need: Need, note: String?, kind: SignpostKind = .informationGiven,
                            practice: PracticeRecord = .init(), by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await caseStep(.addSignpost, caseID: caseID, by: actor, at: now) { db, _ in
            guard service.needs.contains(need) else { throw WorkflowError.serviceDoesNotMeetNeed }
            let note = try AppDatabase.cleanNote(note)
            let id = AppDatabase.newID()
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let sealed = try practice.sealed(cipher, table: SignpostRecord.databaseTableName, id: id)
            try SignpostRecord(
                id: id, caseId: caseID, serviceId: service.id, need: need, outcome: .pending, createdAt: now,
                createdBy: actor.id, outcomeAt: nil,
                note: try cipher.sealIfPresent(note, field: WorkflowField.signpostNote(id)),
                adviceGiven: sealed.advice, actionsAgreed: sealed.actions, reason: sealed.reason, kind: kind
            ).insert(db)
            return StepRecord(detail: "signpost=\(id),service=\(service.id),need=\(need.rawValue),kind=\(kind.rawValue)",
                              note: note, recordID: id)
        }
    }

    /// Records what came of a signpost (also after the case has closed). `pending` clears the outcome time.
    @discardableResult
    public func recordSignpostOutcome(caseID: CaseID, signpostID: String, outcome: SignpostOutcome, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await caseStep(.recordSignpostOutcome, caseID: caseID, by: actor, at: now) { db, _ in
            guard var signpost = try SignpostRecord
                .filter(SignpostRecord.Columns.id == signpostID && SignpostRecord.Columns.caseId == caseID)
                .fetchOne(db) else {
                throw WorkflowError.signpostNotFound
            }
            signpost.outcome = outcome
            signpost.outcomeAt = outcome == .pending ? nil : now
            try signpost.update(db, columns: ["outcome", "outcome_at"])
            return StepRecord(detail: "signpost=\(signpost.id),outcome=\(outcome.rawValue)")
        }
    }

    /// Records a safeguarding escalation by one route, the rest left as unknown (`SafeguardingReferrals.swift`
    /// records one in full). Allowed at every stage, closed included; never moves the case.
    @discardableResult
    public func recordSafeguarding(caseID: CaseID, route: SafeguardingRoute, note: String?, by actor: StaffActor, now: Date = Date()) async throws -> CaseChange {
        try await recordSafeguarding(caseID: caseID, referral: SafeguardingReferral(routes: [route]), note: note, by: actor, now: now)
    }

    /// Sends a message to the family (read in the portal). The body is sealed; the event carries only its id.
    @discardableResult
    public func sendMessage(caseID: CaseID, body: String, by actor: StaffActor,
                            now: Date = Date()) async throws -> CaseChange {
        try await caseStep(.sendMessage, caseID: caseID, by: actor, at: now) { db, _ in
            let body = try AppDatabase.cleanMessage(body)
            let id = AppDatabase.newID()
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            try CaseMessageRecord(
                id: id, caseId: caseID, sender: .partner, author: actor.id, sentAt: now,
                body: try cipher.seal(body, field: WorkflowField.messageBody(id)), readAt: nil
            ).insert(db)
            try AppDatabase.queueFamilyNotice(db, caseID: caseID, at: now)
            return StepRecord(detail: "message=\(id)", recordID: id)
        }
    }

    /// Closes a case with a reason. `completed` only after a listening session (see `CaseLifecycle`).
    @discardableResult
    /// `summary`: written for the family (what was talked about, where they were signposted), shown in their
    /// portal and export beside how to come back; sealed under the case key. A later closing replaces it.
    public func close(caseID: CaseID, reason: CloseReason, note: String?, summary: String? = nil, by actor: StaffActor,
                      now: Date = Date()) async throws -> CaseChange {
        try await caseStep(.close(reason), caseID: caseID, by: actor, at: now) { db, _ in
            let note = try AppDatabase.cleanNote(note)
            let summary = try AppDatabase.cleanText(summary, field: "summary")
            let sealed = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys).sealIfPresent(summary, field: WorkflowField.closureSummary(caseID))
            try db.execute(sql: "UPDATE referral_case SET close_reason = ?, closed_at = ?, closure_summary = ? WHERE id = ?",
                           arguments: [reason.rawValue, now, sealed, caseID])
            try AppDatabase.cancelLiveAppointments(db, caseID: caseID, by: actor.id, at: now)
            return StepRecord(detail: "reason=\(reason.rawValue)", note: note)
        }
    }
}
