import Foundation
import ReconcileCore
import ReconcileStore

extension CasePageModel {
    /// The desk's parts of the case page: the follow-ups (and the lifecycle's rule for setting one), and the
    /// reference of a possible duplicate, and closing as a duplicate (leads).
    mutating func showDesk(_ d: CaseDetail, staff: StaffAccount, now: Date = Date()) {
        let today = WorkingDays.londonDate(now)
        canFollowUp = CaseLifecycle.allows(.setFollowUp, at: d.stage)
        duplicateOfReference = d.duplicateOfReference
        canCloseAsDuplicate = staff.role == .lead && CaseLifecycle.allows(.closeAsDuplicate, at: d.stage)
        closedAsDuplicateOf = d.closedAsDuplicateOf.flatMap { $0.id == nil ? nil : Linked(id: $0.id, reference: $0.reference) }
        duplicateElsewhere = d.closedAsDuplicateOf != nil && closedAsDuplicateOf == nil
        followUps = d.followUps.map { f in
            FollowUp(id: f.id, due: StaffDates.day(f.dueOn), note: f.note, overdue: f.doneAt == nil && f.dueOn < today,
                     open: f.doneAt == nil,
                     doneText: f.doneAt.map { "Done \($0.formatted(StaffPageKit.dateOnly)) by \(f.doneBy ?? "someone")" })
        }
    }
}

/// The one way staff pages write dates: "7 December 2026", a time after it where there is one.
enum StaffDates {
    /// A `YYYY-MM-DD` London day in words (the text itself if it is not one).
    static func day(_ text: String) -> String {
        WorkingDays.day(text).map { $0.addingTimeInterval(12 * 3600).formatted(StaffPageKit.dateOnly) } ?? text
    }
}

extension CasePageModel {
    /// The assignment list: each enabled practitioner and lead with their open caseload, the current one chosen.
    mutating func showAssignees(_ staff: [StaffCaseload], current: String?) {
        assignees = staff.map { s in
            let load = s.openCases == 1 ? "1 open case" : "\(s.openCases) open cases"
            return Choice(value: s.email, label: "\(s.email), \(StaffPageKit.words(s.role.rawValue).lowercased()), \(load)", selected: s.email == current)
        }
    }

    /// An event in words; an assignment says to whom (and from whom).
    static func eventWords(_ e: CaseEventView) -> String {
        let words = StaffPageKit.words(e.action)
        guard e.action == "assign", let to = e.assignee else { return words }
        return "Assigned to \(to)" + (e.previousAssignee.map { " (was \($0))" } ?? "")
    }

    /// Who did it: a staff email, the family, or the service itself.
    static func actorWords(_ actor: String) -> String {
        switch actor {
        case "family": "the family"
        case "system": "the service"
        default: actor
        }
    }
}
