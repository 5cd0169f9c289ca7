import Foundation
import GRDB
import ReconcileCore

// The records check for leads: cases whose records are incomplete by policy, and the month's random
// sample for a quality audit (`RecordsSample.swift`). Every view of it writes an audit row in the same write
// transaction as the read, as opening a case does.

/// One way a case's records fall short. `rule` is a code, never a value from the case:
/// - `<step>_without_<field>`: `policies/recording.json` requires the field on that step and `count` of the
///   case's records lack it (e.g. `listening_session_without_advice_given`; written before the policy asked for
///   it, or before it was tightened);
/// - `acknowledgement_overdue`: still `received` past `workflow.acknowledgement_working_days`;
/// - `safeguarding_outcome_overdue`: `count` escalations still `pending` more than
///   `RecordsRules.safeguardingOutcomeWorkingDays` working days after they were made.
public struct RecordsProblem: Sendable, Equatable, Codable {
    public let rule: String
    public let count: Int
}

/// A case listed by the records check: reference, stage, assignee and the rules it breaks. No personal field.
public struct IncompleteRecord: Sendable, Equatable {
    public let caseID: CaseID
    public let reference: String
    public let stage: Stage
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    public let problems: [RecordsProblem]
}

public enum RecordsRules {
    /// A safeguarding escalation's outcome is expected within this many working days (London, weekends skipped,
    /// as the acknowledgement target); from the end of the last of them it is listed.
    public static let safeguardingOutcomeWorkingDays = 10
    public static let acknowledgementOverdue = "acknowledgement_overdue"
    public static let safeguardingOutcomeOverdue = "safeguarding_outcome_overdue"
    public static func missing(_ step: RecordingPolicy.Step, _ field: String) -> String { "\(step.rawValue)_without_\(field)" }
}

/// What a lead sees: the month, the incomplete records, and the month's sample (nil for a past month never drawn).
public struct RecordsCheck: Sendable, Equatable {
    public let month: AuditMonth
    public let incomplete: [IncompleteRecord]
    public let sample: RecordsSample?
}

/// A records-check request the rules refuse. Changes nothing; messages name no value.
public enum RecordsCheckError: Error, Equatable {
    /// A month after the current one (nothing to audit yet).
    case futureMonth
    /// A sample size outside `RecordingPolicy.sampleSizes`.
    case invalidSampleSize
    /// No sampled case with that id.
    case sampleNotFound
    /// Marking a sampled case reviewed needs the lead's audit note.
    case noteRequired
}

extension AppDatabase {
    /// Every case not erased that breaks a rule, oldest referral first.
    static func incompleteRecords(_ db: Database, policy: RecordingPolicy, acknowledgementWorkingDays: Int,
                                  now: Date) throws -> [IncompleteRecord] {
        var problems: [CaseID: [RecordsProblem]] = [:]
        func add(_ caseID: CaseID, _ rule: String, _ count: Int) { problems[caseID, default: []].append(RecordsProblem(rule: rule, count: count)) }

        // Practice records the policy requires. Table and column names come from RecordingPolicy's fixed lists.
        let tables: [RecordingPolicy.Step: String] = [.listeningSession: "listening_session", .assessment: "assessment", .signpost: "signpost"]
        for step in RecordingPolicy.Step.allCases {
            for field in (policy.required[step] ?? []).sorted() {
                let rule = RecordsRules.missing(step, field)
                let sql: String
                if let table = tables[step] {
                    sql = """
                        SELECT t.case_id, COUNT(*) FROM \(table) t JOIN referral_case c ON c.id = t.case_id
                        WHERE c.erased_at IS NULL AND t.\(field) IS NULL GROUP BY t.case_id
                        """
                } else {
                    // The close step: its reason and the family's summary are on the case, its note on the last close event.
                    let missing = switch field {
                    case "reason": "c.close_reason IS NULL"
                    case "summary": "c.closure_summary IS NULL"
                    default: """
                        (SELECT e.note FROM case_event e WHERE e.case_id = c.id AND e.action = 'close'
                         ORDER BY e.at DESC, e.rowid DESC LIMIT 1) IS NULL
                        """
                    }
                    // A case closed as a duplicate has no close step of its own: its conversation goes on in the other.
                    sql = """
                        SELECT c.id, 1 FROM referral_case c
                        WHERE c.erased_at IS NULL AND c.stage = 'closed' AND c.closed_as_duplicate_of IS NULL AND \(missing)
                        """
                }
                for row in try Row.fetchAll(db, sql: sql) { add(try row.value(at: 0), rule, try row.value(at: 1)) }
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, received_at FROM referral_case WHERE stage = 'received' AND erased_at IS NULL")
        where WorkingDays.isOverdue(receivedAt: try row.value("received_at"), now: now, workingDays: acknowledgementWorkingDays) {
            add(try row.value("id"), RecordsRules.acknowledgementOverdue, 1)
        }
        var pendingEscalations: [CaseID: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT s.case_id, s.escalated_at FROM safeguarding_escalation s JOIN referral_case c ON c.id = s.case_id
            WHERE s.outcome = 'pending' AND s.case_erased = 0 AND c.erased_at IS NULL
            """) where WorkingDays.isOverdue(receivedAt: try row.value("escalated_at"), now: now, workingDays: RecordsRules.safeguardingOutcomeWorkingDays) {
            pendingEscalations[(try row.value("case_id")), default: 0] += 1
        }
        for (caseID, count) in pendingEscalations { add(caseID, RecordsRules.safeguardingOutcomeOverdue, count) }

        guard !problems.isEmpty else { return [] }
        let ids = String(data: try JSONEncoder().encode(Array(problems.keys)), encoding: .utf8)
        return try Row.fetchAll(db, sql: """
            SELECT c.id, c.reference, c.stage, s.email FROM referral_case c LEFT JOIN staff_account s ON s.id = c.assigned_to
            WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.received_at, c.id
            """, arguments: [ids]).map { row in
            let id: CaseID = try row.value("id")
            guard let stage = Stage(rawValue: try row.value("stage")) else { throw StoreError.integrity("case \(id) has an unknown stage") }
            return IncompleteRecord(caseID: id, reference: try row.value("reference"), stage: stage, assignedTo: try row.value("email"),
                                    problems: (problems[id] ?? []).sorted { $0.rule < $1.rule })
        }
    }
}

extension CaseStore {
    /// The records check as `actor` (a lead) sees it for `month` (default: this London month). The current month's
    /// sample is drawn on its first view, `samplePerPractitioner` per practitioner; a past month shows the sample
    /// drawn then, if any. Audit notes are opened for the lead. The "records_check.read" audit row is written in
    /// the same transaction, so nothing is shown that was not audited.
    public func recordsCheck(month requested: AuditMonth? = nil, samplePerPractitioner: Int, policy: RecordingPolicy,
                             acknowledgementWorkingDays: Int, by actor: StaffActor,
                             now: Date = Date()) async throws -> RecordsCheck {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        let current = AuditMonth.containing(now)
        let month = requested ?? current
        guard month <= current else { throw RecordsCheckError.futureMonth }
        guard RecordingPolicy.sampleSizes.contains(samplePerPractitioner) else { throw RecordsCheckError.invalidSampleSize }
        return try await writer.write { db in
            let incomplete = try AppDatabase.incompleteRecords(db, policy: policy, acknowledgementWorkingDays: acknowledgementWorkingDays, now: now)
            if month == current {
                _ = try AppDatabase.drawSampleIfNeeded(db, month: month, perPractitioner: samplePerPractitioner, drawnBy: actor.id, keys: keys, now: now)
            }
            let sample = try AppDatabase.sample(db, month: month, keys: keys)
            let notes = sample?.cases.filter { $0.auditNote != nil }.count ?? 0
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .recordsCheckRead, detail:
                "month=\(month),incomplete=\(incomplete.count),sampled=\(sample?.cases.count ?? 0),notes_opened=\(notes)"),
                                 at: now, keys: keys)
            return RecordsCheck(month: month, incomplete: incomplete, sample: sample)
        }
    }
}
