/// Something a member of staff (or the family, for `close(.withdrawn)`) does to a case.
/// Only what the lifecycle needs to decide is here; the details (notes, dates, outcomes) travel separately.
public enum CaseAction: Sendable, Hashable {
    case acknowledge, recordListeningSession, recordAssessment, addSignpost, recordSignpostOutcome
    case recordSafeguarding, sendMessage
    /// A dated follow-up ("we call again in two weeks"); never moves the case.
    case setFollowUp
    case close(CloseReason)
    /// A lead closes a second referral from a family already referred: the conversation goes on in the other
    /// case, and the council counts the family once. Allowed at any open stage; it has no close reason.
    case closeAsDuplicate
    /// A lead reopens a closed case at the stage it closed from (`to`, read from its history), so a family
    /// that comes back after "a wobble" carries on where it left off.
    case reopen(to: Stage)

    /// Every action, each close reason and each reopening stage separately, in the order pages offer them.
    public static let allCases: [CaseAction] = [
        .acknowledge, .recordListeningSession, .recordAssessment, .addSignpost, .recordSignpostOutcome,
        .recordSafeguarding, .sendMessage, .setFollowUp,
    ] + CloseReason.allCases.map { .close($0) } + [.closeAsDuplicate] + Stage.allCases.filter { $0 != .closed }.map { .reopen(to: $0) }

    /// snake_case name for audit events and error codes: the name of its timeline event (`CaseEvent`); the close
    /// reason is recorded beside it, not in it.
    public var name: String { event.rawValue }
}

/// An action the lifecycle does not allow at the case's stage. The message is fixed text written for a
/// practitioner; it never carries anything from the case, so it is safe to log and to return (HTTP 409).
public struct TransitionRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public let stage: Stage
    public let action: CaseAction
    public let message: String

    public var description: String { message }
}

/// The case lifecycle (SPEC "Case lifecycle") as one pure function, so every rule lives in one place and
/// is tested without a database. Callers apply the returned stage and record the event in one transaction.
public enum CaseLifecycle {
    /// The stage a case moves to when `action` is taken at `stage`; the same stage when the action is
    /// allowed but does not move the case on (a further listening session, a revised assessment, …).
    public static func stage(after action: CaseAction, from stage: Stage) throws(TransitionRefused) -> Stage {
        func refuse(_ message: String) -> TransitionRefused {
            TransitionRefused(stage: stage, action: action, message: message)
        }
        switch action {
        case .acknowledge:
            switch stage {
            case .received: return .acknowledged
            case .closed: throw refuse("This case is closed, so it cannot be acknowledged.")
            case .acknowledged, .listening, .assessed, .signposted:
                throw refuse("This case has already been acknowledged.")
            }

        case .recordListeningSession:
            // Listening may take many sessions and may continue after assessment and signposting.
            switch stage {
            case .acknowledged: return .listening
            case .listening, .assessed, .signposted: return stage
            case .received: throw refuse("A case must be acknowledged before a listening session can be recorded.")
            case .closed: throw refuse("This case is closed, so no more listening sessions can be recorded.")
            }

        case .recordAssessment:
            // A later assessment revises the earlier one; it does not undo signposts already made.
            switch stage {
            case .listening: return .assessed
            case .assessed, .signposted: return stage
            case .received, .acknowledged:
                throw refuse("At least one listening session must be recorded before the need can be assessed.")
            case .closed: throw refuse("This case is closed, so the need cannot be assessed.")
            }

        case .addSignpost:
            switch stage {
            case .assessed: return .signposted
            case .signposted: return stage
            case .received, .acknowledged, .listening:
                throw refuse("The need must be assessed before the family can be signposted to a service.")
            case .closed: throw refuse("This case is closed, so no new signposts can be added.")
            }

        case .recordSignpostOutcome:
            // Outcomes often arrive after the case has closed; recording them keeps the statistics honest.
            switch stage {
            case .signposted, .closed: return stage
            case .received, .acknowledged, .listening, .assessed:
                throw refuse("This case has no signposts yet, so there is no outcome to record.")
            }

        case .recordSafeguarding:
            // A disclosure of current risk is recorded whenever it happens and never blocks other work.
            return stage

        case .sendMessage:
            if stage == .closed { throw refuse("This case is closed, so no more messages can be sent to the family.") }
            return stage

        case .setFollowUp:
            if stage == .closed { throw refuse("This case is closed, so no follow-up can be set. A lead can reopen it.") }
            return stage

        case .close(let reason):
            if stage == .closed { throw refuse("This case is already closed.") }
            // "Completed" means the service did its work: for a family who only wanted to be listened to, that is
            // listening. A case has had a listening session exactly when it is at listening or later (recording
            // the first one moves an acknowledged case on), so the stage alone decides. Earlier endings have their
            // own reasons, so the quarterly figures say why cases stopped.
            if reason == .completed && [.received, .acknowledged].contains(stage) {
                throw refuse(
                    "Only a case with at least one listening session can be closed as completed; "
                        + "if the work ended earlier, choose withdrawn, no contact, declined or transferred.")
            }
            return .closed

        case .closeAsDuplicate:
            if stage == .closed { throw refuse("This case is already closed. A lead can reopen it first.") }
            return .closed

        case .reopen(let earlier):
            guard stage == .closed else { throw refuse("Only a closed case can be reopened.") }
            guard earlier != .closed else { throw refuse("A case reopens at the stage it closed from, which cannot be closed.") }
            return earlier
        }
    }

    /// Whether `action` is allowed at `stage`.
    public static func allows(_ action: CaseAction, at stage: Stage) -> Bool {
        (try? Self.stage(after: action, from: stage)) != nil
    }

    /// The actions allowed at `stage`, in `CaseAction.allCases` order, so pages offer only what will succeed.
    public static func allowedActions(at stage: Stage) -> [CaseAction] {
        CaseAction.allCases.filter { allows($0, at: stage) }
    }
}
