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
        form(request: request, submission: nil, problems: [], submissionID: nil, status: .ok)
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
            let submission = Self.submission(from: fields)
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
            case .invalid(let failure):
                return form(request: request, submission: submission, problems: failure.problems, submissionID: submissionID,
                            status: .unprocessableContent)
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

    static func submission(from form: FormBody) -> ReferralSubmission {
        var s = ReferralSubmission()
        s.name = form["name"]
        s.email = form["email"]
        s.phone = form["phone"]
        s.address = form["address"]
        s.safeTimes = form["safe_times"]
        s.story = form["story"]
        s.preference = form["preference"]
        s.safeToLeaveMessage = form["safe_to_leave_message"] == "yes"
        s.councilArea = form["council_area"]
        s.referrerRole = form["referrer_role"]
        s.setting = form["setting"]
        s.when = form["when"]
        s.harm = form.all("harm")
        s.toldBefore = form.all("told_before")
        s.wishes = form.all("wishes")
        s.consentContact = form["consent_contact"] == "yes"
        s.consentStatistics = form["consent_statistics"].flatMap { $0 == "yes" ? true : $0 == "no" ? false : nil }
        return s
    }

    /// The form, fresh or re-shown with what the person typed and a summary of what needs fixing.
    private func form(request: Request, submission: ReferralSubmission?, problems: [FieldProblem], submissionID: String?,
                      status: HTTPResponse.Status) -> Response {
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: nil)
        let s = submission ?? ReferralSubmission()
        let errorFor = { (field: String) in problems.first { $0.field == field }?.message }
        func options<T: FixedList>(_ name: String, _ list: [(T, String)], chosen: [String]) -> [String: Any] {
            let items: [[String: Any]] = list.map { code, label in
                ["value": code.rawValue, "label": label, "id": "\(name)-\(code.rawValue)", "checked": chosen.contains(code.rawValue)]
            }
            var out: [String: Any] = ["name": name, "items": items]
            if let e = errorFor(name) { out["error"] = e }
            return out
        }
        let areas: [[String: Any]] = intake.settings.areas.councilAreas.map {
            ["value": $0, "label": IntakeQuestions.areaLabel($0), "id": "council_area-\($0)", "checked": s.councilArea == $0]
        }
        var context: [String: Any] = [
            "title": "Tell us what happened",
            "csrf_token": token,
            // A fresh id per form: sending the same form twice (a double tap, a refresh) stores one referral.
            "submission_id": submissionID ?? Data(Random.bytes(count: 16)).base64URL,
            "name": s.name ?? "", "email": s.email ?? "", "phone": s.phone ?? "", "address": s.address ?? "",
            "safe_times": s.safeTimes ?? "", "story": s.story ?? "",
            "safe_to_leave_message": s.safeToLeaveMessage == true,
            "consent_contact": s.consentContact == true,
            "consent_statistics_yes": s.consentStatistics == true, "consent_statistics_no": s.consentStatistics == false,
            "preference": options("preference", IntakeQuestions.preference, chosen: [s.preference ?? ""]),
            "council_area": ["name": "council_area", "items": areas].merging(errorFor("council_area").map { ["error": $0] } ?? [:]) { a, _ in a },
            "referrer_role": options("referrer_role", IntakeQuestions.referrerRole, chosen: [s.referrerRole ?? ""]),
            "setting": options("setting", IntakeQuestions.setting, chosen: [s.setting ?? ""]),
            "harm": options("harm", IntakeQuestions.harm, chosen: s.harm ?? []),
            "when": options("when", IntakeQuestions.when, chosen: [s.when ?? ""]),
            "told_before": options("told_before", IntakeQuestions.toldBefore, chosen: s.toldBefore ?? []),
            "wishes": options("wishes", IntakeQuestions.wishes, chosen: s.wishes ?? []),
            "story_max": IntakeLimits.story,
        ]
        for field in ["contact.name", "contact.email", "contact.phone", "contact.address", "contact.safe_times", "story",
                      "consent.contact", "consent.statistics"] {
            if let e = errorFor(field) { context[field.replacingOccurrences(of: ".", with: "_") + "_error"] = e }
        }
        if !problems.isEmpty {
            context["title"] = "There is a problem - Tell us what happened"
            context["has_problems"] = true
            context["problems"] = problems.map { ["message": $0.message, "anchor": Self.anchor(for: $0.field)] }
        }
        var headers: HTTPFields = [:]
        if let setCookie { headers[.setCookie] = setCookie }
        return pages.render("refer", context, status: status, headers: headers)
    }

    /// The id of the form control to jump to from the error summary.
    static func anchor(for field: String) -> String {
        switch field {
        case "contact.name": "name"
        case "contact.email": "email"
        case "contact.phone": "phone"
        case "contact.address": "address"
        case "contact.safe_times": "safe_times"
        case "consent.contact": "consent_contact"
        case "consent.statistics": "consent_statistics-yes"
        case "story": "story"
        default: field + "-fieldset"
        }
    }
}
