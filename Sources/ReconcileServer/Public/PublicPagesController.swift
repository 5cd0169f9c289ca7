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

    /// One question of the form: its choices, which are ticked, and what needs fixing.
    struct Question: Sendable {
        struct Item: Sendable { let value, label, id: String; let checked: Bool }
        let name: String
        let items: [Item]
        let error: String?
    }

    struct Problem: Sendable { let message, anchor: String }

    /// What the form shows: fresh, or again with what the person typed and a summary of what needs fixing.
    struct FormModel: PageModel {
        let title, csrfToken, submissionId: String
        let name, email, phone, address, safeTimes, story: String?
        let safeToLeaveMessage, consentContact, consentStatisticsYes, consentStatisticsNo: Bool
        let preference, councilArea, referrerRole, setting, harm, when, toldBefore, wishes: Question
        let storyMax: Int
        let contactNameError, contactEmailError, contactPhoneError, contactAddressError, contactSafeTimesError: String?
        let storyError, consentContactError, consentStatisticsError: String?
        let hasProblems: Bool
        let problems: [Problem]
    }

    private func form(request: Request, submission: ReferralSubmission?, problems: [FieldProblem], submissionID: String?,
                      status: HTTPResponse.Status) -> Response {
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: nil)
        let s = submission ?? ReferralSubmission()
        let errorFor = { (field: String) in problems.first { $0.field == field }?.message }
        func question<T: FixedList>(_ name: String, _ list: [(T, String)], chosen: [String]) -> Question {
            Question(name: name, items: list.map { code, label in
                .init(value: code.rawValue, label: label, id: "\(name)-\(code.rawValue)", checked: chosen.contains(code.rawValue))
            }, error: errorFor(name))
        }
        let areas = Question(name: "council_area", items: intake.settings.areas.councilAreas.map {
            .init(value: $0, label: IntakeQuestions.areaLabel($0), id: "council_area-\($0)", checked: s.councilArea == $0)
        }, error: errorFor("council_area"))
        let model = FormModel(
            title: problems.isEmpty ? "Tell us what happened" : "There is a problem - Tell us what happened",
            csrfToken: token,
            // A fresh id per form: sending the same form twice (a double tap, a refresh) stores one referral.
            submissionId: submissionID ?? Data(Random.bytes(count: 16)).base64URL,
            name: s.name, email: s.email, phone: s.phone, address: s.address, safeTimes: s.safeTimes, story: s.story,
            safeToLeaveMessage: s.safeToLeaveMessage == true, consentContact: s.consentContact == true,
            consentStatisticsYes: s.consentStatistics == true, consentStatisticsNo: s.consentStatistics == false,
            preference: question("preference", IntakeQuestions.preference, chosen: [s.preference ?? ""]),
            councilArea: areas,
            referrerRole: question("referrer_role", IntakeQuestions.referrerRole, chosen: [s.referrerRole ?? ""]),
            setting: question("setting", IntakeQuestions.setting, chosen: [s.setting ?? ""]),
            harm: question("harm", IntakeQuestions.harm, chosen: s.harm ?? []),
            when: question("when", IntakeQuestions.when, chosen: [s.when ?? ""]),
            toldBefore: question("told_before", IntakeQuestions.toldBefore, chosen: s.toldBefore ?? []),
            wishes: question("wishes", IntakeQuestions.wishes, chosen: s.wishes ?? []),
            storyMax: IntakeLimits.story,
            contactNameError: errorFor("contact.name"), contactEmailError: errorFor("contact.email"),
            contactPhoneError: errorFor("contact.phone"), contactAddressError: errorFor("contact.address"),
            contactSafeTimesError: errorFor("contact.safe_times"), storyError: errorFor("story"),
            consentContactError: errorFor("consent.contact"), consentStatisticsError: errorFor("consent.statistics"),
            hasProblems: !problems.isEmpty,
            problems: problems.map { Problem(message: $0.message, anchor: Self.anchor(for: $0.field)) })
        var headers: HTTPFields = [:]
        if let setCookie { headers[.setCookie] = setCookie }
        return pages.render("refer", model, status: status, headers: headers)
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
