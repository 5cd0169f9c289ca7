import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// What each domain error means over HTTP, in one place for both doors. Messages are ours and name no personal
/// value. `ErrorAnswersTests` fails when an error type a request can raise is neither here nor listed as a
/// deliberate 500.
extension APIError {
    /// The answer to any error: a domain error's own, an HTTP error's status, anything else a plain 500.
    static func answer(for error: any Error) -> APIError {
        if let domain = APIError.from(domain: error), !(error is APIError) { return domain }
        switch error {
        case let error as APIError: return error
        case let error as HTTPError:
            return APIError(error.status, code: ErrorMiddleware<AppRequestContext>.code(for: error.status),
                            message: ErrorMiddleware<AppRequestContext>.message(for: error.status))
        default:
            return APIError(.internalServerError, code: "internal_error",
                            message: "Something went wrong on our side. Please try again in a few minutes.")
        }
    }

    static func from(domain error: any Error) -> APIError? {
        switch error {
        case let refused as TransitionRefused:
            // The state machine said no; nothing was changed.
            return APIError(.conflict, code: "illegal_transition", message: refused.message)
        case let access as CaseAccessError:
            switch access {
            case .forbidden: return .forbidden()
            // The same answer as for a case that does not exist: a practitioner learns nothing of other cases.
            case .notAssigned: return .noSuchCase
            }
        case let store as StoreError:
            switch store {
            case .caseNotFound: return .noSuchCase
            case .erased: return APIError(.gone, code: "erased", message: "The personal data of this case has been erased.")
            default: return nil
            }
        case NotificationChoiceError.noEmailAddress:
            return .field("notify_by_email", "no_email_address", "No email address was given, so no email can be sent.")
        case NotificationChoiceError.unknownArea:
            return .field("areas", "unknown_value", "Each area must be one of the configured council areas.")
        case let workflow as WorkflowError:
            return workflowError(workflow)
        case is AssessmentInputError:
            return .field("needs", "required", "Choose at least one need.")
        case let report as ReportError:
            switch report {
            case .refused(let problems):
                var error = APIError(.conflict, code: "release_refused", message: problems.first ?? "The release was refused.")
                error.fields = problems.map { ["field": "release", "code": "refused", "message": $0] }
                return error
            case .unknownCouncilArea: return .field("council_area", "unknown_value", "Not a configured council area.")
            case .quarterNotOver: return APIError(.conflict, code: "quarter_not_over", message: "A quarter can be released only after it ends.")
            }
        case let theme as ThemeError:
            switch theme {
            case .empty: return .field("text", "required", "Write the theme.")
            case .tooLong: return .field("text", "too_long", "Please keep a theme to 2,000 characters or fewer.")
            case .invalidCharacters: return .field("text", "invalid_characters", "This contains characters we cannot accept.")
            case .unknownCouncilArea: return .field("council_area", "unknown_value", "Not a configured council area.")
            case .invalidQuarter: return .field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
            }
        case let followUp as FollowUpError:
            return switch followUp {
            case .invalidDueDate: .field("due_on", "invalid_date", "Give a real date as YYYY-MM-DD, from today to a year ahead.")
            case .notFound: APIError(.notFound, code: "not_found", message: "There is no such follow-up on this case.")
            case .alreadyDone: APIError(.conflict, code: "already_done", message: "This follow-up is already marked done.")
            }
        case let search as SearchTerm.Problem:
            // The answer names the field, never what was typed (a search term can be a name or an email).
            return switch search {
            case .empty: .field("q", "required", "Type a reference, an email address, a phone number or a name.")
            case .tooLong: .field("q", "too_long", "Please search with \(SearchTerm.maxLength) characters or fewer.")
            case .controlCharacters: .field("q", "invalid_characters", "This contains characters we cannot accept.")
            case .tooShort: .field("q", "too_short", "Type at least two letters of a name.")
            }
        case let full as SlowWorkPoolFull:
            // Every hashing thread busy and the queue full: say so at once rather than keep the caller waiting.
            return .serviceBusy(retryAfter: full.retryAfterSeconds)
        case IntakeError.busy, IntakeError.closing:
            return .serviceBusy(retryAfter: 1)
        case is PortalAuthError:
            return APIError(.unauthorized, code: "invalid_credentials",
                            message: "The reference or passphrase is not right. Check them and try again.")
        case let safeguarding as SafeguardingError:
            return switch safeguarding {
            case .noRoutes: .field("routes", "required", "Choose at least one route: social care, police, the LADO or early help.")
            case .reasonForNotInformingRequired:
                .field("parents_not_informed_reason", "required", "Say why the parents were not told: greater risk to the child, or other.")
            case .firstReferralNotFound: .field("re_referral_of", "unknown_value", "Name an earlier safeguarding referral of this case.")
            case .escalationNotFound: APIError(.notFound, code: "not_found", message: "There is no such safeguarding referral on this case.")
            }
        case let voice as VoiceError:
            return voiceError(voice)
        case let meeting as MeetingError:
            return meetingError(meeting)
        case let appointment as AppointmentError:
            return appointmentError(appointment)
        case let link as CaseLinkError:
            return switch link {
            case .sameCase: .field("case", "same_case", "A case cannot be linked to itself.")
            case .otherCaseNotFound: .field("case", "unknown_value", "There is no such case to link to.")
            case .alreadyLinked: APIError(.conflict, code: "already_linked", message: "These cases are already linked.")
            case .opposingSidesWithOneWorker:
                APIError(.conflict, code: "linked_case_conflict",
                         message: "One of these linked cases is about the child who was harmed and the other about the child accused: they need different practitioners.")
            }
        case let duplicate as DuplicateClosingError:
            return switch duplicate {
            case .sameCase: .field("case", "same_case", "A case cannot be a duplicate of itself.")
            case .otherCaseNotFound: .field("case", "unknown_value", "There is no such case.")
            case .otherCaseClosed:
                APIError(.conflict, code: "other_case_closed",
                         message: "The other case is closed, so the family's conversation cannot go on there. Reopen it first.")
            }
        case let records as RecordsCheckError:
            return .from(records: records)
        case let feedback as FeedbackError:
            return switch feedback {
            case .nothingAnswered:
                .field("listened_to", "nothing_answered", Catalogues.english["error_feedback_nothing"])
            case .commentTooLong: .field("comment", "too_long", "Please keep your comment to 2,000 characters or fewer.")
            case .commentInvalidCharacters: .field("comment", "invalid_characters", "This contains characters we cannot accept.")
            case .alreadyGiven:
                APIError(.conflict, code: "feedback_already_given", message: Catalogues.english["error_feedback_given"])
            }
        case let complaint as ComplaintError:
            return switch complaint {
            case .unknownCouncilArea: .field("council_area", "unknown_value", "Choose one of the council areas.")
            case .caseNotFound: .field("case_id", "unknown_value", "There is no such case.")
            case .areaMismatch: .field("council_area", "not_the_case_area", "The case belongs to another council area.")
            case .invalidReceivedDate: .field("received_on", "invalid_date", "Give a real date, YYYY-MM-DD, not in the future.")
            case .invalidResponseDate:
                .field("responded_on", "invalid_date", "Give a real date, YYYY-MM-DD, not in the future and not before it was received.")
            case .textTooLong: .field("text", "too_long", "Please keep this to 2,000 characters or fewer.")
            case .textInvalidCharacters: .field("text", "invalid_characters", "This contains characters we cannot accept.")
            case .notFound: APIError(.notFound, code: "not_found", message: "There is no such complaint or compliment.")
            case .alreadyResponded: APIError(.conflict, code: "already_responded", message: "A response date is already recorded.")
            case .tooManyToday: .tooManyComplaintsToday()
            }
        case let reissue as PassphraseReissueError:
            return switch reissue {
            case .tooManyToday: .tooManyToday(message: "This case has had as many new passphrases today as the service allows. Try again tomorrow, or ask a lead.")
            case .erased: APIError(.conflict, code: "erased", message: "The personal data of this case has been erased: there is nothing to sign in to.")
            }
        case is FamilyDailyBound:
            return .tooManyComplaintsToday()
        case is ComeBackError:
            return APIError(.conflict, code: "not_closed", message: "Your referral is still open: write to the partner instead.")
        case is ErasureError:
            return APIError(.conflict, code: "nothing_to_cancel", message: "There is no erasure request waiting to be cancelled.")
        case let round as OfferRoundError:
            return switch round {
            case .unknownCouncilArea: .field("council_area", "unknown_value", "Choose one of the council areas.")
            case .invalidDate: .field("date", "invalid_date", "Give a real date, YYYY-MM-DD, not in the future.")
            case .invalidCount: .field("offers_made", "out_of_range", "Give the number of offers made, 1 to 10,000,000.")
            case .labelTooLong: .field("label", "too_long", "Please keep the label to 200 characters or fewer.")
            case .labelInvalidCharacters: .field("label", "invalid_characters", "This contains characters we cannot accept.")
            }
        case let reassignment as ReassignmentError:
            return switch reassignment {
            case .sameAccount: .field("to", "same_account", "Choose someone other than the person the cases are with.")
            case .unknownFrom: APIError(.notFound, code: "not_found", message: "There is no practitioner or lead with that email address.")
            }
        case TrendError.unknownFigure:
            return .field("figure", "unknown_value", "Use a headline figure such as referrals_received, or TABLE.CATEGORY from a report.")
        case is StaffAuthError:
            return APIError(.unauthorized, code: "invalid_credentials",
                            message: "The email, password or code is not right, or the account is disabled.")
        default:
            return nil
        }
    }

    static let noSuchCase = APIError(.notFound, code: "not_found", message: "There is no such case.")

    /// A practitioner gets the same 404 for a case that does not exist, is erased, or is not theirs; leads
    /// still learn that a case was erased (410).
    static func forStaff(_ error: any Error, role: StaffRole) -> (any Error)? {
        if role == .practitioner, case StoreError.erased = error { return APIError.noSuchCase }
        return nil
    }

    private static func voiceError(_ error: VoiceError) -> APIError {
        switch error {
        case .consentRequired: .field("consent", "consent_required", Catalogues.english["error_voice_consent"])
        case .empty: .field("text", "required", "Write the words you want the council to hear.")
        case .tooLong: .field("text", "too_long", "Please keep this to 2,000 characters or fewer.")
        case .invalidCharacters: .field("text", "invalid_characters", "This contains characters we cannot accept.")
        case .notFound: APIError(.notFound, code: "not_found", message: "There are no words for the council here.")
        case .alreadyReleased: APIError(.conflict, code: "already_released", message: Catalogues.english["error_voice_released"])
        case .noEditProposed: APIError(.conflict, code: "no_edit_proposed", message: "No change is waiting for approval.")
        case .withdrawn: APIError(.conflict, code: "withdrawn", message: "The family took these words back.")
        case .editHoldsIdentifyingDetail:
            .field("text", "identifying_detail", "The edit still names something that could identify a family: a name, school, postcode, phone number or email address.")
        case .changedDuringRelease:
            APIError(.conflict, code: "release_refused", message: "A family's words changed while the report was being released; nothing was released. Try again.")
        }
    }

    private static func appointmentError(_ error: AppointmentError) -> APIError {
        switch error {
        case .startNotInFuture: return .field("starts_at", "not_in_future", "An appointment must start after now.")
        case .startTooFarAhead: return .field("starts_at", "too_far_ahead", "Plan an appointment at most a year ahead.")
        case .invalidDuration: return .field("duration_minutes", "out_of_range", "Use 5 to 480 minutes.")
        case .overlap:
            // A conflict with the diary, not bad input: 409, naming the field to change.
            var answer = APIError(.conflict, code: "appointment_overlap", message: "starts_at: The practitioner already has an appointment at that time.")
            answer.fields = [["field": "starts_at", "code": "appointment_overlap", "message": "The practitioner already has an appointment at that time."]]
            return answer
        case .unknownPractitioner: return .field("practitioner", "unknown_value", "Name an enabled practitioner or lead by their email.")
        case .practitionerNotOnCase:
            return .field("practitioner", "not_on_case", "Only the case's practitioner or a lead can hold an appointment on it.")
        case .caseClosed:
            return APIError(.conflict, code: "case_not_open", message: "This case is closed: no appointment can be planned or moved on it.")
        case .notFound: return APIError(.notFound, code: "not_found", message: "There is no such appointment on this case.")
        case .alreadyOver: return APIError(.conflict, code: "appointment_over", message: "This appointment was cancelled or held: it cannot change now.")
        case .notYetStarted: return .field("status", "not_yet_started", "An appointment can be recorded as held only once it has started.")
        }
    }

    private static func meetingError(_ error: MeetingError) -> APIError {
        switch error {
        case .caseNotOpen:
            APIError(.conflict, code: "case_not_open", message: "This case is closed or its personal data erased: no meeting can be recorded on it.")
        case .notFound: APIError(.notFound, code: "not_found", message: "There is no such meeting on this case.")
        case .alreadyOver: APIError(.conflict, code: "meeting_over", message: "This meeting was declined, held or withdrawn: its course is over.")
        case .heldOnRequired: .field("held_on", "required", "Give the date the meeting was held, YYYY-MM-DD.")
        case .invalidHeldOn: .field("held_on", "invalid_date", "Give a real date, YYYY-MM-DD, not in the future.")
        case .onlyWhenHeld(let field): .field(field, "not_held", "This can be recorded only for a meeting that was held.")
        case .helpedOutOfRange: .field("helped", "out_of_range", "Use 1 (not at all) to 5 (very much).")
        case .nothingToChange: .field("status", "required", "Give a status, the date held, or the family's view.")
        case .familyWordsTooLong: .field("family_words", "too_long", "Please keep this to 2,000 characters or fewer.")
        case .familyWordsInvalidCharacters: .field("family_words", "invalid_characters", "This contains characters we cannot accept.")
        }
    }

    private static func workflowError(_ error: WorkflowError) -> APIError {
        switch error {
        case .unknownPractitioner: .field("practitioner", "unknown_practitioner", "There is no enabled practitioner or lead with this email.")
        case .signpostNotFound: APIError(.notFound, code: "not_found", message: "There is no such signpost on this case.")
        case .serviceDoesNotMeetNeed: .field("need", "service_does_not_meet_need", "The chosen service does not meet this need.")
        case .invalidDate: .field("date", "invalid_date", "Give a real date, YYYY-MM-DD, not in the future.")
        case .invalidDuration: .field("duration_minutes", "invalid_duration", "Give the length in minutes, 1 to 600.")
        case .noteTooLong: .field("note", "too_long", "Please keep notes to 10,000 characters or fewer.")
        case .practiceTooLong(let field): .field(field, "too_long", "Please keep this to 10,000 characters or fewer.")
        case .practiceInvalidCharacters(let field): .field(field, "invalid_characters", "This contains characters we cannot accept.")
        case .reasonRequired: .field("reason", "required", "Say why the hold is needed.")
        case .messageEmpty: .field("body", "required", "Write a message.")
        case .messageTooLong: .field("body", "too_long", "Please keep messages to 10,000 characters or fewer.")
        case .noteInvalidCharacters: .field("note", "invalid_characters", "This contains characters we cannot accept.")
        case .messageInvalidCharacters: .field("body", "invalid_characters", "This contains characters we cannot accept.")
        case .invalidCursor: .field("cursor", "invalid_cursor", "This cursor is not one this service gave out.")
        }
    }
}

extension APIError {
    /// 429 until the family's day ends (London midnight), when they may send again (complaints, messages, feedback).
    static func tooManyComplaintsToday(now: Date = Date()) -> APIError {
        tooManyToday(message: Catalogues.english["error_complaints_today"], now: now)
    }

    /// 429 `too_many_today` with Retry-After to London midnight, for any bound per case per day.
    static func tooManyToday(message: String, now: Date = Date()) -> APIError {
        var london = Calendar(identifier: .gregorian)
        london.timeZone = WorkingDays.timeZone
        let midnight = london.nextDate(after: now, matching: DateComponents(hour: 0, minute: 0, second: 0), matchingPolicy: .nextTime) ?? now
        var error = APIError(.tooManyRequests, code: "too_many_today", message: message)
        error.headers[.retryAfter] = "\(max(1, Int(midnight.timeIntervalSince(now).rounded(.up))))"
        return error
    }
}
