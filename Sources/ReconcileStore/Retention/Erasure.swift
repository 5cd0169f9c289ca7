import Foundation
import GRDB
import ReconcileCore

// Erasure and retention (SPEC "Data held, and how", "Reliability and security"): a family's erasure request
// waits out a cooling-off period and is then carried out by `reconcile retention run`; closed cases are
// erased after the retention period. A lead's safeguarding hold stops both while it stands.
//
// Erasure is crypto-shredding, one transaction per case: the wrapped per-case key is deleted, every
// ciphertext column and blind index is set to NULL, messages, remembered passphrases and portal sessions
// are deleted, and the passphrase hash is blanked. Statistical columns stay for reports. `secure_delete`
// (on for every connection) overwrites the freed bytes, and a WAL checkpoint (TRUNCATE) after the run
// leaves no older page in the write-ahead log.

/// An erasure request that cannot be cancelled: none was made, it was already cancelled, or carried out.
public enum ErasureError: Error, Equatable {
    case nothingToCancel
}

/// What one retention run did.
public struct RetentionReport: Sendable, Equatable {
    /// Cases whose personal data was crypto-shredded by this run.
    public let erased: Int
    /// Cases due for erasure (by request or by retention) but kept because a lead placed a safeguarding hold.
    public let heldBack: Int

    public init(erased: Int, heldBack: Int) {
        self.erased = erased
        self.heldBack = heldBack
    }
}

extension AppDatabase {
    fileprivate enum EraseOutcome: Sendable {
        case erased, held, skipped
    }

    struct ErasureCandidate: Sendable {
        let id: CaseID
        /// Due because of the family's request (else because of closed-case retention).
        let requested: Bool
        let held: Bool
    }

    /// Cases not yet erased that are due: a pending request whose cooling-off has passed, or closed at or
    /// before `closedBefore` (the closure time; for a closed case without one, its last event or receipt).
    static func dueForErasure(_ db: Database, now: Date, closedBefore: Date, caseID: CaseID?) throws -> [ErasureCandidate] {
        var arguments: StatementArguments = [now, closedBefore]
        var only = ""
        if let caseID {
            only = "AND c.id = ?"
            arguments += [caseID]
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.id,
                   EXISTS (SELECT 1 FROM erasure_request e
                           WHERE e.case_id = c.id AND e.cancelled_at IS NULL AND e.carried_out_at IS NULL
                             AND e.due_at <= ?1) AS requested,
                   c.stage = 'closed'
                     AND COALESCE(c.closed_at, (SELECT MAX(ev.at) FROM case_event ev WHERE ev.case_id = c.id), c.received_at) <= ?2
                     AS expired,
                   (c.safeguarding_hold_at IS NOT NULL OR c.evidential_hold_at IS NOT NULL) AS held
            FROM referral_case c
            WHERE c.erased_at IS NULL \(only)
            ORDER BY c.received_at, c.id
            """, arguments: arguments)
        return try rows.compactMap { row in
            let requested: Bool = try row.value("requested"), expired: Bool = try row.value("expired")
            guard requested || expired else { return nil }
            return ErasureCandidate(id: try row.value("id"), requested: requested, held: try row.value("held"))
        }
    }

    /// Crypto-shreds one case inside the caller's transaction. `reason` is "request" or "retention".
    static func erase(_ db: Database, caseID: CaseID, reason: String, keys: KeyRing, at now: Date) throws {
        guard let stageText = try String.fetchOne(db, sql: "SELECT stage FROM referral_case WHERE id = ? AND erased_at IS NULL",
                                                  arguments: [caseID]),
              let stage = Stage(rawValue: stageText) else {
            throw StoreError.caseNotFound
        }
        // The key first: from here on nothing sealed for this case can be opened, wherever a copy lingers.
        try db.execute(sql: "DELETE FROM case_key WHERE case_id = ?", arguments: [caseID])
        try db.execute(sql: """
            UPDATE referral_case SET
                contact_name = NULL, contact_email = NULL, contact_phone = NULL, contact_address = NULL,
                contact_preference = NULL, contact_safe_to_leave_message = NULL, contact_safe_times = NULL,
                story = NULL, email_index = NULL, phone_index = NULL, duplicate_of = NULL, closure_summary = NULL, access_needs = NULL,
                passphrase_hash = '', notify_by_email = 0, notice_names_service = 0, erased_at = ?
            WHERE id = ?
            """, arguments: [now, caseID])
        // Every sealed free-text column, the practice records (v11) beside the notes.
        let sealedText: [(table: String, columns: [String])] = [
            ("case_event", ["note"]), ("listening_session", ["note", "advice_given", "actions_agreed"]),
            ("assessment", ["note", "advice_given", "actions_agreed", "reason"]),
            ("signpost", ["note", "advice_given", "actions_agreed", "reason"]), ("safeguarding_escalation", ["note"]),
            ("records_sample_case", ["audit_note"]),   // a lead's audit note (v14)
            ("case_feedback", ["comment"]), ("complaint", ["text"]),   // the family's own words (v16)
            ("case_follow_up", ["note"]),   // a practitioner's reminder to themselves (v20)
            ("case_meeting", ["note", "family_words"]),   // meetings the family asked for (v23)
            ("case_appointment", ["note"]),   // the diary (v25)
        ]
        // Outcomes still pending stay so in the statistics, but leave the desk's lists: no one works an erased case.
        for table in ["signpost", "safeguarding_escalation"] {
            try db.execute(sql: "UPDATE \(table) SET case_erased = 1 WHERE case_id = ?", arguments: [caseID])
        }
        // An appointment still to come cannot happen now: cancelled, so it no longer holds the practitioner's time.
        try cancelLiveAppointments(db, caseID: caseID, by: "system", at: now)
        // A statement not yet released is withdrawn (a released one lives in the signed report, not here).
        try db.execute(sql: "UPDATE family_voice SET status = 'withdrawn', text = NULL, proposed_text = NULL WHERE case_id = ? AND status != 'released'",
                       arguments: [caseID])
        for (table, columns) in sealedText {
            let set = columns.map { "\($0) = NULL" }.joined(separator: ", ")
            try db.execute(sql: "UPDATE \(table) SET \(set) WHERE case_id = ?", arguments: [caseID])
        }
        // mail_outbox: a notice still waiting for the family goes too (its address is gone with the key anyway).
        for table in ["case_message", "idempotency_key", "portal_session", "mail_outbox"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE case_id = ?", arguments: [caseID])
        }
        try db.execute(sql: """
            UPDATE erasure_request SET carried_out_at = ? WHERE case_id = ? AND cancelled_at IS NULL AND carried_out_at IS NULL
            """, arguments: [now, caseID])
        // The tombstone: the case's history says when and why it was erased, and nothing else.
        try CaseEventRecord(id: newID(), caseId: caseID, at: now, actor: "system", action: CaseEvent.erase.rawValue,
                            fromStage: stage, toStage: stage, detail: "reason=\(reason)", note: nil).insert(db)
        try appendAudit(db, AuditEntry(actor: "system", action: .caseErase, caseID: caseID, detail: reason),
                        at: now, keys: keys)
    }

    /// The case's erasure request, if one was ever made (cancelled ones included).
    static func erasureStatus(_ db: Database, caseID: CaseID) throws -> ErasureStatus? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT e.requested_at, e.due_at, e.cancelled_at, c.safeguarding_hold_at, c.evidential_hold_at
            FROM erasure_request e JOIN referral_case c ON c.id = e.case_id
            WHERE e.case_id = ?
            """, arguments: [caseID]) else { return nil }
        return ErasureStatus(requestedAt: try row.value("requested_at"), dueAt: try row.value("due_at"),
                             held: row.holdsValue("safeguarding_hold_at") || row.holdsValue("evidential_hold_at"),
                             cancelled: row.holdsValue("cancelled_at"),
                             heldForEvidence: row.holdsValue("evidential_hold_at"))
    }
}

extension RetentionStore {
    // MARK: - The family's request

    /// Asks for erasure, due after the policy's cooling-off period. Asking again while a request is pending
    /// returns it unchanged; after a cancellation a new request starts a new period.
    public func requestErasure(caseID: CaseID, policy: RetentionPolicy,
                               now: Date = Date()) async throws -> ErasureStatus {
        try policy.validate()
        return try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            if let existing = try AppDatabase.erasureStatus(db, caseID: caseID), !existing.cancelled {
                return existing
            }
            try db.execute(sql: """
                INSERT INTO erasure_request (case_id, requested_at, due_at) VALUES (?, ?, ?)
                ON CONFLICT (case_id) DO UPDATE SET requested_at = excluded.requested_at, due_at = excluded.due_at,
                                                    cancelled_at = NULL, carried_out_at = NULL
                """, arguments: [caseID, now, policy.erasureDue(requestedAt: now)])
            try AppDatabase.recordFamilyEvent(db, current, action: .erasureRequest, audit: .portalErasureRequest,
                                       to: current.stage, detail: "cooling_off_days=\(policy.erasureCoolingOffDays)",
                                       keys: keys, at: now)
            guard let status = try AppDatabase.erasureStatus(db, caseID: caseID) else {
                throw StoreError.integrity("erasure request for case \(caseID) not stored")
            }
            return status
        }
    }

    /// Cancels a pending erasure request (`ErasureError.nothingToCancel` if there is none).
    public func cancelErasure(caseID: CaseID, now: Date = Date()) async throws {
        try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            try db.execute(sql: """
                UPDATE erasure_request SET cancelled_at = ?
                WHERE case_id = ? AND cancelled_at IS NULL AND carried_out_at IS NULL
                """, arguments: [now, caseID])
            guard db.changesCount == 1 else { throw ErasureError.nothingToCancel }
            try AppDatabase.recordFamilyEvent(db, current, action: .erasureCancel, audit: .portalErasureCancel,
                                       to: current.stage, detail: nil, keys: keys, at: now)
        }
    }

    // MARK: - The lead's hold

    /// Places (`on`) or lifts a safeguarding hold: while it stands, neither an erasure request nor retention
    /// erases the case. Leads only (`CaseAccessError.forbidden` for anyone else, before the case is read).
    /// Setting the state it already has changes nothing.
    public func setSafeguardingHold(caseID: CaseID, on: Bool, by actor: StaffActor,
                                    now: Date = Date()) async throws {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        _ = try await caseWork(caseID: caseID, by: actor, at: now) { db, _ in
            let isOn = try Bool.fetchOne(db, sql: "SELECT safeguarding_hold_at IS NOT NULL FROM referral_case WHERE id = ?",
                                         arguments: [caseID]) ?? false
            guard isOn != on else { return nil }
            try db.execute(sql: "UPDATE referral_case SET safeguarding_hold_at = ?, safeguarding_hold_by = ? WHERE id = ?",
                           arguments: [on ? now : nil, on ? actor.id : nil, caseID])
            return CaseWork(event: .safeguardingHold, detail: on ? "on" : "off")
        }
    }

    // MARK: - Retention run

    /// Carries out every due, uncancelled erasure request and erases every case closed longer ago than the
    /// retention period, skipping (and counting) cases under a safeguarding or evidential hold. One transaction per case;
    /// a second run erases nothing more. Ends with a WAL checkpoint (TRUNCATE), also when nothing was
    /// erased, so a run that failed at its checkpoint is completed by the next.
    public func runRetention(policy: RetentionPolicy, now: Date = Date()) async throws -> RetentionReport {
        try policy.validate()
        let closedBefore = policy.closedBefore(now)
        let due = try await reader.read { db in try AppDatabase.dueForErasure(db, now: now, closedBefore: closedBefore, caseID: nil) }
        var erased = 0, heldBack = 0
        for candidate in due {
            if candidate.held {
                heldBack += 1
                continue
            }
            let outcome = try await writer.write { db -> AppDatabase.EraseOutcome in
                // Re-check inside the transaction: a hold, a cancellation or another run may have come first.
                guard let still = try AppDatabase.dueForErasure(db, now: now, closedBefore: closedBefore, caseID: candidate.id).first else {
                    return .skipped
                }
                if still.held { return .held }
                try AppDatabase.erase(db, caseID: still.id, reason: still.requested ? "request" : "retention", keys: keys, at: now)
                return .erased
            }
            switch outcome {
            case .erased: erased += 1
            case .held: heldBack += 1
            case .skipped: break
            }
        }
        try await database.checkpoint()
        return RetentionReport(erased: erased, heldBack: heldBack)
    }
}
