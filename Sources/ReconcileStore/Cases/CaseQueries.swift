import Foundation
import GRDB
import ReconcileCore

// Reading cases for staff: the work list (no personal fields), one case decrypted, and its timeline.
// Every read that decrypts writes its audit row in a write transaction before any data is returned.

/// One line of the work list. Holds no personal field.
public struct CaseSummary: Sendable, Equatable, Codable {
    public let id: String
    public let reference: String
    public let stage: Stage
    public let councilArea: String
    public let receivedAt: Date
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    /// Still `received` and past the acknowledgement target.
    public let overdue: Bool
    /// Messages from the family not yet seen by staff (marked read when the case is opened in `caseDetail`).
    public let unreadReplies: Int

    public init(id: String, reference: String, stage: Stage, councilArea: String, receivedAt: Date,
                assignedTo: String?, overdue: Bool, unreadReplies: Int = 0) {
        self.id = id
        self.reference = reference
        self.stage = stage
        self.councilArea = councilArea
        self.receivedAt = receivedAt
        self.assignedTo = assignedTo
        self.overdue = overdue
        self.unreadReplies = unreadReplies
    }
}

/// Narrows the work list. A practitioner's list is always only their own cases; a filter cannot widen it.
public struct CaseListFilter: Sendable, Equatable {
    public var stage: Stage?
    /// A staff account id.
    public var assignedTo: String?
    public var unassigned: Bool
    public var overdue: Bool?

    public init(stage: Stage? = nil, assignedTo: String? = nil, unassigned: Bool = false, overdue: Bool? = nil) {
        self.stage = stage
        self.assignedTo = assignedTo
        self.unassigned = unassigned
        self.overdue = overdue
    }
}

/// One page of the work list, newest first. `nextCursor` is nil on the last page.
public struct CaseListPage: Sendable, Equatable {
    public let cases: [CaseSummary]
    public let nextCursor: String?

    public init(cases: [CaseSummary], nextCursor: String?) {
        self.cases = cases
        self.nextCursor = nextCursor
    }
}

public struct ListeningSessionView: Sendable, Equatable, Codable {
    public let id: String
    public let heldOn: String
    public let durationMinutes: Int
    public let modality: ListeningModality
    public let note: String?
    public let recordedAt: Date
    /// Staff email (or the account id if the account is gone).
    public let recordedBy: String
}

public struct AssessmentView: Sendable, Equatable, Codable {
    public let id: String
    public let level: LevelOfNeed
    public let needs: [Need]
    public let note: String?
    public let assessedAt: Date
    public let assessedBy: String
}

public struct SignpostView: Sendable, Equatable, Codable {
    public let id: String
    public let serviceID: String
    public let need: Need
    public let outcome: SignpostOutcome
    public let note: String?
    public let createdAt: Date
    public let createdBy: String
    public let outcomeAt: Date?
}

public struct SafeguardingView: Sendable, Equatable, Codable {
    public let id: String
    public let route: SafeguardingRoute
    public let note: String?
    public let escalatedAt: Date
    public let escalatedBy: String
}

public struct MessageView: Sendable, Equatable, Codable {
    public let id: String
    /// "partner" or "family".
    public let sender: String
    public let body: String
    public let sentAt: Date
}

public struct CaseEventView: Sendable, Equatable, Codable {
    public let id: String
    public let at: Date
    /// Staff email, or "family" / "system".
    public let actor: String
    public let action: String
    public let fromStage: Stage
    public let toStage: Stage
    /// Codes and ids only, e.g. "method=phone".
    public let detail: String?
    public let note: String?
}

/// One case as a practitioner or lead sees it, personal fields decrypted.
public struct CaseDetail: Sendable, Equatable {
    public let id: String
    public let reference: String
    public let stage: Stage
    public let closeReason: CloseReason?
    public let councilArea: String
    public let receivedAt: Date
    public let acknowledgedAt: Date?
    public let closedAt: Date?
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    public let overdue: Bool
    /// An earlier case with the same email or phone (blind index match), if any.
    public let duplicateOf: String?
    /// Contact details and story.
    public let referral: DecryptedReferral
    // Statistical answers from intake.
    public let referrerRole: ReferrerRole
    public let setting: ReconcileCore.Setting
    public let harm: [Harm]
    public let whenAgo: HowLongAgo
    public let toldBefore: [ToldBefore]
    public let wishes: [Wish]
    public let consentStatistics: Bool
    // Work on the case, oldest first.
    public let listeningSessions: [ListeningSessionView]
    public let assessments: [AssessmentView]
    public let signposts: [SignpostView]
    public let safeguarding: [SafeguardingView]
    public let messages: [MessageView]
    public let events: [CaseEventView]
}

/// The position after which the next page starts: the last case's `received_at` exactly as stored, and id.
struct CaseListCursor: Equatable {
    let receivedAt: String
    let id: String

    var encoded: String {
        Data("v1|\(receivedAt)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(receivedAt: String, id: String) {
        self.receivedAt = receivedAt
        self.id = id
    }

    /// Only what `encoded` produces is accepted: bounded, base64url, three parts, a GRDB timestamp, an id.
    init(decoding text: String) throws {
        guard (1...200).contains(text.utf8.count),
              text.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                  || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw WorkflowError.invalidCursor
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else {
            throw WorkflowError.invalidCursor
        }
        let parts = plain.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "v1",
              parts[1].range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$"#,
                             options: .regularExpression) != nil,
              parts[2].range(of: "^[0-9A-Za-z-]{1,64}$", options: .regularExpression) != nil else {
            throw WorkflowError.invalidCursor
        }
        receivedAt = parts[1]
        id = parts[2]
    }
}

extension AppDatabase {
    // MARK: - Work list

    /// The work list, newest first (`received_at DESC, id DESC`), with keyset paging. Leads see every case;
    /// practitioners only those assigned to them; admin and council are refused. Erased cases are left out.
    public func caseList(filter: CaseListFilter, limit: Int, cursor: String?, by actor: StaffActor,
                         acknowledgementWorkingDays: Int, now: Date = Date()) async throws -> CaseListPage {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        let limit = min(max(limit, 1), 1000)
        let after = try cursor.map { try CaseListCursor(decoding: $0) }

        var conditions = ["c.erased_at IS NULL"]
        var arguments: [String] = []
        var stage = filter.stage
        if filter.overdue == true {
            // Only received cases can be overdue.
            if let s = stage, s != .received { return CaseListPage(cases: [], nextCursor: nil) }
            stage = .received
        }
        if let stage {
            conditions.append("c.stage = ?")
            arguments.append(stage.rawValue)
        }
        var assignee = filter.assignedTo
        if actor.role == .practitioner {
            if filter.unassigned || (assignee != nil && assignee != actor.id) { return CaseListPage(cases: [], nextCursor: nil) }
            assignee = actor.id
        }
        if filter.unassigned {
            if assignee != nil { return CaseListPage(cases: [], nextCursor: nil) }
            conditions.append("c.assigned_to IS NULL")
        }
        if let assignee {
            conditions.append("c.assigned_to = ?")
            arguments.append(assignee)
        }
        let baseConditions = conditions, baseArguments = arguments
        // Rows are read in batches and the overdue filter applied here: overdue depends on working days
        // (weekends), so it is not one SQL cutoff. Keep reading until a full page and one more are found.
        let batchSize = max(limit + 1, 200)

        return try await reader.read { db in
            var matches: [(summary: CaseSummary, position: CaseListCursor)] = []
            var position = after
            scanning: while true {
                var conditions = baseConditions, arguments = baseArguments
                if let position {
                    conditions.append("(c.received_at < ? OR (c.received_at = ? AND c.id < ?))")
                    arguments += [position.receivedAt, position.receivedAt, position.id]
                }
                let statementArguments = StatementArguments(arguments) + [batchSize]
                let rows = try Row.fetchAll(db, sql: """
                    SELECT c.id, c.reference, c.stage, c.council_area, c.received_at, s.email AS assignee_email,
                           (SELECT COUNT(*) FROM case_message m
                            WHERE m.case_id = c.id AND m.sender = 'family' AND m.read_at IS NULL) AS unread_replies
                    FROM referral_case c LEFT JOIN staff_account s ON s.id = c.assigned_to
                    WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY c.received_at DESC, c.id DESC
                    LIMIT ?
                    """, arguments: statementArguments)
                for row in rows {
                    let id: String = row["id"]
                    let receivedText: String = row["received_at"]
                    let receivedAt: Date = row["received_at"]
                    position = CaseListCursor(receivedAt: receivedText, id: id)
                    guard let stage = Stage(rawValue: row["stage"] as String) else {
                        throw StoreError.integrity("case \(id) has an unknown stage")
                    }
                    let overdue = stage == .received
                        && WorkingDays.isOverdue(receivedAt: receivedAt, now: now, workingDays: acknowledgementWorkingDays)
                    if let wanted = filter.overdue, wanted != overdue { continue }
                    let summary = CaseSummary(id: id, reference: row["reference"], stage: stage,
                                              councilArea: row["council_area"], receivedAt: receivedAt,
                                              assignedTo: row["assignee_email"], overdue: overdue,
                                              unreadReplies: row["unread_replies"])
                    matches.append((summary, CaseListCursor(receivedAt: receivedText, id: id)))
                    if matches.count > limit { break scanning }
                }
                if rows.count < batchSize { break }
            }
            if matches.count > limit {
                return CaseListPage(cases: matches.prefix(limit).map(\.summary), nextCursor: matches[limit - 1].position.encoded)
            }
            return CaseListPage(cases: matches.map(\.summary), nextCursor: nil)
        }
    }

    // MARK: - One case

    /// One case, decrypted. The "case.read" audit row naming the reader is written in the same write
    /// transaction that reads the case, so it is committed before anything is returned.
    public func caseDetail(caseID: String, by actor: StaffActor, keys: KeyRing, acknowledgementWorkingDays: Int,
                           now: Date = Date()) async throws -> CaseDetail {
        try await writer.write { db in
            let current = try Self.workableCase(db, caseID: caseID, by: actor)
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
            if let assignee = current.assignedTo { staffIDs.insert(assignee) }
            let emails = try Self.staffEmails(db, ids: staffIDs)
            func who(_ id: String) -> String { emails[id] ?? id }

            let detail = CaseDetail(
                id: record.id, reference: record.reference, stage: record.stage, closeReason: record.closeReason,
                councilArea: record.councilArea, receivedAt: record.receivedAt,
                acknowledgedAt: rows.acknowledgedAt, closedAt: rows.closedAt,
                assignedTo: current.assignedTo.map(who),
                overdue: record.stage == .received
                    && WorkingDays.isOverdue(receivedAt: record.receivedAt, now: now, workingDays: acknowledgementWorkingDays),
                duplicateOf: try Self.visibleDuplicate(db, record.duplicateOf, to: actor), referral: referral,
                referrerRole: record.referrerRole, setting: record.setting, harm: record.harm, whenAgo: record.whenAgo,
                toldBefore: record.toldBefore, wishes: record.wishes, consentStatistics: record.consentStatistics,
                listeningSessions: try sessions.map { s in
                    ListeningSessionView(id: s.id, heldOn: s.heldOn, durationMinutes: s.durationMinutes, modality: s.modality,
                                         note: try cipher.openIfPresent(s.note, field: WorkflowField.listeningNote(s.id)),
                                         recordedAt: s.recordedAt, recordedBy: who(s.recordedBy))
                },
                assessments: try assessments.map { a in
                    AssessmentView(id: a.id, level: a.levelOfNeed, needs: a.needs,
                                   note: try cipher.openIfPresent(a.note, field: WorkflowField.assessmentNote(a.id)),
                                   assessedAt: a.assessedAt, assessedBy: who(a.assessedBy))
                },
                signposts: try signposts.map { s in
                    SignpostView(id: s.id, serviceID: s.serviceId, need: s.need, outcome: s.outcome,
                                 note: try cipher.openIfPresent(s.note, field: WorkflowField.signpostNote(s.id)),
                                 createdAt: s.createdAt, createdBy: who(s.createdBy), outcomeAt: s.outcomeAt)
                },
                safeguarding: try escalations.map { e in
                    SafeguardingView(id: e.id, route: e.route,
                                     note: try cipher.openIfPresent(e.note, field: WorkflowField.safeguardingNote(e.id)),
                                     escalatedAt: e.escalatedAt, escalatedBy: who(e.escalatedBy))
                },
                messages: try messages.map { m in
                    MessageView(id: m.id, sender: m.sender.rawValue,
                                body: try cipher.open(m.body, field: WorkflowField.messageBody(m.id)), sentAt: m.sentAt)
                },
                events: try events.map { try Self.eventView($0, cipher: cipher, who: who) })

            // The family's replies are now seen: only the assigned practitioner or a lead gets this far
            // (`workableCase`), so the work list's unread count drops only when someone responsible reads them.
            try db.execute(sql: "UPDATE case_message SET read_at = ? WHERE case_id = ? AND sender = 'family' AND read_at IS NULL",
                           arguments: [now, caseID])

            try Self.appendAudit(db, AuditEntry(actor: actor.id, action: "case.read", caseID: caseID,
                                                detail: "stage=\(record.stage.rawValue)"),
                                 at: now, keys: keys)
            return detail
        }
    }

    /// A case's events, oldest first, notes decrypted. Audited as "case.timeline" before returning.
    public func caseTimeline(caseID: String, by actor: StaffActor, keys: KeyRing) async throws -> [CaseEventView] {
        let now = Date()
        return try await writer.write { db in
            _ = try Self.workableCase(db, caseID: caseID, by: actor)
            let cipher = try Self.caseCipher(db, caseID: caseID, keys: keys)
            let events = try Self.events(db, caseID: caseID)
            let emails = try Self.staffEmails(db, ids: Set(events.map(\.actor)))
            let views = try events.map { try Self.eventView($0, cipher: cipher, who: { emails[$0] ?? $0 }) }
            try Self.appendAudit(db, AuditEntry(actor: actor.id, action: "case.timeline", caseID: caseID,
                                                detail: "events=\(views.count)"),
                                 at: now, keys: keys)
            return views
        }
    }

    // MARK: - Helpers

    /// Everything stored about one case, read inside the caller's transaction, personal fields opened:
    /// shared by the staff case page and the family's export so both see the same rows in the same order.
    struct CaseRows {
        let record: CaseRecord
        let acknowledgedAt: Date?
        let closedAt: Date?
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
    static func visibleDuplicate(_ db: Database, _ id: String?, to actor: StaffActor) throws -> String? {
        guard let id, let row = try Row.fetchOne(db, sql: "SELECT assigned_to, erased_at FROM referral_case WHERE id = ?", arguments: [id]),
              (row["erased_at"] as DatabaseValue).isNull, actor.mayWork(caseAssignedTo: row["assigned_to"]) else { return nil }
        return id
    }

    static func caseRows(_ db: Database, caseID: String, keys: KeyRing) throws -> CaseRows {
        guard let record = try CaseRecord.fetchOne(db, key: caseID),
              let extra = try Row.fetchOne(db, sql: "SELECT acknowledged_at, closed_at FROM referral_case WHERE id = ?",
                                           arguments: [caseID]) else {
            throw StoreError.caseNotFound
        }
        let cipher = try caseCipher(db, caseID: caseID, keys: keys)
        return CaseRows(
            record: record, acknowledgedAt: extra["acknowledged_at"], closedAt: extra["closed_at"], cipher: cipher,
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

    static func events(_ db: Database, caseID: String) throws -> [CaseEventRecord] {
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
        return CaseEventView(id: e.id, at: e.at, actor: actor, action: e.action, fromStage: e.fromStage, toStage: e.toStage,
                             detail: e.detail, note: try cipher.openIfPresent(e.note, field: WorkflowField.eventNote(e.id)))
    }

    /// Staff emails by account id, for the ids given (unknown ids are simply absent).
    static func staffEmails(_ db: Database, ids: Set<String>) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(db, sql: "SELECT id, email FROM staff_account WHERE id IN (SELECT value FROM json_each(?))",
                                    arguments: [String(data: try JSONEncoder().encode(Array(ids)), encoding: .utf8)])
        return Dictionary(rows.map { ($0["id"] as String, $0["email"] as String) }, uniquingKeysWith: { a, _ in a })
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
