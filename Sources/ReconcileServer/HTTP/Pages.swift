import Foundation
import Hummingbird
import Mustache
import ReconcileCore

/// Server-rendered HTML from the Mustache templates in `Resources/templates`. Mustache escapes every
/// `{{value}}`, so text from a family is never interpreted as markup.
struct Pages: Sendable {
    let library: MustacheLibrary
    /// Every public page's footer lists these beside 999: this is not an emergency service.
    let areaContacts: [AreaContact]

    static func load(areaContacts: AreaContacts = AreaContacts()) throws -> Pages {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw PagesError.missingResources
        }
        let dir = root.appendingPathComponent("templates")
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return Pages(library: library, areaContacts: areaContacts.areas)
    }

    enum PagesError: Error { case missingResources, missingTemplate(String) }

    func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var context = context
        if !areaContacts.isEmpty {
            context["has_area_contacts"] = true
            context["area_contacts"] = areaContacts.map {
                ["name": $0.name, "childrens_services": $0.childrensServices, "out_of_hours": $0.outOfHours, "unconfirmed": !$0.confirmed] as [String: Any]
            }
        }
        let html = library.render(context, withTemplate: template) ?? "<!doctype html><title>Error</title><p>Page missing."
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func render(_ template: String, _ model: some PageModel, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        render(template, TemplateValues.of(model), status: status, headers: headers)
    }

    /// A friendly page for an error, with the same code and message as the JSON form.
    func error(_ error: APIError) -> Response {
        var response = render("error", ["title": Self.title(for: error.status), "message": error.message, "code": error.code],
                              status: error.status, headers: error.headers)
        response.headers[.contentType] = "text/html; charset=utf-8"
        return response
    }

    static func title(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "Page not found"
        case 403: "This form has expired"
        case 409: "This was already sent"
        case 413: "That was too long to send"
        case 429: "Please wait a moment"
        case 500...: "Something went wrong on our side"
        default: "Something was not right"
        }
    }
}

/// The two static files pages use: a stylesheet and the quick-exit script (same origin, so the strict CSP allows them).
struct StaticController {
    let files: [String: (type: String, body: ByteBuffer)]

    static func load() throws -> StaticController {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else { throw Pages.PagesError.missingResources }
        var files: [String: (String, ByteBuffer)] = [:]
        for (name, type) in [("site.css", "text/css; charset=utf-8"), ("quick-exit.js", "text/javascript; charset=utf-8")] {
            let data = try Data(contentsOf: root.appendingPathComponent("static/\(name)"))
            files[name] = (type, ByteBuffer(bytes: data))
        }
        return StaticController(files: files)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("static/:file") { _, context -> Response in
            guard let name = context.parameters.get("file"), let file = files[name] else { throw APIError.notFound() }
            return Response(status: .ok, headers: [.contentType: file.type], body: .init(byteBuffer: file.body))
        }
    }
}
