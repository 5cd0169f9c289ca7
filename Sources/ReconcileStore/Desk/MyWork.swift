import Foundation
import GRDB
import ReconcileCore

// What is due, for the staff home page and `GET /api/v1/my-work`: a practitioner's own cases, a lead's whole
// team plus unassigned cases and caseloads. Codes, references and dates only: no personal field is read.

/// One thing waiting on someone. `kind` is a code (see `WorkKind`); `due` a London day when it has one.
public struct WorkItem: Sendable, Equatable, Codable {
    public let kind: WorkKind
    public let caseID: CaseID
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
    /// Everything due, most pressing first (overdue, then by due day), at most `MyWorkRules.perKind` of each kind.
    public let items: [WorkItem]
    /// How many of each kind there are in all (listed or not), counted up to `MyWorkRules.countCap`.
    public let counts: [WorkKind: Int]
    /// How many of those are overdue, counted the same way.
    public let overdue: Int
    /// Leads only: each enabled practitioner and lead with their open caseload; nil for a practitioner.
    public let caseloads: [Caseload]?
    /// Leads only: cases in this month's records-check sample not yet reviewed.
    public let recordsToReview: Int?

    public func count(_ kind: WorkKind) -> Int { counts[kind] ?? 0 }
}

public struct MyWorkRules: Sendable {
    public var acknowledgementWorkingDays = 2
    /// A signpost without an outcome this many days after it was made is listed.
    public var signpostFollowUpDays = 14
    /// Follow-ups due within this many days are listed (today and the week ahead).
    public var followUpsAheadDays = 7
    /// Most items of one kind listed for a practitioner, and for a lead (the whole team: the most pressing, then
    /// the counts say the rest; building and sending 200 of each kind was half a lead's desk time).
    public var perKind = 200
    public var perKindForTeam = 50
    /// Counting stops here: years of closed cases can leave tens of thousands of signposts without an outcome, and
    /// the desk answers within 50 ms. A count at the cap means "this many or more".
    public static let countCap = 500

    public init(acknowledgementWorkingDays: Int = 2, signpostFollowUpDays: Int = 14) {
        self.acknowledgementWorkingDays = acknowledgementWorkingDays
        self.signpostFollowUpDays = signpostFollowUpDays
    }
}

extension AppDatabase {
    /// Overdue first, then by due day (undated last), keeping each kind's own order otherwise.
    fileprivate static func ordered(_ items: [WorkItem]) -> [WorkItem] {
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

extension DeskStore {
    /// What is due for `actor`: a practitioner's assigned cases, or every case for a lead. Admin and council refused.
    public func myWork(by actor: StaffActor, rules: MyWorkRules, now: Date = Date()) async throws -> MyWork {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        let mine: String? = actor.role == .practitioner ? actor.id : nil
        let today = WorkingDays.londonDate(now)
        return try await reader.read { db in
            let due = DueLists(rules: rules, now: now, today: today, practitioner: mine)
            var items: [WorkItem] = [], counts: [WorkKind: Int] = [:], overdue = 0
            let listed = mine == nil ? rules.perKindForTeam : rules.perKind
            for list in due.lists {
                items += try list.items(db, limit: listed)
                let (all, late) = try list.count(db, cap: MyWorkRules.countCap)
                counts[list.kind] = all
                overdue += late
            }
            let appointments = try AppDatabase.deskAppointments(db, practitioner: mine, now: now, limit: listed)
            items += appointments
            counts[.appointment] = appointments.count
            overdue += appointments.filter(\.overdue).count
            guard mine == nil else {
                return MyWork(today: today, items: AppDatabase.ordered(items), counts: counts, overdue: overdue, caseloads: nil, recordsToReview: nil)
            }
            let overdueBy = try due.overdueOnOpenCasesByPerson(db)
            let caseloads = try AppDatabase.openCaseloads(db).map {
                Caseload(email: $0.email, role: $0.role, openCases: $0.openCases, overdueItems: overdueBy[$0.email] ?? 0)
            }
            let toReview = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM records_sample_case WHERE month = ? AND reviewed_at IS NULL
                """, arguments: [String(today.prefix(7))]) ?? 0
            return MyWork(today: today, items: AppDatabase.ordered(items), counts: counts, overdue: overdue,
                          caseloads: caseloads, recordsToReview: toReview)
        }
    }
}
