import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// What every staff and council page shares: the layout values, CSRF, form reading, friendly errors.
struct StaffPageKit: Sendable {
    let pages: Pages
    let csrf: CSRFProtection
    let maxBody: Int

    static let london = WorkingDays.timeZone
    /// The service's one English way of writing times (`ServiceTime`), as the portal writes them.
    static let dateTime = ServiceTime.moment(.english)
    static let dateOnly = ServiceTime.day(.english)

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
            context["nav_records_check"] = account.role == .lead
            context["nav_council"] = account.role == .council
        }
        return pages.render(template, context.compactMapValues(Self.dropEmpty), status: status,
                            headers: setCookie.map { [.setCookie: $0] } ?? [:])
    }

    /// Renders `template` with a typed view model and the layout values.
    func render(_ template: String, _ request: Request, _ account: StaffAccount?, _ model: some PageModel,
                status: HTTPResponse.Status = .ok) -> Response {
        render(template, request, account, TemplateValues.of(model), status: status)
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

    struct ErrorModel: PageModel { let title, message, home: String; let back: String? }

    /// A friendly page for an error: the same message as the API's, a title that fits, and a way back.
    func error(_ request: Request, _ account: StaffAccount?, _ error: APIError, back: String? = nil) -> Response {
        let home = account?.role == .council ? "/council" : account == nil ? "/staff/sign-in" : "/staff"
        var response = render("staff-error", request, account, ErrorModel(title: Self.title(for: error), message: error.message, home: home, back: back),
                              status: error.status)
        for field in error.headers { response.headers.append(field) }
        return response
    }

    /// The heading of a staff error page, by what went wrong.
    static func title(for error: APIError) -> String {
        switch error.status.code {
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
    }

    /// The form body, after checking its CSRF token (403 page when it is missing or wrong).
    func readForm(_ request: Request) async throws -> FormBody {
        try await csrf.readForm(request, maxBytes: maxBody, sessionCookie: csrf.cookies.staffSession,
                                expired: "This form only works when opened from this website, with cookies allowed. Please open the page again and resend it.")
    }

    /// "independent_legal_advice" → "Independent legal advice", from the staff and council word catalogue.
    static func words(_ code: String) -> String { WordCatalogue.standard.anyCode(code) }

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
