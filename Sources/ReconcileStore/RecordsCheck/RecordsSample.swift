import Foundation
import GRDB
import ReconcileCore
import Sodium

// The records check's monthly random sample: drawn once per London month and stored, so every lead
// sees the same cases all month and nobody can draw again to avoid one; N cases per practitioner among their
// cases active in the month, chosen with libsodium's randombytes_uniform (unpredictable, no modulo bias), not
// Swift's default generator. The lead's audit note is sealed under the case's key like every other note.
//
// "Active in the month": assigned to the practitioner when the sample is drawn, not erased, received before the
// month ends (before the draw, for the current month) and not closed before it began. Cases nobody holds are not
// sampled (they have no practitioner's records to audit); they show on the incomplete list if a rule catches them.

/// One sampled case as a lead sees it. `auditNote` is the lead's note, opened (nil when none, or erased since).
public struct SampledCase: Sendable, Equatable {
    public let id: String
    public let caseID: CaseID
    public let reference: String
    public let stage: Stage
    /// The staff email of the practitioner it was drawn for (the account id if the account is gone).
    public let practitioner: String
    public let erased: Bool
    public let auditNote: String?
    public let reviewedAt: Date?
    public let reviewedBy: String?
}

/// A month's sample: when and how it was drawn, and its cases by practitioner then reference.
public struct RecordsSample: Sendable, Equatable {
    public let month: AuditMonth
    public let perPractitioner: Int
    public let drawnAt: Date
    /// A staff email, or "system" when `reconcile records-check sample` drew it.
    public let drawnBy: String
    public let cases: [SampledCase]
}

extension AppDatabase {
    static func auditNoteField(_ sampleID: String) -> String { "records_sample_case.audit_note/\(sampleID)" }

    /// Inside the caller's write transaction: draws `month` unless it is drawn already (the month is the draw's
    /// primary key, and writes are serialised, so concurrent first views draw once). Returns whether it drew.
    static func drawSampleIfNeeded(_ db: Database, month: AuditMonth, perPractitioner: Int, drawnBy: String,
                                   keys: KeyRing, now: Date) throws -> Bool {
        let key = month.description
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM records_sample_draw WHERE month = ?)", arguments: [key]) == true {
            return false
        }
        let until = min(month.end, now)
        let candidates = try Row.fetchAll(db, sql: """
            SELECT id, assigned_to FROM referral_case
            WHERE assigned_to IS NOT NULL AND erased_at IS NULL AND received_at < ? AND (closed_at IS NULL OR closed_at >= ?)
            ORDER BY assigned_to, id
            """, arguments: [until, month.start])
        var byPractitioner: [String: [String]] = [:]
        for row in candidates { byPractitioner[(try row.value("assigned_to")), default: []].append(try row.value("id")) }
        try db.execute(sql: "INSERT INTO records_sample_draw (month, per_practitioner, drawn_at, drawn_by) VALUES (?, ?, ?, ?)",
                       arguments: [key, perPractitioner, now, drawnBy])
        var drawn = 0
        for (practitioner, cases) in byPractitioner.sorted(by: { $0.key < $1.key }) {
            for caseID in Self.randomSubset(cases, count: perPractitioner) {
                try db.execute(sql: "INSERT INTO records_sample_case (id, month, case_id, practitioner_id) VALUES (?, ?, ?, ?)",
                               arguments: [newID(), key, caseID, practitioner])
                drawn += 1
            }
        }
        try appendAudit(db, AuditEntry(actor: drawnBy, action: .recordsCheckSampleDrawn, detail:
            "month=\(key),per_practitioner=\(perPractitioner),practitioners=\(byPractitioner.count),cases=\(drawn)"), at: now, keys: keys)
        return true
    }

    /// `count` items of `items` (all of them if fewer), uniformly at random: a partial Fisher-Yates shuffle whose
    /// every index comes from libsodium's `randombytes_uniform`.
    static func randomSubset(_ items: [String], count: Int) -> [String] {
        var pool = items
        let take = min(count, pool.count)
        for i in 0..<take {
            let j = i + Int(Random.uniform(UInt32(pool.count - i)))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(take))
    }

    /// `month`'s sample with the audit notes opened, or nil if it was never drawn.
    static func sample(_ db: Database, month: AuditMonth, keys: KeyRing) throws -> RecordsSample? {
        guard let draw = try Row.fetchOne(db, sql: """
            SELECT d.per_practitioner, d.drawn_at, d.drawn_by, a.email FROM records_sample_draw d
            LEFT JOIN staff_account a ON a.id = d.drawn_by WHERE d.month = ?
            """, arguments: [month.description]) else { return nil }
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.id, s.case_id, s.practitioner_id, s.audit_note, s.reviewed_at, s.reviewed_by,
                   c.reference, c.stage, c.erased_at, p.email AS practitioner_email, r.email AS reviewer_email
            FROM records_sample_case s JOIN referral_case c ON c.id = s.case_id
            LEFT JOIN staff_account p ON p.id = s.practitioner_id LEFT JOIN staff_account r ON r.id = s.reviewed_by
            WHERE s.month = ? ORDER BY practitioner_email, s.practitioner_id, c.reference
            """, arguments: [month.description])
        let cases = try rows.map { row -> SampledCase in
            let id: String = try row.value("id"), caseID: CaseID = try row.value("case_id")
            let erased = row.holdsValue("erased_at")
            guard let stage = Stage(rawValue: try row.value("stage")) else { throw StoreError.integrity("case \(caseID) has an unknown stage") }
            let sealed: Data? = try row.value("audit_note")
            let note = erased || sealed == nil ? nil
                : try Self.caseCipher(db, caseID: caseID, keys: keys).openIfPresent(sealed, field: Self.auditNoteField(id))
            let reviewer: String? = try row.value("reviewed_by")
            let reviewerEmail: String? = try row.value("reviewer_email")
            let practitionerEmail: String? = try row.value("practitioner_email")
            return SampledCase(id: id, caseID: caseID, reference: try row.value("reference"), stage: stage,
                               practitioner: try practitionerEmail ?? row.value("practitioner_id"), erased: erased, auditNote: note,
                               reviewedAt: try row.value("reviewed_at"), reviewedBy: reviewer.map { reviewerEmail ?? $0 })
        }
        return RecordsSample(month: month, perPractitioner: try draw.value("per_practitioner"), drawnAt: try draw.value("drawn_at"),
                             drawnBy: try draw.value("email", as: String?.self) ?? draw.value("drawn_by"), cases: cases)
    }
}

extension CaseStore {
    /// Draws `month`'s sample if it has not been drawn (`reconcile records-check sample`); returns whether this
    /// call drew it, and the sample as stored. Audit notes are not opened here (the command prints ids only).
    public func drawRecordsSample(month: AuditMonth, perPractitioner: Int,
                                  now: Date = Date()) async throws -> (drawn: Bool, month: AuditMonth, perPractitioner: Int, cases: Int) {
        guard month <= AuditMonth.containing(now) else { throw RecordsCheckError.futureMonth }
        guard RecordingPolicy.sampleSizes.contains(perPractitioner) else { throw RecordsCheckError.invalidSampleSize }
        return try await writer.write { db in
            let drawn = try AppDatabase.drawSampleIfNeeded(db, month: month, perPractitioner: perPractitioner, drawnBy: "system", keys: keys, now: now)
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.per_practitioner, (SELECT COUNT(*) FROM records_sample_case s WHERE s.month = d.month) AS cases
                FROM records_sample_draw d WHERE d.month = ?
                """, arguments: [month.description]) else { throw StoreError.integrity("the month's sample was not drawn") }
            return (drawn, month, try row.value("per_practitioner"), try row.value("cases"))
        }
    }

    /// Records the lead's audit note on a sampled case and marks it reviewed (a later review replaces both).
    /// Leads only; the note is required, checked like a case note and sealed under the case key.
    public func reviewSampledCase(sampleID: String, note: String?, by actor: StaffActor, now: Date = Date()) async throws {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        guard let note = try AppDatabase.cleanNote(note) else { throw RecordsCheckError.noteRequired }
        try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.case_id, s.month, c.erased_at FROM records_sample_case s JOIN referral_case c ON c.id = s.case_id WHERE s.id = ?
                """, arguments: [sampleID]) else { throw RecordsCheckError.sampleNotFound }
            if row.holdsValue("erased_at") { throw StoreError.erased }
            let caseID: CaseID = try row.value("case_id")
            let sealed = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys).seal(note, field: AppDatabase.auditNoteField(sampleID))
            try db.execute(sql: "UPDATE records_sample_case SET audit_note = ?, reviewed_at = ?, reviewed_by = ? WHERE id = ?",
                           arguments: [sealed, now, actor.id, sampleID])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .recordsCheckReview, caseID: caseID,
                                                detail: "sample=\(sampleID),month=\(try row.value("month", as: String.self))"), at: now, keys: keys)
        }
    }
}
