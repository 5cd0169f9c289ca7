import Foundation
import ReconcileCore
import HTTPTypes
import Hummingbird

/// Family-facing pages in the family's language: the catalogue as `t`, `<html lang dir>`, the language switch,
/// and the switch's choice remembered in a cookie.
extension Pages {
    var languageCookie: String { cookies.name("reconcile_lang") }

    func language(of request: Request, recorded: FamilyLanguage? = nil) -> FamilyLanguage {
        FamilyLanguage.choose(request, cookieName: languageCookie, recorded: recorded)
    }

    func catalogue(for request: Request) -> MessageCatalogue { Catalogues[language(of: request)] }

    /// Renders a family page in `language` (by default the request's). `values` fill the catalogue's `{name}`
    /// places (HTML-escaped).
    func family(_ template: String, _ context: [String: Any], request: Request, values: [String: String] = [:],
                language: FamilyLanguage? = nil, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let language = language ?? self.language(of: request)
        let catalogue = Catalogues[language]
        var context = context
        context["t"] = catalogue.forTemplate(values)
        context["html_lang"] = catalogue.about.htmlLang
        context["dir"] = catalogue.about.dir
        context["language_links"] = FamilyLanguage.allCases.map { other -> [String: Any] in
            let about = Catalogues[other].about
            return ["name": about.name, "html_lang": about.htmlLang, "href": Self.switchLink(request, to: other), "current": other == language]
        }
        var headers = headers
        headers[.contentLanguage] = catalogue.about.htmlLang
        // The switch's choice lasts for this browser session only: a lasting cookie would be one more trace, on a
        // shared device, that this site was visited.
        if let asked = request.uri.queryParameters["lang"], FamilyLanguage(rawValue: String(asked)) == language,
           request.cookies[languageCookie]?.value != language.rawValue {
            headers.append(HTTPField(name: .setCookie, value: cookies.set(languageCookie, language.rawValue, maxAge: nil)))
        }
        return render(template, context, status: status, headers: headers)
    }

    func family(_ template: String, _ model: some PageModel, request: Request, values: [String: String] = [:],
                language: FamilyLanguage? = nil, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        family(template, TemplateValues.of(model), request: request, values: values, language: language, status: status, headers: headers)
    }

    /// Where the switch leads: this page again for a GET; after a POST (a form sent, an action taken) the page the
    /// form lives on, since the switch is a plain link and a link cannot send the form again.
    static func switchLink(_ request: Request, to language: FamilyLanguage) -> String {
        let path = request.uri.path
        var page: String
        if request.method == .get || request.method == .head {
            page = path
        } else if path.hasPrefix("/portal/") {
            page = "/portal/case"
        } else if path == "/refer" || path == "/portal" {
            page = path
        } else {
            page = "/"
        }
        var query = "lang=\(language.rawValue)"
        if page == "/refer", request.uri.queryParameters["as"] == "young_person" { query = "as=young_person&" + query }
        return page + "?" + query
    }

    /// The error page in the family's language: the title by status, the message by the error's code where the
    /// catalogue has it (the English message otherwise, for the few errors only staff pages can meet).
    func error(_ error: APIError, request: Request, language: FamilyLanguage? = nil) -> Response {
        // Staff and council pages are in English, and their errors keep their own precise words.
        let staffPage = request.uri.path.hasPrefix("/staff") || request.uri.path.hasPrefix("/council")
        let catalogue = Catalogues[staffPage ? .english : language ?? self.language(of: request)]
        let message = staffPage ? error.message : Self.messageKeys[error.code].map { catalogue[$0] } ?? error.message
        var response = family("error", ["title": catalogue[Self.titleKey(for: error.status)], "message": message, "code": error.code],
                              request: request, language: catalogue.language, status: error.status, headers: error.headers)
        response.headers[.contentType] = "text/html; charset=utf-8"
        return response
    }

    static func titleKey(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404, 403, 409, 413, 429: "error_title_\(status.code)"
        case 500...: "error_title_500"
        default: "error_title_other"
        }
    }

    /// The errors a family can meet, by code, and the catalogue's words for each.
    static let messageKeys: [String: String] = [
        "not_found": "error_not_found", "form_expired": "error_form_expired", "invalid_form": "error_form_unreadable",
        "rate_limited": "error_too_many", "not_accepted": "error_not_accepted", "already_sent": "error_already_sent",
        "already_received": "error_already_received", "too_large": "error_too_large", "busy": "error_busy",
        "internal_error": "error_server", "invalid_message": "error_invalid_message",
        "invalid_characters": "error_message_characters", "not_possible": "error_not_possible",
        // The feedback and complaint forms.
        "out_of_range": "error_feedback_range", "nothing_answered": "error_feedback_nothing",
        "feedback_already_given": "error_feedback_given", "unknown_value": "error_choose_one", "required": "error_choose_one",
        "too_long": "error_too_long_text", "too_many_today": "error_complaints_today",
        // Families' own words.
        "consent_required": "error_voice_consent", "already_released": "error_voice_released", "no_edit_proposed": "error_not_possible",
    ]
}
