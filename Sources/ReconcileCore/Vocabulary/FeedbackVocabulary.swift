/// Family feedback and complaints. Codes are stored data: never rename one.

/// The three questions of the family's feedback, each answered 1 (not at all) to 5 (very much), or left out.
public enum FeedbackQuestion: String, FixedList {
    case listenedTo = "listened_to", believed, helpWasRight = "help_was_right"

    /// The report's table for this question.
    public var table: String { "feedback_\(rawValue)" }
}

/// The report's categories of one feedback question: each score, and `not_answered` (every answer is optional).
public enum FeedbackScore {
    public static let range = 1...5
    public static let notAnswered = "not_answered"
    public static let categories: [String] = range.map(String.init) + [notAnswered]
}

public enum ComplaintKind: String, FixedList {
    case complaint, compliment
}

/// Who recorded a complaint or compliment: a lead (from a letter, a call, an email) or the family in the portal.
public enum ComplaintSource: String, FixedList {
    case staff, family
}

/// How long a complaint took to answer, in working days after the day it was received (London; bank holidays
/// not modelled, as for acknowledgements). "Not yet responded" is as the report is made.
public enum ComplaintResponseBand: String, FixedList {
    case within10WorkingDays = "within_10_working_days", from11To20WorkingDays = "11_to_20_working_days"
    case over20WorkingDays = "over_20_working_days", notYetResponded = "not_yet_responded"

    public static func band(workingDays: Int?) -> Self {
        guard let workingDays else { return .notYetResponded }
        return workingDays <= 10 ? .within10WorkingDays : workingDays <= 20 ? .from11To20WorkingDays : .over20WorkingDays
    }
}
