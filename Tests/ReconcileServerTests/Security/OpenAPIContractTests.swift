import Foundation
import Hummingbird
import RouterTesting
import Testing
@testable import ReconcileServer

/// The OpenAPI document (`openapi.yaml`) against the router: every route the application serves is an
/// operation in the document (or, for the HTML pages the document leaves out, listed in its
/// `x-html-pages`), and every operation in the document is a route. `GET /openapi.yaml` serves the file.
/// The running server is checked against the document's schemas by `Tests/system/test_schemathesis.sh`.
@Suite struct OpenAPIContractTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func documentBytes() throws -> Data {
        try Data(contentsOf: repositoryRoot.appendingPathComponent("openapi.yaml"))
    }

    static func routes() throws -> [String] {
        let harness = try Harness()
        let router = try buildRouter(configuration: AppConfiguration(
            settings: harness.settings, database: harness.database, keys: harness.keys, directory: try Harness.directory()))
        return router.routes.map { "\($0.method) \($0.path)" }
    }

    @Test func everyRouteIsDocumentedAndEveryOperationIsARoute() throws {
        let document = OpenAPIPaths(yaml: String(decoding: try Self.documentBytes(), as: UTF8.self))
        #expect(document.problems.isEmpty, "\(document.problems)")
        #expect(document.operations.count >= 30, "the parser found too few operations: \(document.operations)")

        let routes = try Self.routes()
        #expect(Set(routes).count == routes.count, "a route is registered twice")
        let operations = Set(document.operations), pages = Set(document.htmlPages), served = Set(routes)
        for route in routes.sorted() {
            #expect(operations.contains(route) || pages.contains(route),
                    "\(route) is served but is neither an operation in openapi.yaml nor listed in its x-html-pages")
        }
        for operation in operations.sorted() {
            #expect(served.contains(operation), "openapi.yaml describes \(operation), which the router does not serve")
        }
        for page in pages.sorted() {
            #expect(served.contains(page), "x-html-pages lists \(page), which the router does not serve")
            #expect(!page.contains(" /api/"), "\(page) is an API route: describe it as an operation")
        }
        #expect(operations.isDisjoint(with: pages), "a route is both an operation and an HTML page")
        // Everything the API serves is described, not parked among the pages.
        for required in ["GET /healthz", "GET /readyz", "GET /openapi.yaml"] {
            #expect(operations.contains(required))
        }
    }

    @Test func theDocumentIsServedByteForByte() async throws {
        let file = try Self.documentBytes()
        let resource = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("Sources/ReconcileServer/Resources/openapi.yaml"))
        #expect(file == resource, "openapi.yaml at the root must be the same file as the bundled resource")
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(Data(buffer: response.body) == file)
        }
    }

    @Test func theDocumentDeclaresOpenAPI31AndItsSecuritySchemes() throws {
        let text = String(decoding: try Self.documentBytes(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "openapi: 3.1.0")
        for scheme in ["staffBearer", "councilBearer", "portalBearer"] {
            #expect(lines.contains { $0 == "    \(scheme):" }, "no security scheme \(scheme)")
        }
        #expect(text.contains("name: Idempotency-Key"))
    }

    /// The parser itself, on a small document with the shapes the real one uses.
    @Test func theParserReadsPathsMethodsAndPages() throws {
        let yaml = """
            openapi: 3.1.0
            x-html-pages:
              - GET /
              - POST /refer
            paths:
              /a/{id}:
                parameters:
                  - $ref: '#/x'
                get:
                  description: |
                    post:
                    /not/a/path:
                post: {operationId: b}
              # a comment
              "/quoted":
                delete:
                  responses: {}
            components:
              schemas: {}
            """
        let parsed = OpenAPIPaths(yaml: yaml)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.operations == ["GET /a/{id}", "POST /a/{id}", "DELETE /quoted"])
        #expect(parsed.htmlPages == ["GET /", "POST /refer"])
        let broken = OpenAPIPaths(yaml: "paths:\n  /a:\n    fetch:\n      x: 1\n")
        #expect(!broken.problems.isEmpty, "an unknown key under a path is reported, not skipped")
    }
}

/// A small, strict reader of the two parts of an OpenAPI YAML document this test needs: the operations
/// under `paths:` ("METHOD /path") and the `x-html-pages:` list. It reads block-style YAML as the document
/// is written (two-space indents) and reports anything it does not understand instead of skipping it.
struct OpenAPIPaths {
    private(set) var operations: [String] = []
    private(set) var htmlPages: [String] = []
    private(set) var problems: [String] = []

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    static let pathItemFields: Set<String> = ["parameters", "summary", "description", "servers", "$ref"]

    init(yaml: String) {
        enum Section { case other, paths, pages }
        var section = Section.other
        var currentPath: String?
        for (number, raw) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            if indent == 0 {
                section = line == "paths:" ? .paths : line == "x-html-pages:" ? .pages : .other
                currentPath = nil
                continue
            }
            switch section {
            case .other: continue
            case .pages:
                guard indent == 2, trimmed.hasPrefix("- ") else {
                    problems.append("line \(number + 1): expected '  - METHOD /path' in x-html-pages")
                    continue
                }
                htmlPages.append(String(trimmed.dropFirst(2)))
            case .paths:
                if indent == 2 {
                    guard let key = Self.key(trimmed), key.hasPrefix("/"), trimmed.hasSuffix(":") else {
                        problems.append("line \(number + 1): expected a path key under paths")
                        currentPath = nil
                        continue
                    }
                    currentPath = key
                } else if indent == 4 {
                    guard let path = currentPath, let key = Self.key(trimmed) else {
                        problems.append("line \(number + 1): expected a key of a path item")
                        continue
                    }
                    if Self.methods.contains(key) {
                        operations.append("\(key.uppercased()) \(path)")
                    } else if !Self.pathItemFields.contains(key) {
                        problems.append("line \(number + 1): unknown path item field \(key)")
                    }
                }
            }
        }
    }

    /// The key of a `key:` or `key: value` line, unquoted; nil for anything else (a list item, a bare value).
    static func key(_ line: String) -> String? {
        if let quote = line.first, quote == "\"" || quote == "'" {
            let rest = line.dropFirst()
            guard let close = rest.firstIndex(of: quote), rest[rest.index(after: close)...].hasPrefix(":") else { return nil }
            return String(rest[..<close])
        }
        guard !line.hasPrefix("- "), let colon = line.firstIndex(of: ":") else { return nil }
        let after = line[line.index(after: colon)...]
        guard after.isEmpty || after.hasPrefix(" ") else { return nil }
        return String(line[..<colon])
    }
}
