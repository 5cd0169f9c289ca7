import Foundation
import GRDB
import ReconcileCore

/// Why a member of staff may not touch a case. Carries nothing from the case.
public enum CaseAccessError: Error, Equatable {
    /// The role may never work cases (admin, council), or only a lead may do this (assign).
    case forbidden
    /// A practitioner, and the case is not assigned to them.
    case notAssigned
}

/// Bad input to a workflow write. Nothing is changed when one is thrown; messages name no values.
public enum WorkflowError: Error, Equatable {
    /// The assignee is not an enabled practitioner or lead account.
    case unknownPractitioner
    /// No signpost with that id on this case.
    case signpostNotFound
    /// The directory says the service does not meet the need named.
    case serviceDoesNotMeetNeed
    /// A listening session date that is not a real `YYYY-MM-DD` date, is in the future, or is before 2000.
    case invalidDate
    /// A listening session duration outside 1...600 minutes.
    case invalidDuration
    /// A note longer than `CaseWorkflowLimits.note` Unicode scalars (after trimming).
    case noteTooLong
    /// A note with control, invisible-format or bidirectional-override characters (`FreeText`).
    case noteInvalidCharacters
    /// A practice-record text (`advice_given`, `actions_agreed`, `reason`) over the note limit; names the field.
    case practiceTooLong(String)
    /// A practice-record text with characters a note may not carry; names the field.
    case practiceInvalidCharacters(String)
    /// An evidential hold placed, or a case reopened, without a reason.
    case reasonRequired
    /// A message that is empty after trimming.
    case messageEmpty
    /// A message longer than `CaseWorkflowLimits.message` Unicode scalars (after trimming).
    case messageTooLong
    /// A message with control, invisible-format or bidirectional-override characters (`FreeText`).
    case messageInvalidCharacters
    /// A case-list cursor that this service did not hand out.
    case invalidCursor
}

/// An assessment that names no need. Kept out of `WorkflowError` (whose cases the HTTP layer maps one by
/// one) because callers check it first; reaching it means a caller skipped that check. Changes nothing.
public enum AssessmentInputError: Error, Equatable {
    case noNeeds
}

/// Bounds on staff-written free text.
public enum CaseWorkflowLimits {
    public static let note = 10_000, message = 10_000
    public static let durationMinutes = 1...600
}

/// What a workflow write needs to know about the case it acts on, read inside its transaction.
struct WorkableCase {
    let id: CaseID
    let stage: Stage
    let assignedTo: String?
}

/// What a case step changed, as the caller shows it: the stage the case is at now and, for a step that adds a
/// record (a session, an assessment, a signpost, an escalation, a message), that record's id. Returned from
/// inside the write, so the caller never reads the case again to learn it.
public struct CaseChange: Sendable, Equatable {
    public let stage: Stage
    public let recordID: String?

    public init(stage: Stage, recordID: String? = nil) {
        self.stage = stage
        self.recordID = recordID
    }
}

/// What a practitioner records of their practice at a step: the advice given, the actions agreed, and the
/// reason for a decision. Personal: each is sealed under the case key, bound to its row and column.
public struct PracticeRecord: Sendable, Equatable {
    public var adviceGiven: String?
    public var actionsAgreed: String?
    public var reason: String?

    public init(adviceGiven: String? = nil, actionsAgreed: String? = nil, reason: String? = nil) {
        (self.adviceGiven, self.actionsAgreed, self.reason) = (adviceGiven, actionsAgreed, reason)
    }

    /// Trimmed, length- and character-checked like a note; the sealed column values for `table`'s row `id`.
    func sealed(_ cipher: CaseCipher, table: String, id: String) throws -> (advice: Data?, actions: Data?, reason: Data?) {
        func seal(_ text: String?, _ column: String) throws -> Data? {
            try cipher.sealIfPresent(try AppDatabase.cleanText(text, field: column), field: WorkflowField.practice(table, column, id))
        }
        return (try seal(adviceGiven, "advice_given"), try seal(actionsAgreed, "actions_agreed"), try seal(reason, "reason"))
    }
}

extension AppDatabase {
    /// The practice-record columns of one row, opened (each bound to its table, column and row id).
    static func openPractice(_ cipher: CaseCipher, _ table: String, _ id: String, _ advice: Data?, _ actions: Data?,
                             _ reason: Data?) throws -> PracticeRecord {
        func open(_ data: Data?, _ column: String) throws -> String? {
            try cipher.openIfPresent(data, field: WorkflowField.practice(table, column, id))
        }
        return PracticeRecord(adviceGiven: try open(advice, "advice_given"), actionsAgreed: try open(actions, "actions_agreed"),
                              reason: try open(reason, "reason"))
    }
}
