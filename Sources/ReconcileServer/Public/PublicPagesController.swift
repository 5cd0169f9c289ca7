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
        group.get("") { request, _ in
            let catalogue = pages.catalogue(for: request)
            return pages.family("index", ["title": catalogue["home_title"]], request: request, values: ["contact_within": contactWithin(catalogue)])
        }
        group.get("refer", use: showForm)
        group.post("refer", use: submitForm)
    }

    @Sendable func showForm(request: Request, context: AppRequestContext) async throws -> Response {
        form(request: request, submission: nil, problems: [], submissionID: nil, status: .ok,
             youngPerson: request.uri.queryParameters["as"] == "young_person")
    }

    @Sendable func submitForm(request: Request, context: AppRequestContext) async throws -> Response {
        var language = pages.language(of: request)
        do {
            if let retryAfter = await limiter.record(context.clientAddress) { throw APIError.tooManyRequests(retryAfter: retryAfter) }
            let (fields, body) = try await csrf.readFormAndBody(
                request, maxBytes: maxBodyBytes, sessionCookie: nil,
                expired: Catalogues.english["error_form_expired"])
            // A person never sees the honeypot field; only form-filling robots put something in it.
            if let trap = fields["website"], !trap.isEmpty {
                context.logger.notice("referral form honeypot filled; nothing stored")
                throw APIError(.unprocessableContent, code: "not_accepted",
                               message: Catalogues.english["error_not_accepted"])
            }
            // The answer comes in the language the form was shown in, which the referral records (a form from
            // before languages: the page's language now).
            if let shown = fields["language"].flatMap(FamilyLanguage.init(rawValue:)) { language = shown }
            let catalogue = Catalogues[language]
            var submission = ReferralForm.submission(from: fields)
            submission.language = fields["language"] ?? language.rawValue
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
                               message: Catalogues.english["error_already_sent"])
            } catch IntakeError.alreadyReceived {
                // The sealed copy of the passphrase is gone (its window ended): the store cannot show it again.
                context.logger.info("referral form resent after the replay window; passphrase not shown")
                throw APIError(.conflict, code: "already_received", message: Catalogues.english["error_already_received"])
            }
            switch outcome {
            case .invalid(let failure) where failure.isNotOffered:
                return pages.family("not-offered", NotOfferedModel(title: catalogue["not_offered_title"], elsewhere: intake.policy.elsewhere),
                                    request: request, language: language)
            case .invalid(let failure):
                return form(request: request, submission: submission, problems: failure.problems, submissionID: submissionID,
                            status: .unprocessableContent, youngPerson: youngPerson, language: language)
            case .stored(let receipt):
                return pages.family("confirmation", ["title": catalogue["confirm_title"], "reference": receipt.reference,
                                                     "passphrase": receipt.passphrase],
                                    request: request, values: ["replay_minutes": String(intake.settings.limits.formReplayMinutes),
                                                               "contact_within": contactWithin(catalogue)],
                                    language: language)
            }
        } catch let error as APIError {
            return pages.error(error, request: request, language: language)
        }
    }

    /// The acknowledgement target in words, from the setting (the pages promise what the partner aims for).
    func contactWithin(_ catalogue: MessageCatalogue) -> String {
        switch intake.settings.workflow.acknowledgementWorkingDays {
        case 0: catalogue["contact_same_day"]
        case 1: catalogue["contact_one_day"]
        case let days: catalogue.text("contact_days", ["days": String(days)])
        }
    }

    /// What the form page shows: the questions (shared with the staff page) and this form's own tokens.
    struct FormModel: PageModel {
        let title, csrfToken, submissionId: String
        /// Sent back with the form, so the referral records the language it was made in.
        let language: String
        let fields: ReferralForm.Fields
    }

    /// Where a family the service is not for is sent instead (`policies/intake.json`); nothing they wrote is kept.
    struct NotOfferedModel: PageModel {
        let title: String
        let elsewhere: [IntakePolicy.Elsewhere]
    }

    private func form(request: Request, submission: ReferralSubmission?, problems: [FieldProblem], submissionID: String?,
                      status: HTTPResponse.Status, youngPerson: Bool, language: FamilyLanguage? = nil) -> Response {
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: nil)
        let language = language ?? pages.language(of: request)
        let catalogue = Catalogues[language]
        let model = FormModel(
            title: catalogue[problems.isEmpty ? "refer_title" : "refer_title_problem"],
            csrfToken: token,
            // A fresh id per form: sending the same form twice (a double tap, a refresh) stores one referral.
            submissionId: submissionID ?? Data(Random.bytes(count: 16)).base64URL,
            language: language.rawValue,
            fields: ReferralForm.fields(submission, problems: problems, councilAreas: intake.settings.areas.councilAreas,
                                        youngPerson: youngPerson, catalogue: catalogue))
        var headers: HTTPFields = [:]
        if let setCookie { headers[.setCookie] = setCookie }
        return pages.family("refer", model, request: request, language: language, status: status, headers: headers)
    }
}
