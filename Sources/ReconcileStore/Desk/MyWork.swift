import Foundation
import GRDB
import ReconcileCore

// What is due, for the staff home page and `GET /api/v1/my-work`: a practitioner's own cases, a lead's whole
// team plus unassigned cases and caseloads. Codes, references and dates only: no personal field is read.

/// One thing waiting on someone. `kind` is a code (see `WorkKind`); `due` a London day when it has one.
public struct WorkItem: Sendable, Equatable, Codable {
    public let kind: WorkKind
    public let caseID: String
    public let reference: String
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    public let due: String?
    public let overdue: Bool
    /// The follow-up, signpost or safeguarding referral the item is about, if it is about one.
    public let recordID: String?
    /// An appointment's start (the desk shows its time as well as its day).
    public var startsAt: Date? = nil
}

public enum WorkKind: String, Sendable, Codable, CaseIterable {
    case acknowledgement, followUp = "follow_up", signpostOutcome = "signpost_outcome"
    case safeguardingOutcome = "safeguarding_outcome", unreadReplies = "unread_replies", comeBack = "come_back"
    case unassigned
    /// An appointment today or later this week, or one that has started and is not yet recorded.
    case appointment
}

/// One practitioner's (or lead's) open cases and how many of their items are overdue.
public struct Caseload: Sendable, Equatable, Codable {
    public let email: String
    public let role: StaffRole
    public let openCases: Int
    public let overdueItems: Int
}

public struct MyWork: Sendable, Equatable {
    public let today: String
    /// Everything due, most pressing first (overdue, then by due day).
    public let items: [WorkItem]
    /// Leads only: each enabled practitioner and lead with their open caseload; nil for a practitioner.
    public let caseloads: [Caseload]?
    /// Leads only: cases in this month's records-check sample not yet reviewed.
    public let recordsToReview: Int?

    public func count(_ kind: WorkKind) -> Int { items.filter { $0.kind == kind }.count }
}

public struct MyWorkRules: Sendable {
    public var acknowledgementWorkingDays = 2
    /// A signpost without an outcome this many days after it was made is listed.
    public var signpostFollowUpDays = 14
    /// Follow-ups due within this many days are listed (today and the week ahead).
    public var followUpsAheadDays = 7
    /// Most items of one kind listed (the counts say the rest).
    public var perKind = 200

    public init(acknowledgementWorkingDays: Int = 2, signpostFollowUpDays: Int = 14) {
        self.acknowledgementWorkingDays = acknowledgementWorkingDays
        self.signpostFollowUpDays = signpostFollowUpDays
    }
}

extension AppDatabase {
    /// What is due for `actor`: a practitioner's assigned cases, or every case for a lead. Admin and council refused.
    public func myWork(by actor: StaffActor, rules: MyWorkRules, now: Date = Date()) async throws -> MyWork {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        let mine: String? = actor.role == .practitioner ? actor.id : nil
        let today = WorkingDays.londonDate(now)
        return try await reader.read { db in
            var items: [WorkItem] = []
            let scope = mine == nil ? "" : " AND c.assigned_to = ?"
            let who: StatementArguments = mine.map { [$0] } ?? []
            func fetch(_ kind: WorkKind, _ sql: String, _ arguments: StatementArguments,
                       item: (Row) throws -> (due: String?, overdue: Bool, record: String?)) throws {
                for row in try Row.fetchAll(db, sql: sql + " LIMIT ?", arguments: arguments + [rules.perKind]) {
                    let (due, overdue, record) = try item(row)
                    items.append(WorkItem(kind: kind, caseID: try row.value("id"), reference: try row.value("reference"),
                                          assignedTo: try row.value("assignee"), due: due, overdue: overdue, recordID: record))
                }
            }
            let select = "SELECT c.id, c.reference, s.email AS assignee"
            let join = "LEFT JOIN staff_account s ON s.id = c.assigned_to"
            try fetch(.acknowledgement, """
                \(select), c.received_at FROM referral_case c \(join)
                WHERE c.stage = 'received' AND c.erased_at IS NULL\(scope) ORDER BY c.received_at
                """, who) { row in
                let received: Date = try row.value("received_at")
                let deadline = WorkingDays.deadline(receivedAt: received, workingDays: rules.acknowledgementWorkingDays)
                return (WorkingDays.londonDate(deadline.addingTimeInterval(-1)), now >= deadline, nil)
            }
            try fetch(.followUp, """
                \(select), f.id AS record, f.due_on FROM case_follow_up f JOIN referral_case c ON c.id = f.case_id \(join)
                WHERE f.done_at IS NULL AND f.due_on <= ? AND c.erased_at IS NULL\(scope) ORDER BY f.due_on
                """, [WorkingDays.day(rules.followUpsAheadDays, after: today) ?? today] + who) { row in
                let due: String = try row.value("due_on")
                return (due, due < today, try row.value("record"))
            }
            try fetch(.signpostOutcome, """
                \(select), p.id AS record, p.created_at FROM signpost p JOIN referral_case c ON c.id = p.case_id \(join)
                WHERE p.outcome = 'pending' AND p.created_at <= ? AND c.erased_at IS NULL\(scope) ORDER BY p.created_at
                """, [now.addingTimeInterval(-Double(rules.signpostFollowUpDays) * 86_400)] + who) { row in
                let made: Date = try row.value("created_at")
                return (WorkingDays.londonDate(made.addingTimeInterval(Double(rules.signpostFollowUpDays) * 86_400)), true, try row.value("record"))
            }
            try fetch(.safeguardingOutcome, """
                \(select), e.id AS record, e.escalated_at FROM safeguarding_escalation e JOIN referral_case c ON c.id = e.case_id \(join)
                WHERE e.outcome = 'pending' AND c.erased_at IS NULL\(scope) ORDER BY e.escalated_at
                """, who) { row in
                let at: Date = try row.value("escalated_at")
                return (nil, WorkingDays.isOverdue(receivedAt: at, now: now, workingDays: RecordsRules.safeguardingOutcomeWorkingDays),
                        try row.value("record"))
            }
            try fetch(.unreadReplies, """
                \(select) FROM referral_case c \(join)
                WHERE c.id IN (SELECT m.case_id FROM case_message m WHERE m.sender = 'family' AND m.read_at IS NULL)
                  AND c.erased_at IS NULL\(scope) ORDER BY c.received_at
                """, who) { _ in (nil, false, nil) }
            try fetch(.comeBack, """
                \(select) FROM referral_case c \(join)
                WHERE c.come_back_requested_at IS NOT NULL AND c.erased_at IS NULL\(scope) ORDER BY c.come_back_requested_at
                """, who) { _ in (nil, false, nil) }
            items += try Self.deskAppointments(db, practitioner: mine, now: now, limit: rules.perKind)
            guard mine == nil else { return MyWork(today: today, items: Self.ordered(items), caseloads: nil, recordsToReview: nil) }

            try fetch(.unassigned, """
                \(select), c.stage, c.received_at FROM referral_case c INDEXED BY referral_case_unassigned_open \(join)
                WHERE c.assigned_to IS NULL AND c.erased_at IS NULL AND c.stage <> 'closed' ORDER BY c.received_at
                """, []) { row in
                let received: Date = try row.value("received_at")
                let stage: String = try row.value("stage")
                return (nil, stage == Stage.received.rawValue
                        && WorkingDays.isOverdue(receivedAt: received, now: now, workingDays: rules.acknowledgementWorkingDays), nil)
            }
            let overdueBy = Dictionary(grouping: items.filter { $0.overdue && $0.assignedTo != nil }) { $0.assignedTo ?? "" }
            let caseloads = try Self.openCaseloads(db).map {
                Caseload(email: $0.email, role: $0.role, openCases: $0.openCases, overdueItems: overdueBy[$0.email]?.count ?? 0)
            }
            let toReview = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM records_sample_case WHERE month = ? AND reviewed_at IS NULL
                """, arguments: [String(today.prefix(7))]) ?? 0
            return MyWork(today: today, items: Self.ordered(items), caseloads: caseloads, recordsToReview: toReview)
        }
    }

    /// Overdue first, then by due day (undated last), keeping each kind's own order otherwise.
    private static func ordered(_ items: [WorkItem]) -> [WorkItem] {
        items.enumerated().sorted { a, b in
            if a.element.overdue != b.element.overdue { return a.element.overdue }
            switch (a.element.due, b.element.due) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }
}
