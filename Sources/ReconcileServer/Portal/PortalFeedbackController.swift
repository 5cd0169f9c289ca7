import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// The family's feedback questionnaire and their complaints or compliments, by API
/// (`/api/v1/portal/feedback`, `/api/v1/portal/complaints`) and by page (`/portal/feedback`). Offered prominently
/// on the case page once the case is closed, and open at any stage. One input each, read alike from JSON or a form.
struct PortalFeedbackController {
    let portal: PortalService
    let quarterStartMonth: Int
    /// `limits.family_complaints_per_day`.
    let complaintsPerDay: Int
    /// `limits.family_feedback_per_day`.
    var feedbackPerDay = 0

    struct FeedbackInput {
        static let fields: Set<String> = ["listened_to", "believed", "help_was_right", "comment"]
        var scores: [FeedbackQuestion: Int] = [:]
        let comment: String?

        /// Every answer is optional; a score must be a whole number 1–5. The comment is never quoted back or logged.
        init(_ f: some ActionFields) throws {
            for question in FeedbackQuestion.allCases {
                guard let n = try f.optionalWholeNumber(question.rawValue) else { continue }
                guard FeedbackScore.range.contains(n) else {
                    throw APIError.field(question.rawValue, "out_of_range", Catalogues.english["error_feedback_range"])
                }
                scores[question] = n
            }
            comment = try f.text("comment")
        }
    }

    struct ComplaintInput {
        static let fields: Set<String> = ["kind", "text"]
        let kind: ComplaintKind
        let text: String?

        init(_ f: some ActionFields) throws {
            kind = try f.one("kind", ComplaintKind.self)
            text = try f.text("text")
        }
    }

    struct Given: ResponseEncodable { let replaced: Bool }
    struct Sent: ResponseEncodable { let id: String; let kind: String; let receivedOn: String }

    func addRoutes(api: RouterGroup<FamilyRequestContext>) {
        api.post("feedback") { request, context -> EditedResponse<Given> in
            let input = try FeedbackInput(try await JSONFields.read(request, maxBytes: portal.maxBody, allowed: FeedbackInput.fields))
            let replaced = try await give(input, caseID: context.caseID)
            context.logger.info("family feedback received", metadata: ["case.id": "\(context.caseID)"])
            return EditedResponse(status: .created, response: Given(replaced: replaced))
        }
        api.post("complaints") { request, context -> EditedResponse<Sent> in
            let input = try ComplaintInput(try await JSONFields.read(request, maxBytes: portal.maxBody, allowed: ComplaintInput.fields))
            let sent = try await send(input, caseID: context.caseID)
            context.logger.info("family complaint or compliment received", metadata: ["case.id": "\(context.caseID)", "kind": "\(sent.kind.rawValue)"])
            return EditedResponse(status: .created, response: Sent(id: sent.id, kind: sent.kind.rawValue, receivedOn: sent.receivedOn))
        }
    }

    func give(_ input: FeedbackInput, caseID: CaseID) async throws -> Bool {
        try await portal.stores.portal.giveFeedback(caseID: caseID, scores: input.scores, comment: input.comment,
                                               quarterStartMonth: quarterStartMonth, perDay: feedbackPerDay)
    }

    func send(_ input: ComplaintInput, caseID: CaseID) async throws -> Complaint {
        try await portal.stores.reports.familyComplaint(caseID: caseID, kind: input.kind, text: input.text, perDay: complaintsPerDay)
    }
}

/// `/portal/feedback`: the questionnaire and the complaint or compliment form, without JavaScript; CSRF on each POST.
struct PortalFeedbackPagesController {
    let feedback: PortalFeedbackController
    let pages: Pages
    let csrf: CSRFProtection

    struct Option: Sendable, Encodable { let value, id: String; let checked: Bool }
    struct Question: Sendable, Encodable { let name, text: String; let options: [Option] }
    struct Model: PageModel {
        let title: String
        let csrfToken: String
        let closed: Bool
        let questions: [Question]
        let comment: String
        let givenOn: String?
        let canChange: Bool
        let thanks: Bool
        let sent: String?
        let idleRefresh: Int
    }

    /// A question as the family read it; staff read the English.
    static func questionText(_ question: FeedbackQuestion, in words: MessageCatalogue = Catalogues.english) -> String {
        words["feedback_q_\(question.rawValue)"]
    }

    func addRoutes(to group: RouterGroup<FamilyRequestContext>) {
        group.get("feedback") { request, context in try await page(request, context) }
        group.post("feedback") { request, context in
            let form = try await readForm(request)
            _ = try await feedback.give(try .init(FormFields(form: form)), caseID: context.caseID)
            return Response(status: .seeOther, headers: [.location: "/portal/feedback?done=feedback"])
        }
        group.post("complaints") { request, context in
            let form = try await readForm(request)
            let sent = try await feedback.send(try .init(FormFields(form: form)), caseID: context.caseID)
            return Response(status: .seeOther, headers: [.location: "/portal/feedback?done=\(sent.kind.rawValue)"])
        }
    }

    private func page(_ request: Request, _ context: FamilyRequestContext) async throws -> Response {
        let portal = feedback.portal.stores.portal
        let view = try await portal.portalView(caseID: context.caseID)
        let given = try await portal.familyFeedback(caseID: context.caseID)
        let month = feedback.quarterStartMonth
        let canChange = given.map { Quarter.containing($0.givenAt, startMonth: month) == Quarter.containing(Date(), startMonth: month) } ?? true
        let (token, setCookie) = csrf.issue(for: request, sessionCookie: csrf.cookies.portalSession)
        let language = pages.language(of: request, recorded: view.language)
        let words = Catalogues[language]
        let day = ServiceTime.day(language)
        let done = request.uri.queryParameters["done"].map(String.init)
        let givenOn = given?.givenAt.formatted(day)
        let model = Model(
            title: words["feedback_title"], csrfToken: token, closed: view.stage == .closed,
            questions: FeedbackQuestion.allCases.map { q in
                Question(name: q.rawValue, text: Self.questionText(q, in: words), options: FeedbackScore.range.map {
                    Option(value: String($0), id: "\(q.rawValue)-\($0)", checked: given?.scores[q] == $0)
                })
            },
            comment: given?.comment ?? "", givenOn: givenOn, canChange: canChange,
            thanks: done == "feedback", sent: done.flatMap(ComplaintKind.init(rawValue:))?.rawValue,
            idleRefresh: feedback.portal.idleRefreshSeconds)
        return pages.family("portal-feedback", model, request: request, values: ["given_on": givenOn ?? ""], language: language,
                            headers: setCookie.map { [.setCookie: $0] } ?? [:])
    }

    private func readForm(_ request: Request) async throws -> FormBody {
        try await csrf.readForm(request, maxBytes: feedback.portal.maxBody, sessionCookie: csrf.cookies.portalSession,
                                expired: Catalogues.english["error_page_expired"])
    }
}
