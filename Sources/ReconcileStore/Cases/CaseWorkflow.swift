import Foundation
import GRDB
import ReconcileCore

/// Why a member of staff may not touch a case. Carries nothing from the case.
public enum CaseAccessError: Error, Equatable {
    /// The role may never work cases (admin, council), or only a lead may do this (assign).
    case forbidden
    /// A practitioner, and the case is not assigned to them.
    case notAssigned
}

/// Bad input to a workflow write. Nothing is changed when one is thrown; messages name no values.
public enum WorkflowError: Error, Equatable {
    /// The assignee is not an enabled practitioner or lead account.
    case unknownPractitioner
    /// No signpost with that id on this case.
    case signpostNotFound
    /// The directory says the service does not meet the need named.
    case serviceDoesNotMeetNeed
    /// A listening session date that is not a real `YYYY-MM-DD` date, is in the future, or is before 2000.
    case invalidDate
    /// A listening session duration outside 1...600 minutes.
    case invalidDuration
    /// A note longer than `CaseWorkflowLimits.note` Unicode scalars (after trimming).
    case noteTooLong
    /// A note with control, invisible-format or bidirectional-override characters (`FreeText`).
    case noteInvalidCharacters
    /// A practice-record text (`advice_given`, `actions_agreed`, `reason`) over the note limit; names the field.
    case practiceTooLong(String)
    /// A practice-record text with characters a note may not carry; names the field.
    case practiceInvalidCharacters(String)
    /// An evidential hold placed, or a case reopened, without a reason.
    case reasonRequired
    /// A message that is empty after trimming.
    case messageEmpty
    /// A message longer than `CaseWorkflowLimits.message` Unicode scalars (after trimming).
    case messageTooLong
    /// A message with control, invisible-format or bidirectional-override characters (`FreeText`).
    case messageInvalidCharacters
    /// A case-list cursor that this service did not hand out.
    case invalidCursor
}

/// An assessment that names no need. Kept out of `WorkflowError` (whose cases the HTTP layer maps one by
/// one) because callers check it first; reaching it means a caller skipped that check. Changes nothing.
public enum AssessmentInputError: Error, Equatable {
    case noNeeds
}

/// Bounds on staff-written free text.
public enum CaseWorkflowLimits {
    public static let note = 10_000, message = 10_000
    public static let durationMinutes = 1...600
}

/// What a workflow write needs to know about the case it acts on, read inside its transaction.
struct WorkableCase {
    let id: String
    let stage: Stage
    let assignedTo: String?
}

/// What a case step changed, as the caller shows it: the stage the case is at now and, for a step that adds a
/// record (a session, an assessment, a signpost, an escalation, a message), that record's id. Returned from
/// inside the write, so the caller never reads the case again to learn it.
public struct CaseChange: Sendable, Equatable {
    public let stage: Stage
    public let recordID: String?

    public init(stage: Stage, recordID: String? = nil) {
        self.stage = stage
        self.recordID = recordID
    }
}

/// What a practitioner records of their practice at a step: the advice given, the actions agreed, and the
/// reason for a decision. Personal: each is sealed under the case key, bound to its row and column.
public struct PracticeRecord: Sendable, Equatable {
    public var adviceGiven: String?
    public var actionsAgreed: String?
    public var reason: String?

    public init(adviceGiven: String? = nil, actionsAgreed: String? = nil, reason: String? = nil) {
        (self.adviceGiven, self.actionsAgreed, self.reason) = (adviceGiven, actionsAgreed, reason)
    }

    /// Trimmed, length- and character-checked like a note; the sealed column values for `table`'s row `id`.
    func sealed(_ cipher: CaseCipher, table: String, id: String) throws -> (advice: Data?, actions: Data?, reason: Data?) {
        func seal(_ text: String?, _ column: String) throws -> Data? {
            try cipher.sealIfPresent(try AppDatabase.cleanText(text, field: column), field: WorkflowField.practice(table, column, id))
        }
        return (try seal(adviceGiven, "advice_given"), try seal(actionsAgreed, "actions_agreed"), try seal(reason, "reason"))
    }
}

extension AppDatabase {
    /// The practice-record columns of one row, opened (each bound to its table, column and row id).
    static func openPractice(_ cipher: CaseCipher, _ table: String, _ id: String, _ advice: Data?, _ actions: Data?,
                             _ reason: Data?) throws -> PracticeRecord {
        func open(_ data: Data?, _ column: String) throws -> String? {
            try cipher.openIfPresent(data, field: WorkflowField.practice(table, column, id))
        }
        return PracticeRecord(adviceGiven: try open(advice, "advice_given"), actionsAgreed: try open(actions, "actions_agreed"),
                              reason: try open(reason, "reason"))
    }

    // MARK: - Writes

    /// Assigns a case to a practitioner (or a lead). Lead only. Not a lifecycle step: allowed at every
    /// stage but `closed`; recorded as an event from and to the current stage.
    @discardableResult
    public func assign(caseID: String, toPractitionerEmail: String, by actor: StaffActor, keys: KeyRing,
                       now: Date = Date()) async throws -> CaseChange {
        let email = toPractitionerEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return try await writer.write { db in
            guard actor.role == .lead else { throw CaseAccessError.forbidden }
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
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
            if try Self.assignmentConflicts(db, caseID: caseID, assignee: target) { throw CaseLinkError.opposingSidesWithOneWorker }
            try db.execute(sql: "UPDATE referral_case SET assigned_to = ? WHERE id = ?", arguments: [target, caseID])
            // The event is the assignment history: who assigned (its actor), to whom, and from whom.
            try Self.recordEvent(db, current, actor: actor, audit: "case.assign", action: "assign", to: current.stage,
                                 detail: ["to=\(target)", current.assignedTo.map { "from=\($0)" }].compactMap { $0 }.joined(separator: ","),
                                 note: nil, keys: keys, at: now)
            return CaseChange(stage: current.stage)
        }
    }

    /// Records first contact with the family. `received` → `acknowledged`.
    @discardableResult
    public func acknowledge(caseID: String, method: AcknowledgementMethod, note: String?, by actor: StaffActor,
                            keys: KeyRing, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .acknowledge, from: current.stage)
            let note = try Self.cleanNote(note)
            try db.execute(sql: "UPDATE referral_case SET stage = ?, acknowledged_at = ? WHERE id = ?",
                           arguments: [next.rawValue, now, caseID])
            try Self.recordEvent(db, current, actor: actor, action: .acknowledge, to: next,
                                 detail: "method=\(method.rawValue)", note: note, keys: keys, at: now)
            return CaseChange(stage: next)
        }
    }

    /// Records one listening session; the first moves an acknowledged case to `listening`.
    @discardableResult
    public func recordListeningSession(caseID: String, heldOn: String, durationMinutes: Int, modality: ListeningModality,
                                       note: String?, practice: PracticeRecord = .init(), by actor: StaffActor, keys: KeyRing,
                                       now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            return try Self.insertListeningSession(db, current, heldOn: heldOn, durationMinutes: durationMinutes, modality: modality,
                                                   note: note, practice: practice, by: actor, keys: keys, at: now)
        }
    }

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

    /// Records a need assessment (a later one revises the earlier); the first moves the case to `assessed`.
    @discardableResult
    public func recordAssessment(caseID: String, level: LevelOfNeed, needs: [Need], note: String?,
                                 practice: PracticeRecord = .init(), by actor: StaffActor,
                                 keys: KeyRing, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .recordAssessment, from: current.stage)
            var seen: Set<Need> = []
            let needs = needs.filter { seen.insert($0).inserted }
            guard !needs.isEmpty else { throw AssessmentInputError.noNeeds }
            let note = try Self.cleanNote(note)
            let id = Self.newID()
            let cipher = try Self.caseCipher(db, caseID: caseID, keys: keys)
            let sealed = try practice.sealed(cipher, table: AssessmentRecord.databaseTableName, id: id)
            try AssessmentRecord(
                id: id, caseId: caseID, levelOfNeed: level, needs: needs, needsBits: Need.answerBits(needs), assessedAt: now,
                assessedBy: actor.id,
                note: try cipher.sealIfPresent(note, field: WorkflowField.assessmentNote(id)),
                adviceGiven: sealed.advice, actionsAgreed: sealed.actions, reason: sealed.reason
            ).insert(db)
            try Self.moveStage(db, caseID: caseID, from: current.stage, to: next)
            try Self.recordEvent(db, current, actor: actor, action: .recordAssessment, to: next,
                                 detail: "assessment=\(id),level=\(level.rawValue),needs=\(needs.map(\.rawValue).joined(separator: "+"))",
                                 note: note, keys: keys, at: now)
            return CaseChange(stage: next, recordID: id)
        }
    }

    /// Signposts the family to a directory service for one need; the first moves the case to `signposted`.
    @discardableResult
    public func addSignpost(caseID: String, service: Service, need: Need, note: String?, kind: SignpostKind = .informationGiven,
                            practice: PracticeRecord = .init(), by actor: StaffActor,
                            keys: KeyRing, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .addSignpost, from: current.stage)
            guard service.needs.contains(need) else { throw WorkflowError.serviceDoesNotMeetNeed }
            let note = try Self.cleanNote(note)
            let id = Self.newID()
            let cipher = try Self.caseCipher(db, caseID: caseID, keys: keys)
            let sealed = try practice.sealed(cipher, table: SignpostRecord.databaseTableName, id: id)
            try SignpostRecord(
                id: id, caseId: caseID, serviceId: service.id, need: need, outcome: .pending, createdAt: now,
                createdBy: actor.id, outcomeAt: nil,
                note: try cipher.sealIfPresent(note, field: WorkflowField.signpostNote(id)),
                adviceGiven: sealed.advice, actionsAgreed: sealed.actions, reason: sealed.reason, kind: kind
            ).insert(db)
            try Self.moveStage(db, caseID: caseID, from: current.stage, to: next)
            try Self.recordEvent(db, current, actor: actor, action: .addSignpost, to: next,
                                 detail: "signpost=\(id),service=\(service.id),need=\(need.rawValue),kind=\(kind.rawValue)",
                                 note: note, keys: keys, at: now)
            return CaseChange(stage: next, recordID: id)
        }
    }

    /// Records what came of a signpost (also after the case has closed). `pending` clears the outcome time.
    @discardableResult
    public func recordSignpostOutcome(caseID: String, signpostID: String, outcome: SignpostOutcome, by actor: StaffActor,
                                      keys: KeyRing, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .recordSignpostOutcome, from: current.stage)
            guard var signpost = try SignpostRecord
                .filter(SignpostRecord.Columns.id == signpostID && SignpostRecord.Columns.caseId == caseID)
                .fetchOne(db) else {
                throw WorkflowError.signpostNotFound
            }
            signpost.outcome = outcome
            signpost.outcomeAt = outcome == .pending ? nil : now
            try signpost.update(db, columns: ["outcome", "outcome_at"])
            try Self.moveStage(db, caseID: caseID, from: current.stage, to: next)
            try Self.recordEvent(db, current, actor: actor, action: .recordSignpostOutcome, to: next,
                                 detail: "signpost=\(signpost.id),outcome=\(outcome.rawValue)",
                                 note: nil, keys: keys, at: now)
            return CaseChange(stage: next)
        }
    }

    /// Records a safeguarding escalation by one route, the rest left as unknown (`SafeguardingReferrals.swift`
    /// records one in full). Allowed at every stage, closed included; never moves the case.
    @discardableResult
    public func recordSafeguarding(caseID: String, route: SafeguardingRoute, note: String?, by actor: StaffActor,
                                   keys: KeyRing, now: Date = Date()) async throws -> CaseChange {
        try await recordSafeguarding(caseID: caseID, referral: SafeguardingReferral(routes: [route]), note: note, by: actor, keys: keys, now: now)
    }

    /// Sends a message to the family (read in the portal). The body is sealed; the event carries only its id.
    @discardableResult
    public func sendMessage(caseID: String, body: String, by actor: StaffActor, keys: KeyRing,
                            now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .sendMessage, from: current.stage)
            let body = try Self.cleanMessage(body)
            let id = Self.newID()
            let cipher = try Self.caseCipher(db, caseID: caseID, keys: keys)
            try CaseMessageRecord(
                id: id, caseId: caseID, sender: .partner, author: actor.id, sentAt: now,
                body: try cipher.seal(body, field: WorkflowField.messageBody(id)), readAt: nil
            ).insert(db)
            try Self.moveStage(db, caseID: caseID, from: current.stage, to: next)
            try Self.recordEvent(db, current, actor: actor, action: .sendMessage, to: next,
                                 detail: "message=\(id)", note: nil, keys: keys, at: now)
            try Self.queueFamilyNotice(db, caseID: caseID, at: now)
            return CaseChange(stage: next, recordID: id)
        }
    }

    /// Closes a case with a reason. `completed` only after a listening session (see `CaseLifecycle`).
    @discardableResult
    /// `summary`: written for the family (what was talked about, where they were signposted), shown in their
    /// portal and export beside how to come back; sealed under the case key. A later closing replaces it.
    public func close(caseID: String, reason: CloseReason, note: String?, summary: String? = nil, by actor: StaffActor, keys: KeyRing,
                      now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: .close(reason), from: current.stage)
            let note = try Self.cleanNote(note)
            let summary = try Self.cleanText(summary, field: "summary")
            let sealed = try Self.caseCipher(db, caseID: caseID, keys: keys).sealIfPresent(summary, field: WorkflowField.closureSummary(caseID))
            try db.execute(sql: "UPDATE referral_case SET stage = ?, close_reason = ?, closed_at = ?, closure_summary = ? WHERE id = ?",
                           arguments: [next.rawValue, reason.rawValue, now, sealed, caseID])
            try Self.cancelLiveAppointments(db, caseID: caseID, by: actor.id, at: now)
            try Self.recordEvent(db, current, actor: actor, action: .close(reason), to: next,
                                 detail: "reason=\(reason.rawValue)", note: note, keys: keys, at: now)
            return CaseChange(stage: next)
        }
    }

    // MARK: - Shared steps (inside the caller's transaction)

    /// Reads the case and checks that `actor` may work it: `.forbidden` for roles that never work cases
    /// (checked first, so they cannot even learn whether a case id exists), then `caseNotFound` / `erased`,
    /// then `.notAssigned` for a practitioner whose case it is not.
    static func workableCase(_ db: Database, caseID: String, by actor: StaffActor) throws -> WorkableCase {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        guard let row = try Row.fetchOne(db, sql: "SELECT stage, assigned_to, erased_at FROM referral_case WHERE id = ?",
                                         arguments: [caseID]) else {
            throw StoreError.caseNotFound
        }
        if row.holdsValue("erased_at") { throw StoreError.erased }
        guard let stage = Stage(rawValue: (try row.value("stage", as: String?.self)) ?? "") else {
            throw StoreError.integrity("case \(caseID) has an unknown stage")
        }
        let assignedTo: String? = try row.value("assigned_to")
        guard actor.mayWork(caseAssignedTo: assignedTo) else {
            throw actor.role == .practitioner ? CaseAccessError.notAssigned : CaseAccessError.forbidden
        }
        return WorkableCase(id: caseID, stage: stage, assignedTo: assignedTo)
    }

    /// Sets the new stage when it differs. The `stage = from` guard makes a lost race impossible to miss
    /// (the write lock already serialises writers; this is belt and braces).
    static func moveStage(_ db: Database, caseID: String, from: Stage, to: Stage) throws {
        guard from != to else { return }
        try db.execute(sql: "UPDATE referral_case SET stage = ? WHERE id = ? AND stage = ?",
                       arguments: [to.rawValue, caseID, from.rawValue])
        guard db.changesCount == 1 else { throw StoreError.integrity("case \(caseID) changed stage concurrently") }
    }

    static func recordEvent(_ db: Database, _ current: WorkableCase, actor: StaffActor, action: CaseAction, to: Stage,
                            detail: String?, note: String?, keys: KeyRing, at: Date) throws {
        try recordEvent(db, current, actor: actor, audit: "case.\(action.name)", action: action.name, to: to,
                        detail: detail, note: note, keys: keys, at: at)
    }

    /// Inserts the `case_event` row (note sealed under the event's own id) and the matching audit row.
    /// `auditOnly`: what only the audit row says (another case's id, which a reader of this case's timeline may
    /// not be allowed to learn).
    static func recordEvent(_ db: Database, _ current: WorkableCase, actor: StaffActor, audit: String, action: String,
                            to: Stage, detail: String?, note: String?, keys: KeyRing, at: Date, auditOnly: String? = nil) throws {
        let id = newID()
        let sealed = try note.map { try caseCipher(db, caseID: current.id, keys: keys).seal($0, field: WorkflowField.eventNote(id)) }
        try CaseEventRecord(id: id, caseId: current.id, at: at, actor: actor.id, action: action,
                            fromStage: current.stage, toStage: to, detail: detail, note: sealed).insert(db)
        let stages = current.stage == to ? "stage=\(to.rawValue)" : "stage=\(current.stage.rawValue)->\(to.rawValue)"
        try appendAudit(db, AuditEntry(actor: actor.id, action: audit, caseID: current.id,
                                       detail: [detail, auditOnly, stages].compactMap { $0 }.joined(separator: ",")),
                        at: at, keys: keys)
    }

    /// Like `cleanNote`, for a free text that is not called `note`: the error names `field`.
    static func cleanText(_ text: String?, field: String) throws -> String? {
        do { return try cleanNote(text) } catch WorkflowError.noteTooLong {
            throw WorkflowError.practiceTooLong(field)
        } catch WorkflowError.noteInvalidCharacters { throw WorkflowError.practiceInvalidCharacters(field) }
    }

    /// Trimmed; empty means no note; longer than the limit (in scalars) or with forbidden characters is refused.
    static func cleanNote(_ note: String?) throws -> String? {
        guard let trimmed = note?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        guard !FreeText.isTooLong(trimmed, max: CaseWorkflowLimits.note) else { throw WorkflowError.noteTooLong }
        guard !FreeText.hasForbiddenCharacters(trimmed, multiline: true) else { throw WorkflowError.noteInvalidCharacters }
        return trimmed
    }

    /// A message to or from the family: trimmed, not empty, within the limit, no forbidden characters.
    static func cleanMessage(_ body: String) throws -> String {
        let body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw WorkflowError.messageEmpty }
        guard !FreeText.isTooLong(body, max: CaseWorkflowLimits.message) else { throw WorkflowError.messageTooLong }
        guard !FreeText.hasForbiddenCharacters(body, multiline: true) else { throw WorkflowError.messageInvalidCharacters }
        return body
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    /// Whether `text` is a real calendar date `YYYY-MM-DD`, not after today in Europe/London (where the
    /// partner works) and not before 2000.
    static func isPastOrPresentDate(_ text: String, now: Date) -> Bool {
        WorkingDays.isDay(text) && text <= WorkingDays.londonDate(now)
    }
}
