import Foundation
import ReconcileCore
import ReconcileStore

/// What the case list shows: no personal field, only references, stages, areas, dates and assignees.
struct CaseListPageModel: PageModel {
    struct Row: Sendable, Encodable {
        let id: CaseID
        let reference, stage, area, received, assignedTo: String
        let overdue: Bool
        let unread: Int?
        let comeBack: Bool
    }

    var title = "Cases"
    let isLead: Bool
    let stages: [Choice]
    let assignedMe, assignedNone, overdue, unread, comeBack: Bool
    let hasCases: Bool
    let cases: [Row]
    let filtered: Bool
    let nextPage, firstPage: String?

    init(staff: StaffAccount, filter: CaseListPageFilter, cases found: [CaseSummary], next: String?, paged: Bool) {
        isLead = staff.role == .lead
        stages = Stage.allCases.map { Choice(value: $0.rawValue, label: CasePagesController.stageLabel($0), selected: $0.rawValue == filter.stage) }
        assignedMe = filter.assigned == "me"
        assignedNone = filter.assigned == "none"
        overdue = filter.overdue
        unread = filter.unread
        comeBack = filter.comeBack
        hasCases = !found.isEmpty
        cases = found.map { c in
            Row(id: c.id, reference: c.reference, stage: CasePagesController.stageLabel(c.stage), area: IntakeQuestions.areaLabel(c.councilArea),
                received: c.receivedAt.formatted(StaffPageKit.dateOnly), assignedTo: c.assignedTo ?? "Nobody yet", overdue: c.overdue,
                unread: c.unreadReplies > 0 ? c.unreadReplies : nil, comeBack: c.askedToComeBack)
        }
        filtered = filter.pairs.contains { !$0.1.isEmpty }
        nextPage = next.map { "/staff/cases" + StaffPageKit.query(filter.pairs + [("cursor", $0)]) }
        firstPage = paged ? "/staff/cases" + StaffPageKit.query(filter.pairs) : nil
    }
}

/// The list's filters as the page's query gives them, kept as typed so the next page's link repeats them.
struct CaseListPageFilter: Sendable {
    let stage: String
    let assigned: String
    let overdue: Bool
    let unread: Bool
    /// Only closed cases whose family asked to come back.
    let comeBack: Bool

    init(_ query: [String: String]) {
        stage = query["stage"] ?? ""
        assigned = query["assigned"] ?? ""
        overdue = query["overdue"] == "1"
        unread = query["unread"] == "1"
        comeBack = query["come_back"] == "1"
    }

    var pairs: [(String, String)] {
        [("stage", stage), ("assigned", assigned), ("overdue", overdue ? "1" : ""), ("unread", unread ? "1" : ""), ("come_back", comeBack ? "1" : "")]
    }

    func storeFilter(for staff: StaffAccount) throws -> CaseListFilter {
        var filter = CaseListFilter()
        if !stage.isEmpty {
            guard let value = Stage(rawValue: stage) else { throw APIError.field("stage", "unknown_value", "Choose a stage from the list.") }
            filter.stage = value
        }
        switch assigned {
        case "me": filter.assignedTo = staff.id
        case "none": filter.unassigned = true
        default: break
        }
        if overdue { filter.overdue = true }
        filter.askedToComeBack = comeBack
        return filter
    }
}
