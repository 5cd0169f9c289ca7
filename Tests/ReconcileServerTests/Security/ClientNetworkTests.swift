import Foundation
import HTTPTypes
import Hummingbird
import RouterTesting
import Testing
@testable import ReconcileServer

/// The limits count networks: an IPv6 home network is one /64, an IPv4-mapped address is its IPv4 address.
@Suite struct ClientNetworkTests {
    @Test(arguments: [
        ("203.0.113.5", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("::FFFF:cb00:7105", "203.0.113.5"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::9]", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("unknown", "unknown"),
        ("not-an-address", "not-an-address"),
    ])
    func limitKeys(address: String, key: String) {
        #expect(ClientNetwork.limitKey(ClientNetwork.canonical(address)) == key)
    }

    @Test func oneIPv6NetworkSharesOneBudgetAndMappedIPv4IsTheSameClient() async throws {
        var settings = Harness.fastSettings()
        settings.limits.intakePerMinute = 1
        settings.server.trustedProxies = ["unknown"]  // the in-process client has no peer address
        let harness = try Harness(settings: settings)
        try await harness.app().test(.router) { client in
            func send(_ forwarded: String) async throws -> HTTPResponse.Status {
                try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())), headers: [.xForwardedFor: forwarded]).status
            }
            let a = try await send("2001:db8:1:2::1"), sameNetwork = try await send("2001:db8:1:2:dead:beef:0:7")
            let otherNetwork = try await send("2001:db8:1:3::1")
            let v4 = try await send("203.0.113.5"), mapped = try await send("::ffff:203.0.113.5")
            #expect(a == .created)
            #expect(sameNetwork == .tooManyRequests, "another address of the same /64")
            #expect(otherNetwork == .created, "another /64 is another network")
            #expect(v4 == .created)
            #expect(mapped == .tooManyRequests, "IPv4-mapped is the same client")
        }
    }
}
