import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// `/portal` for people: the same portal over HTML forms that work without JavaScript. The session is a
/// cookie (HttpOnly, SameSite=Strict) and every form also carries a CSRF token.
struct PortalPagesController {
    let portal: PortalService
    let pages: Pages
    let csrf: CSRFProtection

    func addRoutes(public group: RouterGroup<AppRequestContext>, signedIn: RouterGroup<FamilyRequestContext>) {
        group.get("portal") { request, _ in signInPage(request, problem: nil, status: .ok) }
        group.post("portal", use: signIn)
        group.get("portal/signed-out", use: signedOutPage)
        signedIn.get("case", use: casePage)
        // JSON as a download, or `?format=html`: the same content as a page to read and print.
        signedIn.get("export") { request, context in
            try await PortalController(portal: portal, pages: pages).export(request: request, context: context)
        }
        signedIn.post("messages") { request, context in
            try await act(request, context) { form, caseID in _ = try await portal.message(FamilyMessageInput(reading: FormFields(form: form)), caseID: caseID) }
        }
        signedIn.post("notifications") { request, context in
            try await act(request, context) { form, caseID in try await portal.setNotice(NoticeChange(reading: FormFields(form: form)), caseID: caseID) }
        }
        signedIn.post("withdraw") { request, context in
            try await act(request, context) { _, caseID in try await portal.stores.portal.withdraw(caseID: caseID) }
        }
        signedIn.post("come-back") { request, context in
            try await act(request, context) { _, caseID in try await portal.stores.portal.askToComeBack(caseID: caseID) }
        }
        signedIn.post("erasure") { request, context in
            try await act(request, context) { _, caseID in
                _ = try await portal.stores.retention.requestErasure(caseID: caseID, policy: portal.retention)
            }
        }
        signedIn.post("erasure/cancel") { request, context in
            try await act(request, context) { _, caseID in try await portal.stores.retention.cancelErasure(caseID: caseID) }
        }
        signedIn.post("sign-out") { request, context in
            var response = try await act(request, context) { _, _ in
                if let token = request.cookies[portal.cookieName]?.value { try await portal.stores.portal.portalSignOut(token: token) }
            }
            // A real navigation to a page that holds nothing of the case, with the browser told to forget this site.
            response.headers[.location] = "/portal/signed-out"
            response.headers[.setCookie] = portal.cookie(nil)
            response.headers[.clearSiteData] = PortalService.clearSiteData
            return response
        }
    }

    struct SignInModel: PageModel { let title, csrfToken: String; let problem: String? }
    struct SignedOutModel: PageModel { let title: String; let idle: Bool }

    struct CaseModel: PageModel {
        struct Message: Sendable, Encodable { let fromYou: Bool; let body, written: String }
        struct Erasure: Sendable, Encodable { let held: Bool; let heldForEvidence: Bool; let due: String }
        let title, reference, stageText, csrfToken: String
        let closed: Bool
        let coolingOffDays: Int
        let messages: [Message]
        let erasure: Erasure?
        let comeBackAsked: String?
        let closureSummary: String?
        var notice: FamilyNoticeChoice? = nil
        /// The first sign-in since the partner issued a new passphrase: when (the family is told, in case it was not them).
        var reissuedOn: String? = nil
        /// Seconds until the page leaves for the signed-out page on its own (the session's idle limit, plus a little).
        var idleRefresh: Int? = nil
        /// Meetings asked for on the family's behalf, each in plain words (with whom, where it is up to).
        var meetings: [Meeting] = []
        var hasMeetings = false
        struct Meeting: Sendable, Encodable { let line: String; let heldOn: String? }
        /// The reference the conversation goes on under, when a lead closed this referral as a duplicate.
        var continuesIn: String? = nil
        /// Appointments still to come, in the family's language and London time; never who with.
        var appointments: [Appointment] = []
        var hasAppointments = false
        struct Appointment: Sendable, Encodable { let line: String; let moved: String? }
    }

    func signInPage(_ request: Request, problem: String?, status: HTTPResponse.Status) -> Response {
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: csrf.cookies.portalSession)
        let catalogue = pages.catalogue(for: request)
        let model = SignInModel(title: catalogue[problem == nil ? "portal_sign_in_title" : "portal_sign_in_title_problem"],
                                csrfToken: token, problem: problem.map { catalogue[$0] })
        return pages.family("portal", model, request: request, status: status, headers: setCookie.map { [.setCookie: $0] } ?? [:])
    }

    @Sendable func signIn(request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await readForm(request)
        do {
            let session = try await portal.signIn(reference: form["reference"] ?? "", passphrase: form["passphrase"] ?? "", context: context)
            return Response(status: .seeOther, headers: [.location: "/portal/case", .setCookie: portal.cookie(session.token)])
        } catch is PortalAuthError {
            return signInPage(request, problem: "portal_sign_in_wrong", status: .unauthorized)
        } catch let error as APIError {
            return pages.error(error, request: request)
        }
    }

    /// After sign-out (or when a page was left unused past the idle limit): nothing of the case, how to leave quickly.
    /// Arriving with a live session cookie (a page's own idle departure) ends that session first.
    @Sendable func signedOutPage(request: Request, context: AppRequestContext) async throws -> Response {
        var headers: HTTPFields = [:]
        if let token = request.cookies[portal.cookieName]?.value {
            try await portal.stores.portal.portalSignOut(token: token)
            headers[.setCookie] = portal.cookie(nil)
            headers[.clearSiteData] = PortalService.clearSiteData
        }
        let catalogue = pages.catalogue(for: request)
        let idle = request.uri.queryParameters["idle"] != nil
        return pages.family("portal-signed-out", SignedOutModel(title: catalogue["portal_signed_out_title"], idle: idle), request: request,
                            values: ["idle_minutes": String(Int(portal.policy.idle / 60))], headers: headers)
    }

    @Sendable func casePage(request: Request, context: FamilyRequestContext) async throws -> Response {
        let view = try await portal.stores.portal.portalView(caseID: context.caseID)
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: csrf.cookies.portalSession)
        let language = pages.language(of: request, recorded: view.language)
        let catalogue = Catalogues[language]
        let date = ServiceTime.moment(language)
        let day = ServiceTime.day(language)
        let erasure = view.erasure.flatMap { $0.cancelled ? nil : CaseModel.Erasure(held: $0.held, heldForEvidence: $0.heldForEvidence,
                                                                                    due: $0.dueAt.formatted(day)) }
        let comeBackAsked = view.comeBackRequestedAt?.formatted(day)
        var reissuedOn: String? = nil
        if let token = request.cookies[portal.cookieName]?.value {
            reissuedOn = try await portal.stores.portal.portalReissueNotice(token: token)?.formatted(day)
        }
        var page = CaseModel(
            title: catalogue["portal_case_title"], reference: view.reference,
            stageText: catalogue[Self.stageKey(view)], csrfToken: token, closed: view.stage == .closed,
            coolingOffDays: portal.retention.erasureCoolingOffDays,
            messages: view.messages.map {
                .init(fromYou: $0.from == "you", body: $0.body,
                      written: catalogue.text($0.from == "you" ? "portal_you_wrote" : "portal_partner_wrote", ["at": $0.at.formatted(date)]))
            },
            erasure: erasure, comeBackAsked: comeBackAsked, closureSummary: view.closureSummary,
            notice: try await portal.stores.mail.familyNoticeChoice(caseID: context.caseID))
        page.reissuedOn = reissuedOn
        page.idleRefresh = portal.idleRefreshSeconds
        page.meetings = view.meetings.map { m in
            CaseModel.Meeting(line: Self.meetingLine(m, catalogue),
                              heldOn: m.heldOn.map { catalogue.text("portal_meeting_held_on", ["date": ServiceTime.calendarDay($0, language)]) })
        }
        page.hasMeetings = !page.meetings.isEmpty
        page.continuesIn = view.continuesIn
        page.appointments = view.appointments.map { a in
            CaseModel.Appointment(line: Self.appointmentLine(a, catalogue, language), moved: a.moved ? catalogue["portal_appointment_moved"] : nil)
        }
        page.hasAppointments = !page.appointments.isEmpty
        return pages.family("portal-case", page, request: request,
                            values: ["cooling_off_days": String(portal.retention.erasureCoolingOffDays),
                                     "due": erasure?.due ?? "", "come_back_asked": comeBackAsked ?? "", "reissued_on": reissuedOn ?? "",
                                     "idle_minutes": String(Int(portal.policy.idle / 60)), "continues_in": view.continuesIn ?? ""],
                            language: language, headers: setCookie.map { [.setCookie: $0] } ?? [:])
    }

    /// A meeting in the family's words: "With the school or college: they have said yes. …".
    static func meetingLine(_ m: PortalMeeting, _ catalogue: MessageCatalogue) -> String {
        catalogue.text("portal_meeting_line", ["party": catalogue["meeting_party_\(m.party.rawValue)"],
                                               "status": catalogue["meeting_status_\(m.status.rawValue)"]])
    }

    /// An appointment in the family's words: "8 December 2026 at 10:00, by phone, for about 60 minutes." (London time,
    /// the zone named in the hour the clocks go back).
    static func appointmentLine(_ a: PortalAppointment, _ catalogue: MessageCatalogue, _ language: FamilyLanguage) -> String {
        let time = LondonTime.clockTime(a.startsAt) + (LondonTime.isAmbiguous(a.startsAt) ? " \(LondonTime.zoneName(a.startsAt))" : "")
        return catalogue.text("portal_appointment_line", ["date": a.startsAt.formatted(ServiceTime.day(language)), "time": time,
                                                          "modality": catalogue["appointment_modality_\(a.modality.rawValue)"],
                                                          "minutes": "\(a.durationMinutes)"])
    }

    /// The catalogue's words for where a referral is up to.
    static func stageKey(_ stage: Stage, _ reason: CloseReason?, closedAsDuplicate: Bool = false) -> String {
        if stage == .closed && closedAsDuplicate { return "stage_closed_duplicate" }
        return stage == .closed ? "stage_closed_\((reason ?? .completed).rawValue)" : "stage_\(stage.rawValue)"
    }

    static func stageKey(_ view: PortalView) -> String {
        stageKey(view.stage, view.closeReason, closedAsDuplicate: view.continuesIn != nil)
    }

    /// Checks the form's CSRF token, runs the action, and goes back to the case page (Post/Redirect/Get).
    private func act(_ request: Request, _ context: FamilyRequestContext,
                     _ action: @Sendable (FormBody, CaseID) async throws -> Void) async throws -> Response {
        let form = try await readForm(request)
        do {
            try await action(form, context.caseID)
        } catch let refused as TransitionRefused {
            return pages.error(APIError(.conflict, code: "not_possible", message: refused.message), request: request)
        } catch let error as WorkflowError where error == .messageEmpty || error == .messageTooLong {
            return pages.error(APIError(.unprocessableContent, code: "invalid_message", message: Catalogues.english["error_invalid_message"]),
                               request: request)
        } catch WorkflowError.messageInvalidCharacters {
            return pages.error(APIError(.unprocessableContent, code: "invalid_characters",
                                        message: Catalogues.english["error_message_characters"]), request: request)
        }
        return Response(status: .seeOther, headers: [.location: "/portal/case"])
    }

    private func readForm(_ request: Request) async throws -> FormBody {
        try await csrf.readForm(request, maxBytes: portal.maxBody, sessionCookie: csrf.cookies.portalSession,
                                expired: Catalogues.english["error_page_expired"])
    }
}
