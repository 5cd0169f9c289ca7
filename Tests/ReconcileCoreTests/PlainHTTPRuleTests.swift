import Testing
import ReconcileCore

@Suite struct PlainHTTPRuleTests {
    @Test(arguments: ["127.0.0.1", "127.3.2.1", "localhost", "::1", "[::1]", "LOCALHOST"])
    func loopbackMayServePlainHTTP(host: String) {
        #expect(PlainHTTPRule.refusal(host: host, publicURL: "", allowPlainHTTP: false) == nil)
    }

    @Test(arguments: ["0.0.0.0", "::", "192.168.1.10", "10.0.0.2", "example.org", "127.0.0.1.example.org", "1270.0.0.1", "::ffff:127.0.0.1x"])
    func anyOtherHostIsRefusedOverPlainHTTP(host: String) throws {
        let refusal = try #require(PlainHTTPRule.refusal(host: host, publicURL: "http://reconcile.example.org", allowPlainHTTP: false))
        #expect(refusal.contains(host) && refusal.contains("server.public_url") && refusal.contains("--allow-plain-http"))
        #expect(!refusal.contains("\n"), "one line")
        #expect(PlainHTTPRule.refusal(host: host, publicURL: "https://reconcile.example.org", allowPlainHTTP: false) == nil)
        #expect(PlainHTTPRule.refusal(host: host, publicURL: "", allowPlainHTTP: true) == nil)
    }
}
