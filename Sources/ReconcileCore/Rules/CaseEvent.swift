/// What a case's timeline records, one name per kind of event: the staff steps of the lifecycle (`CaseAction.event`),
/// staff work that keeps the stage, and what the family does in the portal. Stored as its raw value in
/// `case_event.action`; every one has its words for people in the staff word catalogue (a test checks), so a
/// timeline never shows a code.
public enum CaseEvent: String, Sendable, CaseIterable {
    case acknowledge
    case recordListeningSession = "record_listening_session"
    case recordAssessment = "record_assessment"
    case addSignpost = "add_signpost"
    case recordSignpostOutcome = "record_signpost_outcome"
    case recordSafeguarding = "record_safeguarding"
    case sendMessage = "send_message"
    case setFollowUp = "set_follow_up"
    case close
    case closeAsDuplicate = "close_as_duplicate"
    case reopen
    case entered
    case assign
    case link
    case themes
    case evidentialHold = "evidential_hold"
    case safeguardingHold = "safeguarding_hold"
    case followUpDone = "follow_up_done"
    case appointmentBooked = "appointment_booked"
    case appointmentMoved = "appointment_moved"
    case appointmentCancelled = "appointment_cancelled"
    case requestMeeting = "request_meeting"
    case updateMeeting = "update_meeting"
    case recordSafeguardingOutcome = "record_safeguarding_outcome"
    case passphraseReissued = "passphrase_reissued"
    case familyMessage = "family_message"
    case familyNotice = "family_notice"
    case feedback
    case complaint
    case compliment
    case comeBackRequest = "come_back_request"
    case erasureRequest = "erasure_request"
    case erasureCancel = "erasure_cancel"
    case erase
    case voiceOffered = "voice_offered"
    case voiceWithdrawn = "voice_withdrawn"
    case voiceEditAccepted = "voice_edit_accepted"
}

extension CaseAction {
    /// The timeline's name for this step (a close and a reopening are one event each; the reason and the stage are
    /// in the event's detail).
    public var event: CaseEvent {
        switch self {
        case .acknowledge: .acknowledge
        case .recordListeningSession: .recordListeningSession
        case .recordAssessment: .recordAssessment
        case .addSignpost: .addSignpost
        case .recordSignpostOutcome: .recordSignpostOutcome
        case .recordSafeguarding: .recordSafeguarding
        case .sendMessage: .sendMessage
        case .setFollowUp: .setFollowUp
        case .close: .close
        case .closeAsDuplicate: .closeAsDuplicate
        case .reopen: .reopen
        }
    }
}
