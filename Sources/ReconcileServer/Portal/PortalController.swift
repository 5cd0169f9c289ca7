import Foundation
import HTTPTypes
import Hummingbird
import ReconcileCore
import ReconcileStore

/// The family's JSON API under `/api/v1/portal`: sign in with reference + passphrase, read the stage in
/// plain words and the messages, reply, withdraw, ask for erasure (or cancel it), take a copy of everything.
struct PortalController {
    let portal: PortalService
    /// For the readable copy of everything held (`?format=html`).
    let pages: Pages

    struct SignedIn: ResponseEncodable { let token: String; let expiresInSeconds: Int }
    struct Message: Encodable { let from: String; let body: String; let at: Date }
    struct Erasure: ResponseEncodable { let requestedAt: Date; let dueAt: Date; let held: Bool; let cancelled: Bool; let heldForEvidence: Bool }
    struct CaseView: ResponseEncodable {
        let reference: String, stage: String, stageText: String
        let messages: [Message]
        let erasure: Erasure?
        let comeBackRequestedAt: Date?
        let closureSummary: String?
        /// When a new passphrase was issued, if this is the first sign-in since (else null).
        var passphraseReissuedAt: Date? = nil
        /// Meetings asked for on the family's behalf: codes, and where each is up to in the family's words.
        var meetings: [Meeting] = []
        /// The reference the conversation goes on under, when this referral was closed as a duplicate (else null).
        var continuesIn: String? = nil
        /// Appointments still to come: when (an instant, and the London wall time in words), how long, how.
        var appointments: [Appointment] = []
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reference, forKey: .reference)
            try c.encode(stage, forKey: .stage)
            try c.encode(stageText, forKey: .stageText)
            try c.encode(messages, forKey: .messages)
            try c.encode(erasure, forKey: .erasure)  // explicit null: "no erasure asked for"
            try c.encode(comeBackRequestedAt, forKey: .comeBackRequestedAt)
            try c.encode(closureSummary, forKey: .closureSummary)
            try c.encode(passphraseReissuedAt, forKey: .passphraseReissuedAt)
            try c.encode(meetings, forKey: .meetings)
            try c.encode(continuesIn, forKey: .continuesIn)
            try c.encode(appointments, forKey: .appointments)
        }
        enum CodingKeys: String, CodingKey {
            case reference, stage, stageText, messages, erasure, comeBackRequestedAt, closureSummary, passphraseReissuedAt, meetings, continuesIn
            case appointments
        }
    }
    struct Meeting: Encodable {
        let party, status, statusText: String
        let heldOn: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(party, forKey: .party)
            try c.encode(status, forKey: .status)
            try c.encode(statusText, forKey: .statusText)
            try c.encode(heldOn, forKey: .heldOn)
        }
        enum CodingKeys: String, CodingKey { case party, status, statusText, heldOn }
    }
    struct Appointment: Encodable { let startsAt: Date; let durationMinutes: Int; let modality: String; let moved: Bool; let text: String }
    struct Created: ResponseEncodable { let id: String }
    struct StageOnly: ResponseEncodable { let stage: String; let stageText: String }

    func addRoutes(public group: RouterGroup<AppRequestContext>, signedIn: RouterGroup<FamilyRequestContext>) {
        group.post("session", use: signIn)
        signedIn.delete("session", use: signOut)
        signedIn.get("case", use: view)
        signedIn.post("messages", use: message)
        signedIn.post("withdraw", use: withdraw)
        signedIn.get("notifications", use: notice)
        signedIn.patch("notifications", use: setNotice)
        signedIn.post("come-back", use: comeBack)
        signedIn.post("erasure", use: requestErasure)
        signedIn.delete("erasure", use: cancelErasure)
        signedIn.get("export", use: export)
    }

    @Sendable func signIn(request: Request, context: AppRequestContext) async throws -> EditedResponse<SignedIn> {
        let fields = try await JSONFields.read(request, maxBytes: 4096, allowed: ["reference", "passphrase"])
        let session = try await portal.signIn(reference: try fields.requiredString("reference"),
                                              passphrase: try fields.requiredString("passphrase"), context: context)
        return EditedResponse(headers: [.setCookie: portal.cookie(session.token)],
                              response: SignedIn(token: session.token, expiresInSeconds: Int(portal.policy.absolute)))
    }

    @Sendable func signOut(request: Request, context: FamilyRequestContext) async throws -> Response {
        if let token = request.bearerToken { try await portal.stores.portal.portalSignOut(token: token) }
        return Response(status: .noContent, headers: [.setCookie: portal.cookie(nil), .clearSiteData: PortalService.clearSiteData])
    }

    @Sendable func view(request: Request, context: FamilyRequestContext) async throws -> CaseView {
        let v = try await portal.stores.portal.portalView(caseID: context.caseID)
        var view = CaseView(reference: v.reference, stage: v.stage.rawValue, stageText: Self.stageText(v, request),
                            messages: v.messages.map { Message(from: $0.from, body: $0.body, at: $0.at) },
                            erasure: v.erasure.map { Erasure(requestedAt: $0.requestedAt, dueAt: $0.dueAt, held: $0.held, cancelled: $0.cancelled,
                                                                      heldForEvidence: $0.heldForEvidence) },
                            comeBackRequestedAt: v.comeBackRequestedAt, closureSummary: v.closureSummary)
        view.continuesIn = v.continuesIn
        let catalogue = Catalogues[FamilyLanguage.choose(query: nil, cookie: nil, recorded: v.language, acceptLanguage: request.headers[.acceptLanguage])]
        view.meetings = v.meetings.map {
            Meeting(party: $0.party.rawValue, status: $0.status.rawValue, statusText: PortalPagesController.meetingLine($0, catalogue), heldOn: $0.heldOn)
        }
        let language = FamilyLanguage.choose(query: nil, cookie: nil, recorded: v.language, acceptLanguage: request.headers[.acceptLanguage])
        view.appointments = v.appointments.map {
            Appointment(startsAt: $0.startsAt, durationMinutes: $0.durationMinutes, modality: $0.modality.rawValue, moved: $0.moved,
                        text: PortalPagesController.appointmentLine($0, catalogue, language))
        }
        if let token = request.bearerToken { view.passphraseReissuedAt = try await portal.stores.portal.portalReissueNotice(token: token) }
        return view
    }

    struct Notice: ResponseEncodable { let notifyByEmail: Bool; let namesService: Bool; let hasEmail: Bool }

    /// Whether the family gets a neutral email when staff write to them (only if they gave an address).
    @Sendable func notice(request: Request, context: FamilyRequestContext) async throws -> Notice {
        let c = try await portal.stores.mail.familyNoticeChoice(caseID: context.caseID)
        return Notice(notifyByEmail: c.notifyByEmail, namesService: c.namesService, hasEmail: c.hasEmail)
    }

    @Sendable func setNotice(request: Request, context: FamilyRequestContext) async throws -> Notice {
        let fields = try await JSONFields.read(request, maxBytes: 4096, allowed: NoticeChange.fields)
        try await portal.setNotice(NoticeChange(reading: fields), caseID: context.caseID)
        return try await notice(request: request, context: context)
    }

    struct ComeBack: ResponseEncodable { let requestedAt: Date }

    /// A closed case's family asks to come back: a lead sees it in the list and reopens it.
    @Sendable func comeBack(request: Request, context: FamilyRequestContext) async throws -> EditedResponse<ComeBack> {
        let at = try await portal.stores.portal.askToComeBack(caseID: context.caseID)
        context.logger.info("family asked to come back", metadata: ["case.id": "\(context.caseID)"])
        return EditedResponse(status: .accepted, response: ComeBack(requestedAt: at))
    }

    @Sendable func message(request: Request, context: FamilyRequestContext) async throws -> EditedResponse<Created> {
        let fields = try await JSONFields.read(request, maxBytes: portal.maxBody, allowed: FamilyMessageInput.fields)
        let id = try await portal.message(FamilyMessageInput(reading: fields), caseID: context.caseID)
        context.logger.info("family message received", metadata: ["case.id": "\(context.caseID)"])
        return EditedResponse(status: .created, response: Created(id: id))
    }

    @Sendable func withdraw(request: Request, context: FamilyRequestContext) async throws -> StageOnly {
        let caseID = context.caseID
        try await portal.stores.portal.withdraw(caseID: caseID)
        let v = try await portal.stores.portal.portalView(caseID: caseID)
        return StageOnly(stage: v.stage.rawValue, stageText: Self.stageText(v, request))
    }

    /// Where the referral is up to, in the family's words: the language their referral was made in, else the one
    /// the client asks for (`Accept-Language`), else English.
    static func stageText(_ view: PortalView, _ request: Request) -> String {
        let language = FamilyLanguage.choose(query: nil, cookie: nil, recorded: view.language, acceptLanguage: request.headers[.acceptLanguage])
        return Catalogues[language][PortalPagesController.stageKey(view)]
    }

    @Sendable func requestErasure(request: Request, context: FamilyRequestContext) async throws -> EditedResponse<Erasure> {
        let status = try await portal.stores.retention.requestErasure(caseID: context.caseID, policy: portal.retention)
        return EditedResponse(status: .accepted, response: Erasure(requestedAt: status.requestedAt, dueAt: status.dueAt,
                                                                   held: status.held, cancelled: status.cancelled,
                                                                   heldForEvidence: status.heldForEvidence))
    }

    @Sendable func cancelErasure(request: Request, context: FamilyRequestContext) async throws -> Response {
        try await portal.stores.retention.cancelErasure(caseID: context.caseID)
        return Response(status: .noContent)
    }

    /// Everything held: JSON (the default, a download) or `?format=html`, a page in the family's language to read and print.
    @Sendable func export(request: Request, context: FamilyRequestContext) async throws -> Response {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard format == "json" || format == "html" else { throw APIError.field("format", "unknown_value", "Use json or html.") }
        let export = try await portal.stores.portal.exportCase(caseID: context.caseID)
        if format == "html" {
            var page = PortalRecordPage(pages: pages, idleRefresh: portal.idleRefreshSeconds).render(export, request: request)
            page.headers[.contentDisposition] = "inline; filename=\"reconcile-export.html\""
            return page
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"reconcile-export.json\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(export))))
    }
}

/// A family's message to their practitioner, read alike from JSON and the page's form. The store refuses an empty
/// one (422 `body`), in the family's words on the page.
struct FamilyMessageInput {
    static let fields: Set<String> = ["body"]
    let body: String

    init(reading f: some ActionFields) throws { body = try f.text("body") ?? "" }
}

/// The family's choice of a neutral email when staff write, read alike from the API's JSON (a key left out stays as
/// it is) and the page's form (which shows both boxes). The store names the service only in a notice that is sent.
struct NoticeChange {
    static let fields: Set<String> = ["notify_by_email", "names_service"]
    let notifyByEmail, namesService: Bool?

    init(reading f: some ActionFields) throws {
        notifyByEmail = try f.tickbox("notify_by_email")
        namesService = try f.tickbox("names_service")
    }
}

/// What the portal's API and pages share: sign-in with throttling, cookie shape, policies.
struct PortalService: Sendable {
    let stores: Stores
    let policy: PortalSessionPolicy
    let retention: RetentionPolicy
    let throttle: RateLimiter
    /// Where passphrases still stored as Argon2id (from before keyed verifiers) are checked.
    let pool: SlowWorkPool
    let secureCookies: Bool
    let maxBody: Int
    /// `limits.family_messages_per_day` (0: no bound).
    var messagesPerDay = 0

    /// On every sign-out answer, portal and staff alike: the browser drops this site's cache (the back/forward
    /// cache too), cookies and storage, so a shared phone keeps no page of the case. Browsers honour it only on a
    /// secure context (https, or http on loopback).
    static let clearSiteData = #""cache", "cookies", "storage""#

    var cookieName: String { SessionCookies(secure: secureCookies).portalSession }

    /// A signed-in page leaves for the signed-out page on its own a little after the session's idle limit, so a phone
    /// put down on the case page does not keep showing it (`data-idle-seconds`, read by the same-origin script).
    var idleRefreshSeconds: Int { Int(policy.idle) + 5 }

    /// Set-Cookie for a session (or one that clears it, for nil). A browser-session cookie: closing the browser
    /// on a shared device signs the family out; the server-side session still expires on its own.
    func cookie(_ token: String?) -> String {
        let cookies = SessionCookies(secure: secureCookies)
        return token.map { cookies.set(cookieName, $0, maxAge: nil) } ?? cookies.clear(cookieName)
    }

    /// Throttled per reference and per address; the same answer for an unknown reference and a wrong passphrase.
    /// The one action behind the message's two doors; returns the message's id.
    func message(_ input: FamilyMessageInput, caseID: CaseID) async throws -> String {
        try await stores.portal.familyMessage(caseID: caseID, body: input.body, perDay: messagesPerDay)
    }

    /// The one action behind the notice choice's two doors.
    func setNotice(_ change: NoticeChange, caseID: CaseID) async throws {
        try await stores.mail.setFamilyNotice(caseID: caseID, notifyByEmail: change.notifyByEmail, namesService: change.namesService)
    }

    func signIn(reference: String, passphrase: String, context: AppRequestContext) async throws -> PortalSignIn {
        // Counted before the check and handed back on success, so a parallel burst gets no more checks than
        // the limit (see `RateLimiter.reserve`).
        let reservation: RateLimiter.Reservation
        switch await throttle.reserve(["reference:\(ReferenceFormat.normalise(reference).prefix(20))", "address:\(context.clientAddress)"]) {
        case .failure(let wait):
            context.logger.notice("portal sign-in refused: too many failures")
            throw APIError.tooManyRequests(retryAfter: wait.seconds)
        case .success(let granted): reservation = granted
        }
        do {
            let session = try await stores.portal.portalSignIn(reference: reference, passphrase: passphrase, policy: policy,
                                                          pool: pool)
            await throttle.refund(reservation)
            return session
        } catch PortalAuthError.invalidCredentials {
            context.logger.notice("portal sign-in failed")
            throw PortalAuthError.invalidCredentials
        } catch {
            await throttle.refund(reservation)
            throw error
        }
    }
}

extension HTTPField.Name {
    static let contentDisposition = Self("Content-Disposition")!
    static let clearSiteData = Self("Clear-Site-Data")!
}
