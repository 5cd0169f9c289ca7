import Foundation
import HTTPTypes
import Hummingbird
import RouterTesting
import Logging
import ReconcileCore
@testable import ReconcileStore
import ServiceLifecycle
import Testing
@testable import ReconcileServer

/// `/metrics`: what operations need, by route template, and nothing personal.
@Suite struct MetricsTests {
    static let token = String(repeating: "m", count: 32)

    @Test func requestsAreCountedByRouteTemplateAndCasesByStage() async throws {
        var settings = Harness.fastSettings()
        settings.metrics.token = Self.token
        let harness = try Harness(settings: settings)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness, canary: canary)
            let token = try await client.signIn(lead)
            _ = try await client.json("/api/v1/cases/\(caseID)", .get, token: token)
            _ = try await client.execute(uri: "/no/such/\(canary)", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer " + Self.token])
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains("reconcile_referrals_received_total 1"))
            #expect(text.contains(#"reconcile_http_requests_total{method="POST",route="/api/v1/referrals",status="201"} 1"#))
            #expect(text.contains(#"route="/api/v1/cases/{id}""#), "the template, not the id")
            #expect(!text.contains(caseID) && !text.contains(canary), "no ids or personal values in labels")
            #expect(text.contains(#"route="NotFound""#), "every unknown path shares one label")
            #expect(text.contains(#"reconcile_cases{stage="received"} 1"#))
            #expect(text.contains("reconcile_acknowledgements_overdue 0"))
        }
    }

    @Test func withoutATokenMetricsDoNotExist() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer "], [.authorization: "Bearer " + Self.token]] {
                let response = try await client.execute(uri: "/metrics", method: .get, headers: headers)
                #expect(response.status == .notFound)
                #expect(!response.text.contains("reconcile_"))
            }
        }
    }

    @Test func aConfiguredTokenMustBePresentedAsBearer() async throws {
        var settings = Harness.fastSettings()
        settings.metrics.token = Self.token
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let cases: [(HTTPFields, HTTPResponse.Status)] = [
                ([:], .notFound),
                ([.authorization: "Bearer " + String(repeating: "x", count: 32)], .notFound),
                ([.authorization: "Bearer " + Self.token.dropLast()], .notFound),
                ([.authorization: "Basic " + Self.token], .notFound),
                ([.authorization: "Bearer " + Self.token], .ok),
            ]
            for (headers, status) in cases {
                let response = try await client.execute(uri: "/metrics", method: .get, headers: headers)
                #expect(response.status == status, "\(headers)")
                #expect(response.headers[.wwwAuthenticate] == nil, "no hint that a token would open it")
            }
        }
    }

    @Test func theInProcessRetentionSweepCarriesOutDueErasures() async throws {
        let harness = try Harness()
        let created = try await harness.stores.intake.createCase(Sample.storeReferral(canary: Sample.canary()), reference: ReferenceGenerator.generate(),
                                                      passphraseHash: "x", receivedAt: Date())
        var policy = RetentionPolicy()
        policy.erasureCoolingOffDays = 0
        _ = try await harness.stores.retention.requestErasure(caseID: created.id, policy: policy, now: Date().addingTimeInterval(-60))
        let service = RetentionService(stores: harness.stores, policy: policy, logger: Logger(label: "test"),
                                       firstRunAfter: .milliseconds(10), interval: .seconds(3600))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for _ in 0..<500 where try harness.stores.intake.caseRecord(id: created.id)?.erasedAt == nil {
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try harness.stores.intake.caseRecord(id: created.id)?.erasedAt != nil)
    }
}
