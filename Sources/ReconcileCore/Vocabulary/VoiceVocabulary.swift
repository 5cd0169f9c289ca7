/// Families' own words to the council. Codes are stored data: never rename one.
///
/// A statement is offered with the family's explicit consent; a lead reviews it. Where it holds an identifying
/// detail it is held until the family approves the lead's edit; approved statements wait until enough are approved
/// for one release; once released they cannot be taken back. Withdrawn at any point before release.
public enum VoiceStatus: String, FixedList {
    case offered, heldForEdit = "held_for_edit", approved, released, withdrawn

    /// The family may still change or withdraw it.
    public var isOpen: Bool { self != .released && self != .withdrawn }
}

public enum VoiceLimits {
    /// A statement's length in Unicode scalars (after trimming).
    public static let text = 2000
}
