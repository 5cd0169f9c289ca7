import Foundation
import Hummingbird
import RouterTesting
import Logging
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileServer

func testApplication(settings: Settings = Settings()) throws -> some ApplicationProtocol {
    try
    buildApplication(configuration: AppConfiguration(
        settings: settings, database: try AppDatabase.inMemory(), keys: KeyRing.ephemeral(),
        directory: try Harness.directory(), logger: Logger(label: "test")))
}

@Suite struct HealthTests {
    @Test func healthAndReadinessAnswer() async throws {
        try await testApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ready\n")
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
        }
    }

    @Test func unknownAddressIsAJSONNotFound() async throws {
        try await testApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: [String: String]]
                #expect(body?["error"]?["code"] == "not_found")
            }
        }
    }

    @Test func aWrongMethodOnARealPathIs405WithAllow() async throws {
        try await testApplication().test(.router) { client in
            try await client.execute(uri: "/api/v1/referrals", method: .put) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: [String: String]]
                #expect(body?["error"]?["code"] == "method_not_allowed")
            }
            try await client.execute(uri: "/api/v1/cases/\(UUID().uuidString.lowercased())/close", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/healthz", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/api/v1/no-such-thing", method: .put) { response in
                #expect(response.status == .notFound, "a path no route has is still 404")
            }
        }
    }
}
