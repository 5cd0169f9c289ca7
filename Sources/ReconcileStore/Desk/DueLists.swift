import Foundation
import GRDB
import ReconcileCore

/// One kind of work due, as SQL: the rows it lists and how many there are. Each kind is read for one practitioner
/// through the indexes of their own cases (a few thousand short probes at most, however many cases the service
/// holds), or for the whole team through the partial indexes of what still waits.
struct DueList {
    let kind: WorkKind
    /// `FROM` and joins, naming the case `c`; counting may read other indexes (`countFrom`), the list needs the row.
    let from: String
    var countFrom: String? = nil
    /// `WHERE` terms and their arguments.
    let filter: String
    let arguments: StatementArguments
    /// Extra columns the item is worked out from (`record` for the row the item is about).
    var columns = ""
    let order: String
    /// SQL that is 1 for an overdue row, with its arguments (bound before the filter's).
    var late = "0"
    var lateArguments: StatementArguments = []
    let item: (Row) throws -> (due: String?, overdue: Bool, record: String?)

    func items(_ db: Database, limit: Int) throws -> [WorkItem] {
        try Row.fetchAll(db, sql: """
            SELECT c.id, c.reference, s.email AS assignee\(columns) FROM \(from) LEFT JOIN staff_account s ON s.id = c.assigned_to
            WHERE \(filter) ORDER BY \(order) LIMIT ?
            """, arguments: arguments + [limit]).map { row in
            let (due, overdue, record) = try item(row)
            return WorkItem(kind: kind, caseID: try row.value("id"), reference: try row.value("reference"),
                            assignedTo: try row.value("assignee"), due: due, overdue: overdue, recordID: record)
        }
    }

    /// How many rows there are and how many are overdue, each at most `cap`.
    func count(_ db: Database, cap: Int) throws -> (all: Int, overdue: Int) {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS n, COALESCE(SUM(late), 0) AS late FROM (SELECT (\(late)) AS late FROM \(countFrom ?? from) WHERE \(filter) LIMIT ?)
            """, arguments: lateArguments + arguments + [cap]) else { return (0, 0) }
        return (try row.value("n"), try row.value("late"))
    }
}

/// Every kind of work due for one practitioner (`practitioner` set) or the team, at one moment.
struct DueLists {
    let lists: [DueList]
    /// Received before this, an acknowledgement (or a safeguarding outcome) is overdue.
    private let acknowledgementsLateBefore, safeguardingLateBefore: Date
    private let signpostsListedFrom: Date
    private let now: Date
    private let today: String

    init(rules: MyWorkRules, now: Date, today: String, practitioner: String?) {
        self.now = now
        self.today = today
        let ackCut = WorkingDays.overdueBefore(now: now, workingDays: rules.acknowledgementWorkingDays)
        let safeguardingCut = WorkingDays.overdueBefore(now: now, workingDays: RecordsRules.safeguardingOutcomeWorkingDays)
        let signpostDays = Double(rules.signpostFollowUpDays) * 86_400
        let signpostCut = now.addingTimeInterval(-signpostDays)
        (acknowledgementsLateBefore, safeguardingLateBefore, signpostsListedFrom) = (ackCut, safeguardingCut, signpostCut)

        let person = practitioner == nil ? "" : " AND c.assigned_to = ?"
        let who: StatementArguments = practitioner.map { [$0] } ?? []
        // A practitioner's cases, read from the index alone (their ids) and joined to what waits on each.
        let theirCases = "referral_case c INDEXED BY referral_case_live_assigned"
        let mine = practitioner != nil
        var lists = [
            DueList(kind: .acknowledgement,
                    from: mine ? "referral_case c INDEXED BY referral_case_open_by_person" : "referral_case c INDEXED BY referral_case_awaiting_ack",
                    filter: "c.stage = 'received'\(mine ? " AND c.stage <> 'closed'" : "") AND c.erased_at IS NULL" + person, arguments: who,
                    columns: ", c.received_at", order: "c.received_at", late: "c.received_at < ?", lateArguments: [ackCut]) { row in
                let received: Date = try row.value("received_at")
                let deadline = WorkingDays.deadline(receivedAt: received, workingDays: rules.acknowledgementWorkingDays)
                return (WorkingDays.londonDate(deadline.addingTimeInterval(-1)), received < ackCut, nil)
            },
            DueList(kind: .followUp,
                    from: mine ? "\(theirCases) JOIN case_follow_up f ON f.case_id = c.id" : "case_follow_up f JOIN referral_case c ON c.id = f.case_id",
                    filter: "f.done_at IS NULL AND f.due_on <= ? AND c.erased_at IS NULL" + person,
                    arguments: [WorkingDays.day(rules.followUpsAheadDays, after: today) ?? today] + who,
                    columns: ", f.id AS record, f.due_on", order: "f.due_on", late: "f.due_on < ?", lateArguments: [today]) { row in
                let due: String = try row.value("due_on")
                return (due, due < today, try row.value("record"))
            },
            // Outcomes often arrive after a case has closed, so closed cases' signposts and safeguarding stay due.
            DueList(kind: .signpostOutcome,
                    from: mine ? "\(theirCases) JOIN signpost p INDEXED BY signpost_pending_case ON p.case_id = c.id"
                        : "signpost p INDEXED BY signpost_pending JOIN referral_case c ON c.id = p.case_id",
                    countFrom: mine ? nil : "signpost p INDEXED BY signpost_pending JOIN referral_case c INDEXED BY referral_case_live_ids ON c.id = p.case_id",
                    filter: "p.outcome = 'pending' AND p.case_erased = 0 AND p.created_at <= ? AND c.erased_at IS NULL" + person, arguments: [signpostCut] + who,
                    columns: ", p.id AS record, p.created_at", order: "p.created_at", late: "1") { row in
                let made: Date = try row.value("created_at")
                return (WorkingDays.londonDate(made.addingTimeInterval(signpostDays)), true, try row.value("record"))
            },
            DueList(kind: .safeguardingOutcome,
                    from: mine ? "\(theirCases) JOIN safeguarding_escalation e INDEXED BY safeguarding_pending_case ON e.case_id = c.id"
                        : "safeguarding_escalation e INDEXED BY safeguarding_pending JOIN referral_case c ON c.id = e.case_id",
                    countFrom: mine ? nil
                        : "safeguarding_escalation e INDEXED BY safeguarding_pending JOIN referral_case c INDEXED BY referral_case_live_ids ON c.id = e.case_id",
                    filter: "e.outcome = 'pending' AND e.case_erased = 0 AND c.erased_at IS NULL" + person, arguments: who,
                    columns: ", e.id AS record, e.escalated_at", order: "e.escalated_at",
                    late: "e.escalated_at < ?", lateArguments: [safeguardingCut]) { row in
                let at: Date = try row.value("escalated_at")
                return (nil, at < safeguardingCut, try row.value("record"))
            },
            DueList(kind: .unreadReplies, from: mine ? theirCases : "referral_case c",
                    filter: """
                        c.id IN (SELECT m.case_id FROM case_message m WHERE m.sender = 'family' AND m.read_at IS NULL)
                          AND c.erased_at IS NULL\(person)
                        """, arguments: who, order: "c.received_at") { _ in (nil, false, nil) },
            DueList(kind: .comeBack, from: "referral_case c INDEXED BY referral_case_come_back",
                    filter: "c.come_back_requested_at IS NOT NULL AND c.erased_at IS NULL" + person, arguments: who,
                    order: "c.come_back_requested_at") { _ in (nil, false, nil) },
        ]
        if !mine {
            lists.append(DueList(kind: .unassigned, from: "referral_case c INDEXED BY referral_case_unassigned_open",
                                 filter: "c.assigned_to IS NULL AND c.erased_at IS NULL AND c.stage <> 'closed'", arguments: [],
                                 columns: ", c.stage, c.received_at", order: "c.received_at",
                                 late: "c.stage = 'received' AND c.received_at < ?", lateArguments: [ackCut]) { row in
                let received: Date = try row.value("received_at")
                let stage: String = try row.value("stage")
                return (nil, stage == Stage.received.rawValue && received < ackCut, nil)
            })
        }
        self.lists = lists
    }

    /// Each person's overdue items on their open cases (email → count), for the lead's caseload table: one pass over
    /// the open cases' index with a short probe per case, so closed cases (however many years of them) cost nothing.
    func overdueOnOpenCasesByPerson(_ db: Database) throws -> [String: Int] {
        var overdue: [String: Int] = [:]
        let onCases = try Row.fetchAll(db, sql: """
            SELECT s.email, SUM((c.stage = 'received' AND c.received_at < ?)
                + (SELECT COUNT(*) FROM signpost p INDEXED BY signpost_pending_case
                   WHERE p.case_id = c.id AND p.outcome = 'pending' AND p.case_erased = 0 AND p.created_at <= ?)
                + (SELECT COUNT(*) FROM safeguarding_escalation e INDEXED BY safeguarding_pending_case
                   WHERE e.case_id = c.id AND e.outcome = 'pending' AND e.case_erased = 0 AND e.escalated_at < ?)
                + (SELECT COUNT(*) FROM case_follow_up f INDEXED BY case_follow_up_case
                   WHERE f.case_id = c.id AND f.done_at IS NULL AND f.due_on < ?)) AS late
            FROM referral_case c INDEXED BY referral_case_open_by_person JOIN staff_account s ON s.id = c.assigned_to
            WHERE c.assigned_to IS NOT NULL AND c.stage <> 'closed' AND c.erased_at IS NULL
            GROUP BY s.email
            """, arguments: [acknowledgementsLateBefore, signpostsListedFrom, safeguardingLateBefore, today])
        let appointments = try Row.fetchAll(db, sql: """
            SELECT s.email, COUNT(*) AS late FROM case_appointment a INDEXED BY case_appointment_starts
            JOIN referral_case c ON c.id = a.case_id JOIN staff_account s ON s.id = a.practitioner_id
            WHERE a.starts_at >= ? AND a.starts_at <= ? AND a.status IN ('scheduled', 'moved')
              AND c.stage <> 'closed' AND c.erased_at IS NULL
            GROUP BY s.email
            """, arguments: [now.addingTimeInterval(-14 * 86_400), now])
        for row in onCases + appointments {
            let email: String = try row.value("email")
            overdue[email, default: 0] += try row.value("late")
        }
        return overdue
    }
}
