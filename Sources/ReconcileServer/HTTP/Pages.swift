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
    /// For the language switch's cookie (same guard rails as every other cookie).
    var cookies = SessionCookies(secure: false)

    static func load(areaContacts: AreaContacts = AreaContacts(), cookies: SessionCookies = SessionCookies(secure: false)) throws -> Pages {
        let library = try shippedTemplates.get()
        // Read the message catalogues now, so a broken one stops `serve` at start rather than at a family's first page.
        _ = Catalogues.all
        return Pages(library: library, areaContacts: areaContacts.areas, cookies: cookies)
    }

    /// The templates shipped in this build's resources, parsed once per process: they cannot change while it runs,
    /// and the test suite builds an application per test (parsing them was three quarters of each build).
    static let shippedTemplates: Result<MustacheLibrary, any Error> = Result {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw PagesError.missingResources
        }
        var library = MustacheLibrary()
        for (name, url) in try templateFiles(in: root.appendingPathComponent("templates")) {
            try library.register(try String(contentsOf: url, encoding: .utf8), named: name)
        }
        return library
    }

    /// Every template under `dir`, which keeps them in folders by audience (`public`, `portal`, `staff`, `council`).
    /// A page and a partial are named by the file's name alone, so a name used twice is refused at start-up.
    static func templateFiles(in dir: URL) throws -> [(name: String, url: URL)] {
        let paths = (FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".mustache") }
        let files = paths.sorted().map { path in
            let url = dir.appendingPathComponent(path)
            return (name: String(url.lastPathComponent.dropLast(".mustache".count)), url: url)
        }
        guard !files.isEmpty else { throw PagesError.missingResources }
        var seen = Set<String>()
        for file in files where !seen.insert(file.name).inserted { throw PagesError.duplicateTemplate(file.name) }
        return files
    }

    enum PagesError: Error { case missingResources, missingTemplate(String), duplicateTemplate(String) }

    func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var context = context
        // Staff pages that show the form's questions (a referral taken by phone) read them in English.
        if context["t"] == nil { context["t"] = Catalogues.english.messages }
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
