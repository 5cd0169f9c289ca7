import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore
import Sodium

/// `GET /` about the service; `GET /refer` and `POST /refer`, the intake form that works without JavaScript.
struct PublicPagesController {
    let intake: IntakeService
    let pages: Pages
    let csrf: CSRFProtection
    let limiter: RateLimiter
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("") { _, _ in pages.render("index", ["title": "A safe place to be heard", "contact_within": contactWithin]) }
        group.get("refer", use: showForm)
        group.post("refer", use: submitForm)
    }

    @Sendable func showForm(request: Request, context: AppRequestContext) async throws -> Response {
        form(request: request, submission: nil, problems: [], submissionID: nil, status: .ok,
             youngPerson: request.uri.queryParameters["as"] == "young_person")
    }

    @Sendable func submitForm(request: Request, context: AppRequestContext) async throws -> Response {
        do {
            if let retryAfter = await limiter.record(context.clientAddress) { throw APIError.tooManyRequests(retryAfter: retryAfter) }
            let (fields, body) = try await csrf.readFormAndBody(
                request, maxBytes: maxBodyBytes, sessionCookie: nil,
                expired: "For your safety this form only works when opened from this website, with cookies allowed. Please open the form again.")
            // A person never sees the honeypot field; only form-filling robots put something in it.
            if let trap = fields["website"], !trap.isEmpty {
                context.logger.notice("referral form honeypot filled; nothing stored")
                throw APIError(.unprocessableContent, code: "not_accepted",
                               message: "The form could not be accepted. If you are a person, please open the form again and send it.")
            }
            let submission = ReferralForm.submission(from: fields)
            let youngPerson = fields["as"] == "young_person"
            let submissionID = fields["submission_id"].flatMap { IntakeService.isValidIdempotencyKey($0) ? $0 : nil }
            // Bound to this browser's form cookie (verified above): the same form sent from another browser is
            // never answered with this one's passphrase.
            let replayKey = submissionID.map { "form:\(request.cookies[csrf.cookies.csrf]?.value ?? ""):\($0)" }
            let outcome: IntakeService.Outcome
            do {
                outcome = try await intake.submit(submission, idempotencyKey: replayKey, body: body, logger: context.logger,
                                                  passphraseKeptFor: TimeInterval(intake.settings.limits.formReplayMinutes * 60))
            } catch IntakeError.idempotencyKeyReused {
                throw APIError(.conflict, code: "already_sent",
                               message: "This form was already sent, and your reference was shown then. To tell us something more, please start a new form.")
            } catch IntakeError.alreadyReceived {
                // The sealed copy of the passphrase is gone (its window ended): the store cannot show it again.
                context.logger.info("referral form resent after the replay window; passphrase not shown")
                throw APIError(.conflict, code: "already_received", message: Self.alreadyReceived)
            }
            switch outcome {
            case .invalid(let failure) where failure.isNotOffered:
                return pages.render("not-offered", NotOfferedModel(title: "Where to get help", message: ReferralSubmission.notOffered,
                                                                   elsewhere: intake.policy.elsewhere))
            case .invalid(let failure):
                return form(request: request, submission: submission, problems: failure.problems, submissionID: submissionID,
                            status: .unprocessableContent, youngPerson: youngPerson)
            case .stored(let receipt):
                return pages.render("confirmation", [
                    "replay_minutes": intake.settings.limits.formReplayMinutes,
                    "title": "Your referral has been sent",
                    "contact_within": contactWithin,
                    "reference": receipt.reference,
                    "passphrase_words": receipt.passphrase.split(separator: "-").map(String.init),
                    "passphrase": receipt.passphrase,
                ])
            }
        } catch let error as APIError {
            return pages.error(error)
        }
    }

    static let alreadyReceived = "This referral was already received. For your safety the passphrase is shown only just after it is sent, "
        + "so it cannot be shown again now. The partner will contact you in the way you chose."

    /// The acknowledgement target in words, from the setting (the pages promise what the partner aims for).
    var contactWithin: String {
        let days = intake.settings.workflow.acknowledgementWorkingDays
        let words = ["the same working day", "one working day", "two working days", "three working days", "four working days", "five working days"]
        return days == 0 ? "on \(words[0])" : days < words.count ? "within \(words[days])" : "within \(days) working days"
    }

    /// What the form page shows: the questions (shared with the staff page) and this form's own tokens.
    struct FormModel: PageModel {
        let title, csrfToken, submissionId: String
        let fields: ReferralForm.Fields
    }

    /// Where a family the service is not for is sent instead (`policies/intake.json`); nothing they wrote is kept.
    struct NotOfferedModel: PageModel {
        let title, message: String
        let elsewhere: [IntakePolicy.Elsewhere]
    }

    private func form(request: Request, submission: ReferralSubmission?, problems: [FieldProblem], submissionID: String?,
                      status: HTTPResponse.Status, youngPerson: Bool) -> Response {
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: nil)
        let model = FormModel(
            title: problems.isEmpty ? "Tell us what happened" : "There is a problem - Tell us what happened",
            csrfToken: token,
            // A fresh id per form: sending the same form twice (a double tap, a refresh) stores one referral.
            submissionId: submissionID ?? Data(Random.bytes(count: 16)).base64URL,
            fields: ReferralForm.fields(submission, problems: problems, councilAreas: intake.settings.areas.councilAreas,
                                        youngPerson: youngPerson))
        var headers: HTTPFields = [:]
        if let setCookie { headers[.setCookie] = setCookie }
        return pages.render("refer", model, status: status, headers: headers)
    }
}
