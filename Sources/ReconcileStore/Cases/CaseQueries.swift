import Foundation
import GRDB
import ReconcileCore

// Reading one case for staff: decrypted, and its timeline, with the rows the family's export shares.
// Every read that decrypts writes its audit row in a write transaction before any data is returned.

extension AppDatabase {
    /// Everything about one case, opened, inside the caller's transaction (which has checked `workableCase` and
    /// writes the audit row).
    static func openedCase(_ db: Database, _ current: WorkableCase, by actor: StaffActor, keys: KeyRing,
                           acknowledgementWorkingDays: Int, now: Date) throws -> CaseDetail {
        let caseID = current.id
        let rows = try Self.caseRows(db, caseID: caseID, keys: keys)
        let (record, cipher, referral) = (rows.record, rows.cipher, rows.referral)
        let (sessions, assessments, signposts) = (rows.sessions, rows.assessments, rows.signposts)
        let (escalations, messages, events) = (rows.escalations, rows.messages, rows.events)

        var staffIDs = Set<String>()
        staffIDs.formUnion(sessions.map(\.recordedBy))
        staffIDs.formUnion(assessments.map(\.assessedBy))
        staffIDs.formUnion(signposts.map(\.createdBy))
        staffIDs.formUnion(escalations.map(\.escalatedBy))
        staffIDs.formUnion(events.map(\.actor))
        staffIDs.formUnion(events.flatMap { e in e.action == "assign" ? [Self.assignmentIDs(e.detail).to, Self.assignmentIDs(e.detail).from].compactMap { $0 } : [] })
        if let assignee = current.assignedTo { staffIDs.insert(assignee) }

        var intake = try Self.intakeAnswers(db, caseID: caseID, cipher: cipher)
        if let enteredBy = intake.enteredBy { staffIDs.insert(enteredBy) }
        let emails = try Self.staffEmails(db, ids: staffIDs)
        func who(_ id: String) -> String { emails[id] ?? id }
        intake.enteredBy = intake.enteredBy.map(who)

        var detail = CaseDetail(
            id: record.id, reference: record.reference, stage: record.stage, closeReason: record.closeReason,
            councilArea: record.councilArea, receivedAt: record.receivedAt,
            acknowledgedAt: record.acknowledgedAt, closedAt: record.closedAt,
            assignedTo: current.assignedTo.map(who),
            overdue: record.stage == .received
                && WorkingDays.isOverdue(receivedAt: record.receivedAt, now: now, workingDays: acknowledgementWorkingDays),
            duplicateOf: try Self.visibleDuplicate(db, record.duplicateOf, to: actor), referral: referral,
            referrerRole: record.referrerRole, setting: record.setting, harm: record.harm, whenAgo: record.whenAgo,
            toldBefore: record.toldBefore, wishes: record.wishes, consentStatistics: record.consentStatistics,
            listeningSessions: try sessions.map { s in
                let practice = try Self.openPractice(cipher, ListeningSessionRecord.databaseTableName, s.id, s.adviceGiven, s.actionsAgreed, nil)
                return ListeningSessionView(id: s.id, heldOn: s.heldOn, durationMinutes: s.durationMinutes, modality: s.modality,
                                            note: try cipher.openIfPresent(s.note, field: WorkflowField.listeningNote(s.id)),
                                            recordedAt: s.recordedAt, recordedBy: who(s.recordedBy),
                                            adviceGiven: practice.adviceGiven, actionsAgreed: practice.actionsAgreed)
            },
            assessments: try assessments.map { a in
                let practice = try Self.openPractice(cipher, AssessmentRecord.databaseTableName, a.id, a.adviceGiven, a.actionsAgreed, a.reason)
                return AssessmentView(id: a.id, level: a.levelOfNeed, needs: a.needs,
                                      note: try cipher.openIfPresent(a.note, field: WorkflowField.assessmentNote(a.id)),
                                      assessedAt: a.assessedAt, assessedBy: who(a.assessedBy),
                                      adviceGiven: practice.adviceGiven, actionsAgreed: practice.actionsAgreed, reason: practice.reason)
            },
            signposts: try signposts.map { s in
                let practice = try Self.openPractice(cipher, SignpostRecord.databaseTableName, s.id, s.adviceGiven, s.actionsAgreed, s.reason)
                return SignpostView(id: s.id, serviceID: s.serviceId, need: s.need, outcome: s.outcome,
                                    note: try cipher.openIfPresent(s.note, field: WorkflowField.signpostNote(s.id)),
                                    createdAt: s.createdAt, createdBy: who(s.createdBy), outcomeAt: s.outcomeAt, kind: s.kind,
                                    adviceGiven: practice.adviceGiven, actionsAgreed: practice.actionsAgreed, reason: practice.reason)
            },
            safeguarding: try escalations.map { e in
                SafeguardingView(id: e.id, route: e.route,
                                 note: try cipher.openIfPresent(e.note, field: WorkflowField.safeguardingNote(e.id)),
                                 escalatedAt: e.escalatedAt, escalatedBy: who(e.escalatedBy),
                                 routes: SafeguardingRoute.answers(fromBits: e.routesBits), referredOn: e.referredOn,
                                 areaReferredTo: e.areaReferredTo, parentsInformed: e.parentsInformed,
                                 parentsNotInformedReason: e.parentsNotInformedReason, outcome: e.outcome, outcomeAt: e.outcomeAt,
                                 reReferralOf: e.reReferralOf)
            },
            messages: try messages.map { m in
                MessageView(id: m.id, sender: m.sender.rawValue,
                            body: try cipher.open(m.body, field: WorkflowField.messageBody(m.id)), sentAt: m.sentAt)
            },
            events: try events.map { try Self.eventView($0, cipher: cipher, who: who) },
            evidentialHoldSince: try Date.fetchOne(db, sql: "SELECT evidential_hold_at FROM referral_case WHERE id = ?", arguments: [caseID]),
            closureSummary: try Self.closureSummary(db, caseID: caseID, cipher: cipher))
        detail.intake = intake
        detail.linkedCases = try Self.linkedCases(db, caseID: caseID, visibleTo: actor)
        detail.experienceThemes = try Self.experienceThemes(db, caseID: caseID)
        detail.feedback = try Self.feedback(db, caseID: caseID, cipher: cipher)
        detail.complaints = try Self.caseComplaints(db, caseID: caseID, cipher: cipher)
        detail.followUps = try Self.followUps(db, caseID: caseID, cipher: cipher)
        detail.appointments = try Self.appointments(db, caseID: caseID, cipher: cipher)
        detail.meetings = try Self.meetings(db, caseID: caseID, cipher: cipher, who: who)
        detail.duplicateOfReference = try detail.duplicateOf.flatMap {
            try String.fetchOne(db, sql: "SELECT reference FROM referral_case WHERE id = ?", arguments: [$0])
        }
        detail.closedAsDuplicateOf = try Self.duplicateTarget(db, caseID: caseID, visibleTo: actor)
        return detail
    }

    // MARK: - Helpers

    /// Everything stored about one case, read inside the caller's transaction, personal fields opened:
    /// shared by the staff case page and the family's export so both see the same rows in the same order.
    struct CaseRows {
        let record: CaseRecord
        let cipher: CaseCipher
        let referral: DecryptedReferral
        let sessions: [ListeningSessionRecord]
        let assessments: [AssessmentRecord]
        let signposts: [SignpostRecord]
        let escalations: [SafeguardingEscalationRecord]
        let messages: [CaseMessageRecord]
        let events: [CaseEventRecord]
    }

    /// The case this one may duplicate, only when `actor` may open that case too: a practitioner must not learn
    /// that another family's case, not assigned to them, shares a contact detail.
    static func visibleDuplicate(_ db: Database, _ id: CaseID?, to actor: StaffActor) throws -> CaseID? {
        guard let id, let row = try Row.fetchOne(db, sql: "SELECT assigned_to, erased_at FROM referral_case WHERE id = ?", arguments: [id]),
              !row.holdsValue("erased_at"), actor.mayWork(caseAssignedTo: try row.value("assigned_to")) else { return nil }
        return id
    }

    static func caseRows(_ db: Database, caseID: CaseID, keys: KeyRing) throws -> CaseRows {
        guard let record = try CaseRecord.fetchOne(db, key: caseID) else { throw StoreError.caseNotFound }
        let cipher = try caseCipher(db, caseID: caseID, keys: keys)
        return CaseRows(
            record: record, cipher: cipher,
            referral: try decryptReferral(record, cipher: cipher),
            sessions: try ListeningSessionRecord.filter(ListeningSessionRecord.Columns.caseId == caseID)
                .order(ListeningSessionRecord.Columns.heldOn, ListeningSessionRecord.Columns.recordedAt, Column.rowID).fetchAll(db),
            assessments: try AssessmentRecord.filter(AssessmentRecord.Columns.caseId == caseID)
                .order(AssessmentRecord.Columns.assessedAt, Column.rowID).fetchAll(db),
            signposts: try SignpostRecord.filter(SignpostRecord.Columns.caseId == caseID)
                .order(SignpostRecord.Columns.createdAt, Column.rowID).fetchAll(db),
            escalations: try SafeguardingEscalationRecord.filter(SafeguardingEscalationRecord.Columns.caseId == caseID)
                .order(SafeguardingEscalationRecord.Columns.escalatedAt, Column.rowID).fetchAll(db),
            messages: try CaseMessageRecord.filter(CaseMessageRecord.Columns.caseId == caseID)
                .order(CaseMessageRecord.Columns.sentAt, Column.rowID).fetchAll(db),
            events: try events(db, caseID: caseID))
    }

    /// The closure summary written for the family, opened; nil when none was written.
    static func closureSummary(_ db: Database, caseID: CaseID, cipher: CaseCipher) throws -> String? {
        try cipher.openIfPresent(try Data.fetchOne(db, sql: "SELECT closure_summary FROM referral_case WHERE id = ?", arguments: [caseID]),
                                 field: WorkflowField.closureSummary(caseID))
    }

    static func events(_ db: Database, caseID: CaseID) throws -> [CaseEventRecord] {
        try CaseEventRecord.filter(CaseEventRecord.Columns.caseId == caseID)
            .order(CaseEventRecord.Columns.at, Column.rowID).fetchAll(db)
    }

    static func eventView(_ e: CaseEventRecord, cipher: CaseCipher, who: (String) -> String) throws -> CaseEventView {
        let actor: String
        switch e.actor {
        case "system": actor = "system"
        case let a where a == "family" || a.hasPrefix("family:"): actor = "family"
        default: actor = who(e.actor)
        }
        var view = CaseEventView(id: e.id, at: e.at, actor: actor, action: e.action, fromStage: e.fromStage, toStage: e.toStage,
                                 detail: e.detail, note: try cipher.openIfPresent(e.note, field: WorkflowField.eventNote(e.id)))
        if e.action == "assign" {
            let ids = assignmentIDs(e.detail)
            (view.assignee, view.previousAssignee) = (ids.to.map(who), ids.from.map(who))
        }
        return view
    }

    /// Staff emails by account id, for the ids given (unknown ids are simply absent).
    static func staffEmails(_ db: Database, ids: Set<String>) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db, sql: "SELECT id, email FROM staff_account WHERE id IN (SELECT value FROM json_each(?))",
                                    arguments: [String(data: try JSONEncoder().encode(Array(ids)), encoding: .utf8)])
        return try Dictionary(rows.map { (try $0.value("id", as: String.self), try $0.value("email", as: String.self)) }, uniquingKeysWith: { a, _ in a })
    }

    /// The same decryption as `decryptedReferral`, inside the caller's transaction.
    static func decryptReferral(_ record: CaseRecord, cipher: CaseCipher) throws -> DecryptedReferral {
        let preference = try cipher.openIfPresent(record.contactPreference, field: PersonalField.preference)
        let contact = ContactDetails(
            name: try cipher.openIfPresent(record.contactName, field: PersonalField.name),
            email: try cipher.openIfPresent(record.contactEmail, field: PersonalField.email),
            phone: try cipher.openIfPresent(record.contactPhone, field: PersonalField.phone),
            address: try cipher.openIfPresent(record.contactAddress, field: PersonalField.address),
            preference: preference.flatMap(ContactPreference.init(rawValue:)) ?? .portal,
            safeToLeaveMessage: try cipher.openIfPresent(record.contactSafeToLeaveMessage,
                                                         field: PersonalField.safeToLeaveMessage) == "yes",
            safeTimes: try cipher.openIfPresent(record.contactSafeTimes, field: PersonalField.safeTimes))
        return DecryptedReferral(caseID: record.id, reference: record.reference, contact: contact,
                                 story: try cipher.openIfPresent(record.story, field: PersonalField.story))
    }
}

extension CaseStore {
    // MARK: - One case

    /// One case, decrypted. The "case.read" audit row naming the reader is written in the same write
    /// transaction that reads the case, so it is committed before anything is returned.
    public func caseDetail(caseID: CaseID, by actor: StaffActor, acknowledgementWorkingDays: Int,
                           now: Date = Date()) async throws -> CaseDetail {
        try await writer.write { db in
            let current = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let detail = try AppDatabase.openedCase(db, current, by: actor, keys: keys, acknowledgementWorkingDays: acknowledgementWorkingDays, now: now)

            // The family's replies are now seen: only the assigned practitioner or a lead gets this far
            // (`workableCase`), so the work list's unread count drops only when someone responsible reads them.
            try db.execute(sql: "UPDATE case_message SET read_at = ? WHERE case_id = ? AND sender = 'family' AND read_at IS NULL",
                           arguments: [now, caseID])

            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .caseRead, caseID: caseID,
                                                detail: "stage=\(detail.stage.rawValue)"),
                                 at: now, keys: keys)
            return detail
        }
    }

    /// A case's events, oldest first, notes decrypted. Audited as "case.timeline" before returning.
    public func caseTimeline(caseID: CaseID, by actor: StaffActor) async throws -> [CaseEventView] {
        let now = Date()
        return try await writer.write { db in
            _ = try AppDatabase.workableCase(db, caseID: caseID, by: actor)
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let events = try AppDatabase.events(db, caseID: caseID)
            let emails = try AppDatabase.staffEmails(db, ids: Set(events.flatMap { e in
                [e.actor] + (e.action == "assign" ? [AppDatabase.assignmentIDs(e.detail).to, AppDatabase.assignmentIDs(e.detail).from].compactMap { $0 } : [])
            }))
            let views = try events.map { try AppDatabase.eventView($0, cipher: cipher, who: { emails[$0] ?? $0 }) }
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .caseTimeline, caseID: caseID,
                                                detail: "events=\(views.count)"),
                                 at: now, keys: keys)
            return views
        }
    }
}
