import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileStore
import Sodium
import Testing
@testable import ReconcileServer

/// Personal values never reach the disk in plain, the logs, or an error body; every response carries
/// the headers that keep a shared device and a hostile page from learning anything.
@Suite struct IntakePrivacyTests {
    @Test func plantedValuesAreNeitherOnDiskNorInLogs() async throws {
        let dir = try TemporaryDirectory()
        let database = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        let harness = try Harness(database: database)
        let canary = Sample.canary()
        // Access needs are personal too: planted there, they must not reach the disk in plain either.
        var fields = Sample.referral(canary: canary, overrides: ["access_needs": ["supporter": "\(canary) Aunt", "language": "Polish"]],
                                     contact: ["phone": "07700 913 579"])
        let body = Sample.json(fields)
        // A refused submission with the same values must not leave them anywhere either.
        fields["consent"] = ["contact": false]
        let refused = Sample.json(fields)
        try await harness.app().test(.router) { client in
            let r1 = try await client.refer(body, headers: [.idempotencyKey: "canary-\(canary)"])
            #expect(r1.status == .created)
            let r2 = try await client.refer(refused)
            #expect(r2.status == .unprocessableContent)
        }
        let plain = [canary, canary.lowercased(), "07700 913 579", "07700913579", "canary-\(canary)"]
        // While the data is still in the WAL, and after it is checkpointed into the main file.
        for stage in ["wal", "checkpointed"] {
            if stage == "checkpointed" { try await database.checkpoint() }
            let raw = try dir.rawBytes()
            #expect(raw.count > 0)
            for value in plain {
                #expect(raw.range(of: Data(value.utf8)) == nil, "\(stage): the database files hold \(value) in plain")
            }
        }
        for value in plain {
            #expect(!harness.logs.text.contains(value), "a log line holds \(value)")
        }
        #expect(harness.logs.text.contains("referral received"), "the log does record that a referral arrived")
    }

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let responses = [
                try await client.execute(uri: "/", method: .get),
                try await client.execute(uri: "/refer", method: .get),
                try await client.execute(uri: "/static/site.css", method: .get),
                try await client.execute(uri: "/healthz", method: .get),
                try await client.execute(uri: "/no-such-page", method: .get),
                try await client.refer(Sample.json(Sample.referral(canary: "x"))),
                try await client.refer(ByteBuffer(string: "nonsense")),
                try await client.execute(uri: "/refer", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")),
            ]
            for response in responses {
                #expect(response.headers[.cacheControl] == "no-store", "\(response.status)")
                #expect(response.headers[.referrerPolicy] == "same-origin")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.xFrameOptions] == "DENY")
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"))
                #expect(!csp.contains("unsafe-inline") && !csp.contains("http"))
                #expect(response.headers[.strictTransportSecurity] == nil, "HSTS only when served over https")
            }
        }
    }

    @Test func hstsIsSentWhenThePublicAddressIsHTTPS() async throws {
        var settings = Harness.fastSettings()
        settings.server.publicUrl = "https://refer.example.org"
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            let page = try await client.execute(uri: "/refer", method: .get)
            #expect(page.headers[.strictTransportSecurity]?.contains("max-age=") == true)
            // Over https the form cookie is Secure and host-only.
            let cookie = try #require(page.headers[.setCookie])
            #expect(cookie.hasPrefix("__Host-") && cookie.contains("Secure"))
        }
    }

    @Test func publicPagesUseNoThirdPartyAssetsNorInlineScriptOrStyle() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            for path in ["/", "/refer", "/no-such-page"] {
                let html = try await client.execute(uri: path, method: .get).text
                #expect(html.contains("data-quick-exit"), "\(path) has no quick exit")
                #expect(html.contains("<html lang=\"en-GB\" dir=\"ltr\">"))
                #expect(!html.contains("<style") && !html.contains("style=\""), "\(path) has inline style")
                #expect(!html.contains(/<script(?![^>]*src="\/static\/)/), "\(path) has inline or foreign script")
                // The only off-site address is the quick exit's neutral destination.
                let offsite = html.matches(of: /(?:src|href|action)="(https?:)?\/\/[^"]*"/).map { String($0.output.0) }
                #expect(offsite == ["href=\"https://www.bbc.co.uk/weather\""], "\(path): \(offsite)")
            }
        }
    }

    @Test func theAboutPageSaysWhoThePartnerIsAndWhatTheCouncilSees() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("independent of the council"))
            #expect(html.contains("anonymous totals"))
            #expect(html.contains("href=\"/refer\""))
            #expect(html.contains("usually within 2 working days"))
        }
        var settings = Harness.fastSettings()
        settings.workflow.acknowledgementWorkingDays = 3
        try await Harness(settings: settings).app().test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.text.contains("usually within 3 working days"))
        }
    }
}
