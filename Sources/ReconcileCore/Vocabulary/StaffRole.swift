/// Who a signed-in account is, in the service's words (SPEC "People and roles").
public enum StaffRole: String, FixedList {
    /// Partner staff who listen: only cases assigned to them.
    case practitioner
    /// Triage lead: every case, assignment, themes, releases.
    case lead
    /// System administrator: accounts and keys, never case content.
    case admin
    /// Commissioning council officer: released reports for one area, nothing else.
    case council

    /// Roles that may ever see case content (which cases, further limited by assignment).
    public var mayWorkCases: Bool { self == .practitioner || self == .lead }
}

/// The signed-in person an action is done by; every store write that touches a case takes one, so the
/// access rule is checked inside the same transaction as the change.
public struct StaffActor: Sendable, Equatable {
    public let id: String
    public let role: StaffRole

    public init(id: String, role: StaffRole) {
        self.id = id
        self.role = role
    }

    /// Practitioners work only their assigned cases; leads work all; admin and council none.
    public func mayWork(caseAssignedTo assignee: String?) -> Bool {
        switch role {
        case .lead: true
        case .practitioner: assignee == id
        case .admin, .council: false
        }
    }
}
