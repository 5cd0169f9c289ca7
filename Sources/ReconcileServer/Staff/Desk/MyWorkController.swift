import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// What is due: `GET /api/v1/my-work` and the staff home page (`/staff`). Both read the one store query; the
/// lists carry references, codes and dates only, so neither writes an audit row (nothing personal is shown).
struct MyWorkController {
    let stores: Stores
    let settings: Settings
    let kit: StaffPageKit

    var rules: MyWorkRules {
        MyWorkRules(acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays,
                    signpostFollowUpDays: settings.workflow.signpostFollowUpDays)
    }

    func addRoutes(api: RouterGroup<StaffRequestContext>) {
        api.get(use: myWorkAPI)
    }

    // MARK: API

    struct Answer: ResponseEncodable {
        struct Item: Encodable {
            let kind: WorkKind
            let caseId: CaseID
            let reference: String
            let assignedTo, due, recordId: String?
            let overdue: Bool

            enum CodingKeys: String, CodingKey { case kind, caseId, reference, assignedTo, due, recordId, overdue }

            /// Absent values are written as null, so every item has the same keys.
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(kind, forKey: .kind)
                try c.encode(caseId, forKey: .caseId)
                try c.encode(reference, forKey: .reference)
                try c.encode(assignedTo, forKey: .assignedTo)
                try c.encode(due, forKey: .due)
                try c.encode(recordId, forKey: .recordId)
                try c.encode(overdue, forKey: .overdue)
            }
        }
        let today: String
        let counts: [String: Int]
        let overdue: Int
        let items: [Item]
        let caseloads: [Caseload]?
        let recordsToReview: Int?
    }

    @Sendable func myWorkAPI(request: Request, context: StaffRequestContext) async throws -> Answer {
        let work = try await stores.desk.myWork(by: context.staff.actor, rules: rules)
        return Answer(today: work.today, counts: Dictionary(uniqueKeysWithValues: Self.kinds(for: context.staff).map { ($0.rawValue, work.count($0)) }),
                      overdue: work.overdue,
                      items: work.items.map { Answer.Item(kind: $0.kind, caseId: $0.caseID, reference: $0.reference, assignedTo: $0.assignedTo,
                                                          due: $0.due, recordId: $0.recordID, overdue: $0.overdue) },
                      caseloads: work.caseloads, recordsToReview: work.recordsToReview)
    }

    /// A count as the page says it: counting stops at the cap.
    static func counted(_ n: Int) -> String { n >= MyWorkRules.countCap ? "\(MyWorkRules.countCap) or more" : "\(n)" }

    static func kinds(for staff: StaffAccount) -> [WorkKind] {
        staff.role == .lead ? WorkKind.allCases : WorkKind.allCases.filter { $0 != .unassigned }
    }

    // MARK: page

    static let kindWords: [WorkKind: (heading: String, item: String)] = [
        .acknowledgement: ("Acknowledgements due", "Acknowledge"),
        .followUp: ("Follow-ups due", "Follow up"),
        .signpostOutcome: ("Signposts waiting for an outcome", "Record the signpost's outcome"),
        .safeguardingOutcome: ("Safeguarding outcomes pending", "Record the safeguarding outcome"),
        .unreadReplies: ("Unread replies", "Read the family's reply"),
        .comeBack: ("Asked to come back", "The family asked to come back"),
        .unassigned: ("Not yet assigned", "Assign"),
        .appointment: ("Appointments this week", "Appointment (record it once held)"),
    ]

    struct HomeModel: PageModel {
        struct Count: Sendable, Encodable { let label, count, anchor: String }
        struct Row: Sendable, Encodable { let reference, href, what, due, assignedTo: String; let overdue: Bool }
        /// `more` says how many are not listed ("The first 200 of 1000 or more.").
        struct Section: Sendable, Encodable { let heading, anchor: String; let rows: [Row]; let hasRows: Bool; let more: String? }
        /// A caseload row; a lead can move all its open cases to one of `others` at once.
        struct Load: Sendable, Encodable { let email, role, path, id: String; let openCases, overdueItems: Int; let others: [Choice]; let canMove: Bool }
        var title = "My work"
        let isLead: Bool
        let today: String
        let counts: [Count]
        let overdue: Int
        let sections: [Section]
        let caseloads: [Load]
        let recordsToReview: Int?
        /// After a reassignment: how many open cases moved.
        let moved: String?
    }

    func homePage(_ request: Request, _ staff: StaffAccount) async throws -> Response {
        let work = try await stores.desk.myWork(by: staff.actor, rules: rules)
        let lead = staff.role == .lead
        let sections = Self.kinds(for: staff).map { kind in
            let words = Self.kindWords[kind] ?? (kind.rawValue, kind.rawValue)
            let rows = work.items.filter { $0.kind == kind }.map { item in
                HomeModel.Row(reference: item.reference, href: "/staff/cases/\(item.caseID)", what: words.item,
                              due: item.startsAt.map(StaffTimes.moment) ?? item.due.map(StaffDates.day) ?? "", assignedTo: item.assignedTo ?? "Nobody yet", overdue: item.overdue)
            }
            let all = work.count(kind)
            return HomeModel.Section(heading: words.heading, anchor: "work-\(kind.rawValue)", rows: rows, hasRows: !rows.isEmpty,
                                     more: all > rows.count ? "The first \(rows.count) of \(Self.counted(all))." : nil)
        }
        let model = HomeModel(
            title: lead ? "The team's work" : "My work", isLead: lead, today: StaffDates.day(work.today),
            counts: zip(Self.kinds(for: staff), sections).map { kind, section in
                HomeModel.Count(label: section.heading, count: Self.counted(work.count(kind)), anchor: section.anchor)
            },
            overdue: work.overdue, sections: sections,
            caseloads: (work.caseloads ?? []).enumerated().map { index, load in
                HomeModel.Load(email: load.email, role: StaffPageKit.words(load.role.rawValue),
                               path: load.email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "", id: "move-\(index)",
                               openCases: load.openCases, overdueItems: load.overdueItems,
                               others: load.openCases == 0 ? [] : (work.caseloads ?? []).filter { $0.email != load.email }
                                   .map { Choice(value: $0.email, label: "\($0.email) (\($0.openCases) open)") },
                               canMove: load.openCases > 0 && (work.caseloads?.count ?? 0) > 1)
            },
            recordsToReview: work.recordsToReview,
            moved: request.uri.queryParameters["moved"].flatMap { Int($0) }.map { $0 == 1 ? "1 open case moved." : "\($0) open cases moved." })
        return kit.render("staff-home", request, staff, model)
    }
}
