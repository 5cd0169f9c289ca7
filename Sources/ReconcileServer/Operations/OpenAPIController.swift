import Foundation
import Hummingbird

/// `GET /openapi.yaml`: the OpenAPI 3.1 description of the JSON API (SPEC "Interfaces" → HTTP), served
/// byte for byte as kept in the repository. The canonical file is `Resources/openapi.yaml` in this target
/// (so the build copies it into the bundle); `openapi.yaml` at the repository root is a link to it.
/// `OpenAPIContractTests` checks the document against the router, `Tests/system/test_schemathesis.sh`
/// against the running server.
struct OpenAPIController {
    static let contentType = "application/yaml"
    let document: ByteBuffer

    static func load() throws -> OpenAPIController {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil)?.appendingPathComponent("openapi.yaml") else {
            throw Pages.PagesError.missingResources
        }
        return OpenAPIController(document: ByteBuffer(bytes: try Data(contentsOf: url)))
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: Self.contentType], body: .init(byteBuffer: document))
        }
    }
}
