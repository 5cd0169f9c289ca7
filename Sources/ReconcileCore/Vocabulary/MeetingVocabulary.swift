/// Meetings a family asks for, with the school or college or the council. Codes are stored data: never rename one.
///
/// A meeting is between the family and an institution, never with the other child's family: the national guidance
/// keeps the children apart, so there is deliberately no party for them.
public enum MeetingParty: String, FixedList {
    case schoolOrCollege = "school_or_college", councilChildrensServices = "council_childrens_services"
    case councilEducation = "council_education", otherOrganisation = "other_organisation"
}

/// Where a meeting is up to. `requested` is where every meeting starts; the others are set later.
public enum MeetingStatus: String, FixedList {
    case requested, invited, accepted, declinedByOtherParty = "declined_by_other_party", held, withdrawn

    /// The statuses a practitioner may set (`requested` is only ever the first).
    public static let settable: [MeetingStatus] = [.invited, .accepted, .declinedByOtherParty, .held, .withdrawn]

    /// Once reached, the meeting's course is over: only the family's view may still be added (after `held`).
    public var isFinal: Bool { self == .declinedByOtherParty || self == .held || self == .withdrawn }

    /// The report's outcome so far: requested, declined by the other party, held, withdrawn, or pending (invited or
    /// accepted, not yet held).
    public var outcome: MeetingOutcome {
        switch self {
        case .requested: .requested
        case .invited, .accepted: .pending
        case .declinedByOtherParty: .declinedByOtherParty
        case .held: .held
        case .withdrawn: .withdrawn
        }
    }
}

/// The report's categories of a meeting's outcome so far (`meetings_by_outcome`).
public enum MeetingOutcome: String, FixedList {
    case requested, declinedByOtherParty = "declined_by_other_party", held, withdrawn, pending
}

/// "Did it help?" after a meeting was held: 1 (not at all) to 5 (very much), or not answered.
public enum MeetingHelped {
    public static let range = 1...5
    public static let notAnswered = "not_answered"
    public static let categories: [String] = range.map(String.init) + [notAnswered]
}
