import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// A family's own words for the council: `PUT`/`GET`/`DELETE /api/v1/portal/voice` and
/// `POST /api/v1/portal/voice/accept-edit`, and the page `/portal/voice`. One input, read alike from JSON or a form;
/// the words are never logged or echoed in an error.
struct PortalVoiceController {
    let portal: PortalService
    let pages: Pages
    let csrf: CSRFProtection
    /// `voices.minimum_per_release`: told to the family while their approved words wait.
    let minimumPerRelease: Int

    struct Input {
        static let fields: Set<String> = ["text", "consent"]
        let text: String
        let consent: Bool

        /// Consent is its own, explicit answer: absent or false is refused by name, never assumed.
        init(_ f: some ActionFields) throws {
            text = try f.requiredText("text")
            consent = try VoiceStep.optionalFlag(f, "consent") ?? false
            guard consent else { throw VoiceError.consentRequired }
        }
    }

    struct Voice: ResponseEncodable {
        let id, status, statusText: String
        let text, proposedText: String?
        let consentAt: Date
        let releasedQuarter: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(status, forKey: .status)
            try c.encode(statusText, forKey: .statusText)
            try c.encode(text, forKey: .text)
            try c.encode(proposedText, forKey: .proposedText)
            try c.encode(consentAt, forKey: .consentAt)
            try c.encode(releasedQuarter, forKey: .releasedQuarter)
        }
        enum CodingKeys: String, CodingKey { case id, status, statusText, text, proposedText, consentAt, releasedQuarter }
    }

    func addRoutes(api: RouterGroup<FamilyRequestContext>, pages group: RouterGroup<FamilyRequestContext>) {
        api.put("voice") { request, context -> Voice in
            let input = try Input(try await JSONFields.read(request, maxBytes: portal.maxBody, allowed: Input.fields))
            try await portal.stores.portal.offerVoice(caseID: context.caseID, text: input.text, consent: input.consent, by: .family)
            context.logger.info("family words offered", metadata: ["case.id": "\(context.caseID)"])
            return try await voice(context.caseID, request)
        }
        api.get("voice") { request, context -> Voice in try await voice(context.caseID, request) }
        api.delete("voice") { _, context -> Response in
            try await portal.stores.portal.withdrawVoice(caseID: context.caseID)
            context.logger.info("family words withdrawn", metadata: ["case.id": "\(context.caseID)"])
            return Response(status: .noContent)
        }
        api.post("voice/accept-edit") { request, context -> Voice in
            try await portal.stores.portal.acceptVoiceEdit(caseID: context.caseID)
            return try await voice(context.caseID, request)
        }

        group.get("voice") { request, context in try await page(request, context) }
        group.post("voice") { request, context in
            try await act(request, context) { form in
                let input = try Input(FormFields(form: form))
                try await portal.stores.portal.offerVoice(caseID: context.caseID, text: input.text, consent: input.consent, by: .family)
            }
        }
        group.post("voice/withdraw") { request, context in
            try await act(request, context) { _ in try await portal.stores.portal.withdrawVoice(caseID: context.caseID) }
        }
        group.post("voice/accept-edit") { request, context in
            try await act(request, context) { _ in try await portal.stores.portal.acceptVoiceEdit(caseID: context.caseID) }
        }
    }

    /// The statement as the family reads it, with where it is up to in their language.
    func voice(_ caseID: CaseID, _ request: Request) async throws -> Voice {
        guard let v = try await portal.stores.portal.familyVoice(caseID: caseID) else { throw VoiceError.notFound }
        let view = try await portal.stores.portal.portalView(caseID: caseID)
        let words = Catalogues[FamilyLanguage.choose(query: nil, cookie: nil, recorded: view.language, acceptLanguage: request.headers[.acceptLanguage])]
        return Voice(id: v.id, status: v.status.rawValue, statusText: Self.statusText(v, words, minimum: minimumPerRelease), text: v.text,
                     proposedText: v.proposedText, consentAt: v.consentAt, releasedQuarter: v.releasedQuarter)
    }

    static func statusText(_ v: FamilyVoiceView, _ words: MessageCatalogue, minimum: Int) -> String {
        words.text("voice_status_\(v.status.rawValue)", ["minimum": String(minimum), "quarter": v.releasedQuarter ?? ""])
    }

    struct Model: PageModel {
        let title, csrfToken: String
        let statusText: String?
        let text: String
        let proposedText: String?
        let canWrite, canWithdraw, released: Bool
        let idleRefresh: Int
    }

    private func page(_ request: Request, _ context: FamilyRequestContext) async throws -> Response {
        let view = try await portal.stores.portal.portalView(caseID: context.caseID)
        let v = try await portal.stores.portal.familyVoice(caseID: context.caseID)
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: csrf.cookies.portalSession)
        let language = pages.language(of: request, recorded: view.language)
        let words = Catalogues[language]
        let open = v?.status.isOpen ?? true
        let model = Model(title: words["voice_title"], csrfToken: token, statusText: v.map { Self.statusText($0, words, minimum: minimumPerRelease) },
                          text: open ? v?.text ?? "" : "", proposedText: v?.proposedText, canWrite: open, canWithdraw: v?.status.isOpen == true,
                          released: v?.status == .released, idleRefresh: portal.idleRefreshSeconds)
        return pages.family("portal-voice", model, request: request,
                            values: ["minimum": String(minimumPerRelease), "quarter": v?.releasedQuarter ?? ""], language: language,
                            headers: setCookie.map { [.setCookie: $0] } ?? [:])
    }

    /// CSRF first; a refusal is a page in the family's language with a way back; else back to the page.
    private func act(_ request: Request, _ context: FamilyRequestContext, _ action: @Sendable (FormBody) async throws -> Void) async throws -> Response {
        let form = try await csrf.readForm(request, maxBytes: portal.maxBody, sessionCookie: csrf.cookies.portalSession,
                                           expired: Catalogues.english["error_page_expired"])
        do {
            try await action(form)
        } catch let error as VoiceError {
            return pages.error(APIError.from(domain: error) ?? APIError(.conflict, code: "not_possible", message: "That is not possible now."), request: request)
        } catch let error as APIError {
            return pages.error(error, request: request)
        }
        return Response(status: .seeOther, headers: [.location: "/portal/voice"])
    }
}
