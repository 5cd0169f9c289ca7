import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

// `/staff` for people: sign-in (password and TOTP code), the case list, a case page with a form for each
// step the lifecycle allows next, the directory, themes and releases, sign-out. The same store calls as the
// JSON API; the session is the staff cookie set at sign-in (HttpOnly, SameSite=Strict) and every form also
// carries a CSRF token. Council officers sign in here too and are sent on to `/council`.

/// Resolves the staff session cookie for pages. Without a live session: a redirect to the sign-in page.
/// With a role the group does not admit: a friendly 403 page. Errors thrown below it render as pages too.
struct StaffPageAuth: RouterMiddleware {
    typealias Context = AppRequestContext
    let database: AppDatabase
    let keys: KeyRing
    let policy: StaffSessionPolicy
    let cookieName: String
    let roles: Set<StaffRole>
    let kit: StaffPageKit

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[cookieName]?.value, (16...128).contains(token.utf8.count),
              let account = try await database.staffSession(token: token, keys: keys, policy: policy) else {
            let signIn = request.uri.path.hasPrefix("/council") ? "/council/sign-in" : "/staff/sign-in"
            return Response(status: .seeOther, headers: [.location: signIn])
        }
        guard roles.contains(account.role), account.role != .council || account.councilArea != nil else {
            return kit.error(request, account, APIError(.forbidden, code: "forbidden", message: "Your account cannot open this page."))
        }
        var context = context
        context.staff = account
        context.logger[metadataKey: "actor.id"] = "\(account.id)"
        do {
            return try await next(request, context)
        } catch {
            let error = APIError.forStaff(error, role: account.role) ?? error
            let api = ErrorMiddleware<AppRequestContext>.apiError(for: error)
            RequestFailure.log(api, error, logger: context.logger, requestID: context.id)
            return kit.error(request, account, api)
        }
    }
}

/// What every staff and council page shares: the layout values, CSRF, form reading, friendly errors.
struct StaffPageKit: Sendable {
    let pages: Pages
    let csrf: CSRFProtection
    let maxBody: Int

    static let london = TimeZone(identifier: "Europe/London")!
    static let dateTime = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: london)
    static let dateOnly = Date.FormatStyle(date: .abbreviated, time: .omitted, timeZone: london)

    /// Renders `template` with the layout values (who is signed in, navigation, CSRF token for sign-out).
    func render(_ template: String, _ request: Request, _ account: StaffAccount?, _ values: [String: Any],
                status: HTTPResponse.Status = .ok) -> Response {
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: csrf.cookies.staffSession)
        var context = values
        context["csrf_token"] = token
        if let account {
            context["signed_in"] = ["email": account.email, "role": account.role.rawValue]
            context["nav_cases"] = account.role.mayWorkCases
            context["nav_directory"] = account.role != .council
            context["nav_themes"] = account.role == .lead
            context["nav_council"] = account.role == .council
        }
        return pages.render(template, context.compactMapValues(Self.dropEmpty), status: status,
                            headers: setCookie.map { [.setCookie: $0] } ?? [:])
    }

    /// Mustache treats "" as true in a section; empty text is dropped so `{{#note}}…{{/note}}` shows only real notes.
    static func dropEmpty(_ value: Any) -> Any? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let dict as [String: Any]: dict.compactMapValues(dropEmpty)
        case let list as [Any]: list.compactMap(dropEmpty)
        default: value
        }
    }

    /// A friendly page for an error: the same message as the API's, a title that fits, and a way back.
    func error(_ request: Request, _ account: StaffAccount?, _ error: APIError, back: String? = nil) -> Response {
        let title: String = switch error.status.code {
        case 401: "Please sign in"
        case 403 where error.code == "form_expired": "This form has expired"
        case 403: "You cannot open this page"
        case 404: "Page not found"
        case 409: "That step is not possible now"
        case 413: "That was too long to send"
        case 429: "Please wait a moment"
        case 500...: "Something went wrong on our side"
        default: "Something was not right"
        }
        let home = account?.role == .council ? "/council" : account == nil ? "/staff/sign-in" : "/staff"
        var values: [String: Any] = ["title": title, "message": error.message, "home": home]
        if let back { values["back"] = back }
        var response = render("staff-error", request, account, values, status: error.status)
        for field in error.headers { response.headers.append(field) }
        return response
    }

    /// The form body, after checking its CSRF token (403 page when it is missing or wrong).
    func readForm(_ request: Request) async throws -> FormBody {
        try request.requireContentType("application/x-www-form-urlencoded")
        var request = request
        guard let form = FormBody(try await request.collectLimited(maxBody)) else {
            throw APIError(.badRequest, code: "invalid_form", message: "The form could not be read. Please go back and try again.")
        }
        guard csrf.verify(request, formToken: form["csrf_token"], sessionCookie: csrf.cookies.staffSession) else {
            throw APIError(.forbidden, code: "form_expired",
                           message: "This form only works when opened from this website, with cookies allowed. Please open the page again and resend it.")
        }
        return form
    }

    /// "independent_legal_advice" → "Independent legal advice".
    static func words(_ code: String) -> String {
        let spaced = code.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// The label a fixed list gives a code, or the code in words.
    static func label<T: FixedList>(_ list: [(T, String)], _ code: String) -> String {
        list.first { $0.0.rawValue == code }?.1 ?? words(code)
    }

    static func query(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let items = pairs.filter { !$0.1.isEmpty }
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }
}

struct StaffPagesController {
    let database: AppDatabase
    let keys: KeyRing
    let settings: Settings
    let directory: ServiceDirectory
    let disclosure: DisclosurePolicy
    let session: StaffSessionController
    let kit: StaffPageKit

    static let pageSize = 25
    var ackDays: Int { settings.workflow.acknowledgementWorkingDays }

    /// `root` for the open sign-in routes; `signedIn` admits any staff role; `workers` practitioners and leads;
    /// `leads` leads only. Each group's `StaffPageAuth` sets `context.staff`.
    func addRoutes(root: RouterGroup<AppRequestContext>, signedIn: RouterGroup<AppRequestContext>,
                   workers: RouterGroup<AppRequestContext>, leads: RouterGroup<AppRequestContext>) {
        for path in ["staff/sign-in", "council/sign-in"] {
            root.get(RouterPath(path)) { request, _ in signInPage(request, action: "/\(path)", problem: nil, status: .ok) }
            root.post(RouterPath(path)) { request, context in try await signIn(request, context, action: "/\(path)") }
        }
        signedIn.get("") { _, context in
            let staff = try context.requireStaff()
            let home = staff.role == .council ? "/council" : staff.role.mayWorkCases ? "/staff/cases" : "/staff/directory"
            return Response(status: .seeOther, headers: [.location: home])
        }
        signedIn.post("sign-out", use: signOut)
        signedIn.get("directory", use: directoryPage)

        workers.get("cases", use: caseList)
        workers.get("cases/:id", use: casePage)
        workers.post("cases/:id/assign") { request, context in
            try await act(request, context) { form, staff, id in
                try await database.assign(caseID: id, toPractitionerEmail: form["practitioner"] ?? "", by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/acknowledge") { request, context in
            try await act(request, context) { form, staff, id in
                _ = try await database.acknowledge(caseID: id, method: try Self.one(form, "method", AcknowledgementMethod.self),
                                                   note: Self.note(form), by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/listening-sessions") { request, context in
            try await act(request, context) { form, staff, id in
                guard let minutes = Int(form["duration_minutes"] ?? "") else {
                    throw APIError.field("duration_minutes", "wrong_type", "Give the length of the session in minutes, as a number.")
                }
                _ = try await database.recordListeningSession(
                    caseID: id, heldOn: form["date"] ?? "", durationMinutes: minutes,
                    modality: try Self.one(form, "modality", ListeningModality.self), note: Self.note(form), by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/assessment") { request, context in
            try await act(request, context) { form, staff, id in
                guard let level = Int(form["level_of_need"] ?? "").flatMap(LevelOfNeed.init(rawValue:)) else {
                    throw APIError.field("level_of_need", "out_of_range", "Choose a level of need from 1 to 4.")
                }
                let needs = try form.all("needs").map { code in
                    guard let need = Need(rawValue: code) else { throw APIError.field("needs", "unknown_value", "Choose needs from the list.") }
                    return need
                }
                guard !needs.isEmpty else { throw APIError.field("needs", "required", "Choose at least one need.") }
                _ = try await database.recordAssessment(caseID: id, level: level, needs: needs, note: Self.note(form), by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/signposts") { request, context in
            try await act(request, context) { form, staff, id in
                guard let service = directory.service(id: form["service"] ?? "") else {
                    throw APIError.field("service", "unknown_value", "Choose a service from the directory.")
                }
                _ = try await database.addSignpost(caseID: id, service: service, need: try Self.one(form, "need", Need.self),
                                                   note: Self.note(form), by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/signposts/:sid/outcome") { request, context in
            try await act(request, context) { form, staff, id in
                guard let sid = context.parameters.get("sid") else { throw APIError.notFound() }
                try await database.recordSignpostOutcome(caseID: id, signpostID: sid,
                                                         outcome: try Self.one(form, "outcome", SignpostOutcome.self), by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/safeguarding") { request, context in
            try await act(request, context) { form, staff, id in
                _ = try await database.recordSafeguarding(caseID: id, route: try Self.one(form, "route", SafeguardingRoute.self),
                                                          note: Self.note(form), by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/messages") { request, context in
            try await act(request, context) { form, staff, id in
                _ = try await database.sendMessage(caseID: id, body: form["body"] ?? "", by: staff.actor, keys: keys)
            }
        }
        workers.post("cases/:id/close") { request, context in
            try await act(request, context) { form, staff, id in
                try await database.close(caseID: id, reason: try Self.one(form, "reason", CloseReason.self), note: Self.note(form),
                                         by: staff.actor, keys: keys)
            }
        }

        leads.get("themes", use: themesPage)
        leads.post("themes", use: addTheme)
        leads.post("reports/release", use: release)
    }

    // MARK: sign-in and out

    func signInPage(_ request: Request, action: String, problem: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["title": problem == nil ? "Sign in" : "There is a problem - Sign in", "action": action,
                                     "council": action.hasPrefix("/council")]
        if let problem { values["problem"] = problem }
        if request.uri.queryParameters["signed_out"] != nil { values["signed_out"] = true }
        return kit.render("staff-sign-in", request, nil, values, status: status)
    }

    func signIn(_ request: Request, _ context: AppRequestContext, action: String) async throws -> Response {
        do {
            let form = try await kit.readForm(request)
            let signedIn = try await session.authenticate(email: form["email"] ?? "", password: form["password"] ?? "",
                                                          code: (form["code"] ?? "").filter { !$0.isWhitespace }, context: context)
            let home = signedIn.account.role == .council ? "/council" : signedIn.account.role.mayWorkCases ? "/staff/cases" : "/staff/directory"
            return Response(status: .seeOther, headers: [.location: home, .setCookie: session.sessionCookie(signedIn.token)])
        } catch StaffAuthError.invalidCredentials {
            return signInPage(request, action: action, problem: "The email, password or code is not right. Codes change every 30 seconds and work once.",
                              status: .unauthorized)
        } catch {
            return kit.error(request, nil, ErrorMiddleware<AppRequestContext>.apiError(for: error), back: action)
        }
    }

    @Sendable func signOut(request: Request, context: AppRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        _ = try await kit.readForm(request)
        if let token = request.cookies[session.cookieName]?.value { try await database.signOut(token: token, keys: keys) }
        let signIn = staff.role == .council ? "/council/sign-in" : "/staff/sign-in"
        return Response(status: .seeOther, headers: [.location: signIn + "?signed_out=1", .setCookie: session.sessionCookie(nil)])
    }

    // MARK: the case list

    @Sendable func caseList(request: Request, context: AppRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let query = request.uri.queryParameters
        let stageText = query["stage"].map(String.init) ?? ""
        let assigned = query["assigned"].map(String.init) ?? ""
        let overdue = query["overdue"] == "1"
        let unread = query["unread"] == "1"
        var filter = CaseListFilter()
        if !stageText.isEmpty {
            guard let stage = Stage(rawValue: stageText) else { throw APIError.field("stage", "unknown_value", "Choose a stage from the list.") }
            filter.stage = stage
        }
        switch assigned {
        case "me": filter.assignedTo = staff.id
        case "none": filter.unassigned = true
        default: break
        }
        if overdue { filter.overdue = true }
        let cursor = query["cursor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }

        // "Unread replies" is not a store filter: read on in short batches, never past what one page shows,
        // so the cursor stays exact. Bounded, so a long list without replies still answers quickly.
        var found: [CaseSummary] = []
        var next = cursor
        var rounds = 0
        repeat {
            let want = Self.pageSize - found.count
            let page = try await database.caseList(filter: filter, limit: want, cursor: next, by: staff.actor, acknowledgementWorkingDays: ackDays)
            found += unread ? page.cases.filter { $0.unreadReplies > 0 } : page.cases
            next = page.nextCursor
            rounds += 1
        } while unread && found.count < Self.pageSize && next != nil && rounds < 40

        let filters: [(String, String)] = [("stage", stageText), ("assigned", assigned), ("overdue", overdue ? "1" : ""), ("unread", unread ? "1" : "")]
        var values: [String: Any] = [
            "title": "Cases",
            "is_lead": staff.role == .lead,
            "stages": Stage.allCases.map { ["value": $0.rawValue, "label": Self.stageLabel($0), "selected": $0.rawValue == stageText] as [String: Any] },
            "assigned_me": assigned == "me", "assigned_none": assigned == "none",
            "overdue": overdue, "unread": unread,
            "has_cases": !found.isEmpty,
            "cases": found.map { c -> [String: Any] in
                var row: [String: Any] = [
                    "id": c.id, "reference": c.reference, "stage": Self.stageLabel(c.stage), "area": IntakeQuestions.areaLabel(c.councilArea),
                    "received": c.receivedAt.formatted(StaffPageKit.dateOnly), "assigned_to": c.assignedTo ?? "Nobody yet", "overdue": c.overdue]
                if c.unreadReplies > 0 { row["unread"] = c.unreadReplies }
                return row
            },
            "filtered": filters.contains { !$0.1.isEmpty },
        ]
        if let next { values["next_page"] = "/staff/cases" + StaffPageKit.query(filters + [("cursor", next)]) }
        if cursor != nil { values["first_page"] = "/staff/cases" + StaffPageKit.query(filters) }
        return kit.render("staff-cases", request, staff, values)
    }

    static func stageLabel(_ stage: Stage) -> String { StaffPageKit.words(stage.rawValue) }

    // MARK: one case

    @Sendable func casePage(request: Request, context: AppRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        let id = try Self.caseID(context)
        let d = try await database.caseDetail(caseID: id, by: staff.actor, keys: keys, acknowledgementWorkingDays: ackDays)
        context.logger.info("case read", metadata: ["case.id": "\(d.id)"])
        let allowed = CaseLifecycle.allowedActions(at: d.stage)
        let c = d.referral.contact
        let fmt = StaffPageKit.dateTime
        func options<T: FixedList>(_ type: T.Type) -> [[String: Any]] { T.allCases.map { ["value": $0.rawValue, "label": StaffPageKit.words($0.rawValue)] } }
        let services = directory.services.filter { $0.areas.contains(d.councilArea) || $0.areas.contains("national") }

        var values: [String: Any] = [
            "title": "Case \(d.reference)", "id": d.id, "case_id": d.id, "reference": d.reference, "stage": Self.stageLabel(d.stage),
            "close_reason": d.closeReason.map { StaffPageKit.words($0.rawValue) } ?? "",
            "area": IntakeQuestions.areaLabel(d.councilArea), "received": d.receivedAt.formatted(fmt),
            "assigned_to": d.assignedTo ?? "Nobody yet", "overdue": d.overdue, "duplicate_of": d.duplicateOf ?? "",
            "contact": [
                "name": c.name ?? "", "email": c.email ?? "", "phone": c.phone ?? "", "address": c.address ?? "",
                "preference": StaffPageKit.label(IntakeQuestions.preference, c.preference.rawValue),
                "safe_to_leave_message": c.safeToLeaveMessage ? "Yes" : "No", "safe_times": c.safeTimes ?? "",
            ],
            "story": d.referral.story ?? "",
            "facts": [
                ["label": "Who referred", "value": StaffPageKit.label(IntakeQuestions.referrerRole, d.referrerRole.rawValue)],
                ["label": "Where it happened", "value": StaffPageKit.label(IntakeQuestions.setting, d.setting.rawValue)],
                ["label": "Kind of harm", "value": d.harm.map { StaffPageKit.label(IntakeQuestions.harm, $0.rawValue) }.joined(separator: "; ")],
                ["label": "How long ago", "value": StaffPageKit.label(IntakeQuestions.when, d.whenAgo.rawValue)],
                ["label": "Told before", "value": d.toldBefore.map { StaffPageKit.label(IntakeQuestions.toldBefore, $0.rawValue) }.joined(separator: "; ")],
                ["label": "What they would like", "value": d.wishes.map { StaffPageKit.label(IntakeQuestions.wishes, $0.rawValue) }.joined(separator: "; ")],
                ["label": "Agreed to anonymous statistics", "value": d.consentStatistics ? "Yes" : "No"],
            ],
            "sessions": d.listeningSessions.map {
                ["date": $0.heldOn, "minutes": $0.durationMinutes, "modality": StaffPageKit.words($0.modality.rawValue), "note": $0.note ?? ""] as [String: Any]
            },
            "assessments": d.assessments.map {
                ["level": "\($0.level.rawValue) - \($0.level.label)", "needs": $0.needs.map { StaffPageKit.words($0.rawValue) }.joined(separator: "; "),
                 "note": $0.note ?? "", "at": $0.assessedAt.formatted(fmt)] as [String: Any]
            },
            "signposts": d.signposts.map { s -> [String: Any] in
                ["id": s.id, "service": directory.service(id: s.serviceID)?.name ?? s.serviceID, "need": StaffPageKit.words(s.need.rawValue),
                 "outcome": StaffPageKit.words(s.outcome.rawValue), "note": s.note ?? "",
                 "can_outcome": allowed.contains(.recordSignpostOutcome),
                 "outcomes": SignpostOutcome.allCases.map { ["value": $0.rawValue, "label": StaffPageKit.words($0.rawValue), "selected": $0 == s.outcome] as [String: Any] }]
            },
            "safeguarding": d.safeguarding.map {
                ["route": StaffPageKit.words($0.route.rawValue), "note": $0.note ?? "", "at": $0.escalatedAt.formatted(fmt)] as [String: Any]
            },
            "messages": d.messages.map {
                ["from_family": $0.sender == "family", "from": $0.sender == "family" ? "The family" : "The partner", "body": $0.body,
                 "at": $0.sentAt.formatted(fmt)] as [String: Any]
            },
            "events": d.events.reversed().map { e -> [String: Any] in
                ["at": e.at.formatted(fmt), "action": StaffPageKit.words(e.action),
                 "change": e.fromStage == e.toStage ? "" : "\(Self.stageLabel(e.fromStage)) to \(Self.stageLabel(e.toStage))", "note": e.note ?? ""]
            },
            // Only the steps the lifecycle allows at this stage get a form.
            "can_assign": staff.role == .lead && d.stage != .closed,
            "can_acknowledge": allowed.contains(.acknowledge),
            "can_listen": allowed.contains(.recordListeningSession),
            "can_assess": allowed.contains(.recordAssessment),
            "can_signpost": allowed.contains(.addSignpost),
            "can_safeguard": allowed.contains(.recordSafeguarding),
            "can_message": allowed.contains(.sendMessage),
            "today": Date().formatted(.iso8601.year().month().day().dateSeparator(.dash)),
            "ack_methods": options(AcknowledgementMethod.self), "modalities": options(ListeningModality.self),
            "levels": LevelOfNeed.allCases.map { ["value": $0.rawValue, "label": "\($0.rawValue) - \($0.label)"] as [String: Any] },
            "needs": Need.allCases.map { ["value": $0.rawValue, "label": StaffPageKit.words($0.rawValue), "id": "need-\($0.rawValue)"] as [String: Any] },
            "services": services.map { ["value": $0.id, "label": $0.name] },
            "routes": options(SafeguardingRoute.self),
        ]
        let reasons = allowed.compactMap { action -> CloseReason? in if case .close(let r) = action { r } else { nil } }
        if !reasons.isEmpty {
            values["close"] = ["reasons": reasons.map { ["value": $0.rawValue, "label": StaffPageKit.words($0.rawValue)] }]
        }
        if let done = request.uri.queryParameters["done"].map(String.init), Self.doneWords[done] != nil {
            values["done"] = Self.doneWords[done]
        }
        values["has_steps"] = (values["can_acknowledge"] as? Bool == true) || (values["can_listen"] as? Bool == true)
            || (values["can_assess"] as? Bool == true) || (values["can_signpost"] as? Bool == true) || values["close"] != nil
        return kit.render("staff-case", request, staff, values)
    }

    static let doneWords: [String: String] = [
        "assign": "The case has been assigned.", "acknowledge": "Acknowledgement recorded.",
        "listening-sessions": "Listening session recorded.", "assessment": "Assessment recorded.", "signposts": "Signpost added.",
        "outcome": "Signpost outcome recorded.", "safeguarding": "Safeguarding escalation recorded.", "messages": "Message sent to the family.",
        "close": "The case has been closed.",
    ]

    /// Reads the form (CSRF checked), runs the step, and goes back to the case page (Post/Redirect/Get).
    /// A refused step or a bad value renders an error page with a link back to the case.
    private func act(_ request: Request, _ context: AppRequestContext,
                     _ step: @Sendable (FormBody, StaffAccount, String) async throws -> Void) async throws -> Response {
        let staff = try context.requireStaff()
        let id = try Self.caseID(context)
        let form = try await kit.readForm(request)
        do {
            try await step(form, staff, id)
        } catch {
            return kit.error(request, staff, ErrorMiddleware<AppRequestContext>.apiError(for: error), back: "/staff/cases/\(id)")
        }
        let path = request.uri.path
        let action = path.hasSuffix("/outcome") ? "outcome" : String(path.split(separator: "/").last ?? "")
        context.logger.info("case changed", metadata: ["case.id": "\(id)", "case.action": "\(action)"])
        return Response(status: .seeOther, headers: [.location: "/staff/cases/\(id)?done=\(action)"])
    }

    static func caseID(_ context: AppRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil, id == id.lowercased() else {
            throw APIError(.notFound, code: "not_found", message: "There is no such case.")
        }
        return id
    }

    static func one<T: FixedList>(_ form: FormBody, _ name: String, _ type: T.Type) throws -> T {
        guard let value = form[name].flatMap(T.init(rawValue:)) else {
            throw APIError.field(name, "unknown_value", "Choose one of the options for \(StaffPageKit.words(name).lowercased()).")
        }
        return value
    }

    static func note(_ form: FormBody) -> String? {
        guard let note = form["note"]?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty else { return nil }
        return note
    }

    // MARK: directory

    @Sendable func directoryPage(request: Request, context: AppRequestContext) async throws -> Response {
        let staff = try context.requireStaff()
        guard staff.role != .council else { throw APIError(.forbidden, code: "forbidden", message: "Your account cannot open this page.") }
        let services = directory.services.map { s -> [String: Any] in
            ["name": s.name, "description": s.description, "needs": s.needs.map { StaffPageKit.words($0.rawValue) }.joined(separator: ", "),
             "areas": s.areas.map { $0 == "national" ? "National" : IntakeQuestions.areaLabel($0) }.joined(separator: ", "), "how": s.howToReach]
        }
        return kit.render("staff-directory", request, staff, ["title": "Service directory", "services": services])
    }
}
