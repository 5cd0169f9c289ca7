import Foundation
import GRDB
import ReconcileCore

// What every staff case step does inside its transaction: find the case and check it may be worked, move its stage,
// record the event and the audit row, and clean the text it was given.
extension AppDatabase {
    /// Reads the case and checks that `actor` may work it: `.forbidden` for roles that never work cases
    /// (checked first, so they cannot even learn whether a case id exists), then `caseNotFound` / `erased`,
    /// then `.notAssigned` for a practitioner whose case it is not.
    static func workableCase(_ db: Database, caseID: CaseID, by actor: StaffActor) throws -> WorkableCase {
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
    static func moveStage(_ db: Database, caseID: CaseID, from: Stage, to: Stage) throws {
        guard from != to else { return }
        try db.execute(sql: "UPDATE referral_case SET stage = ? WHERE id = ? AND stage = ?",
                       arguments: [to.rawValue, caseID, from.rawValue])
        guard db.changesCount == 1 else { throw StoreError.integrity("case \(caseID) changed stage concurrently") }
    }

    /// Inserts the `case_event` row (note sealed under the event's own id) and the matching `case.<event>` audit row.
    /// `auditOnly`: what only the audit row says (another case's id, which a reader of this case's timeline may
    /// not be allowed to learn).
    static func recordEvent(_ db: Database, _ current: WorkableCase, actor: StaffActor, action: CaseEvent,
                            to: Stage, detail: String?, note: String?, keys: KeyRing, at: Date, auditOnly: String? = nil) throws {
        let id = newID()
        let sealed = try note.map { try caseCipher(db, caseID: current.id, keys: keys).seal($0, field: WorkflowField.eventNote(id)) }
        try CaseEventRecord(id: id, caseId: current.id, at: at, actor: actor.id, action: action.rawValue,
                            fromStage: current.stage, toStage: to, detail: detail, note: sealed).insert(db)
        let stages = current.stage == to ? "stage=\(to.rawValue)" : "stage=\(current.stage.rawValue)->\(to.rawValue)"
        try appendAudit(db, AuditEntry(actor: actor.id, action: .caseEvent(action), caseID: current.id,
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

/// What a staff case step wrote beside the stage, for its event: the event's detail and sealed note, and the id of
/// the record it made (shown to the caller).
struct StepRecord {
    var detail: String?
    var note: String? = nil
    var recordID: String? = nil
}

/// What a staff write that keeps the case's stage records: its event on the timeline (audited as `case.<event>`),
/// with the detail, the note (sealed by `recordEvent`) and the id of the record it added.
/// How `caseWork` opens its case: as any staff write (`workableCase`), or as a meeting step, which also refuses a
/// closed or (to a lead) erased case with `MeetingError.caseNotOpen`.
enum CaseOpening: Sendable { case workable, openForMeetings }

struct CaseWork {
    let event: CaseEvent
    var detail: String?
    var note: String? = nil
    var recordID: String? = nil
}

extension CapabilityStore {
    /// The preamble and ending of a staff write on a case that keeps its stage (a follow-up, an appointment, a
    /// meeting, the themes, a hold, a safeguarding outcome), in one write transaction: load the case as `actor` may
    /// work it (someone else's case is the same 404 whatever the input; `opening` may refuse more, as meetings refuse
    /// a closed case), let `change` check and write, and record its event and audit row. `change` returns nil when
    /// there is nothing to record (the asked state was already so). Any throw rolls back all of it.
    func caseWork(caseID: CaseID, by actor: StaffActor, at now: Date, opening: CaseOpening = .workable,
                  _ change: @escaping @Sendable (Database, WorkableCase) throws -> CaseWork?) async throws -> CaseChange {
        try await writer.write { db in
            let current = switch opening {
            case .workable: try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            case .openForMeetings: try AppDatabase.openCaseForMeetings(db, caseID: caseID, by: actor)
            }
            guard let work = try change(db, current) else { return CaseChange(stage: current.stage) }
            try AppDatabase.recordEvent(db, current, actor: actor, action: work.event, to: current.stage,
                                        detail: work.detail, note: work.note, keys: keys, at: now)
            return CaseChange(stage: current.stage, recordID: work.recordID)
        }
    }
}

extension CaseStore {
    /// The preamble and ending every staff case step shares, in one write transaction: load the case as `actor` may
    /// work it, ask the lifecycle for the stage after `action` (a refusal writes nothing), let `change` write the
    /// step's own rows, move the stage, and record the event and its audit row. Any throw rolls back all of it.
    func caseStep(_ action: CaseAction, caseID: CaseID, by actor: StaffActor, at now: Date,
                  _ change: @escaping @Sendable (Database, WorkableCase) throws -> StepRecord) async throws -> CaseChange {
        try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let next = try CaseLifecycle.stage(after: action, from: current.stage)
            let record = try change(db, current)
            try AppDatabase.moveStage(db, caseID: caseID, from: current.stage, to: next)
            try AppDatabase.recordEvent(db, current, actor: actor, action: action.event, to: next, detail: record.detail,
                                        note: record.note, keys: keys, at: now)
            return CaseChange(stage: next, recordID: record.recordID)
        }
    }
}
