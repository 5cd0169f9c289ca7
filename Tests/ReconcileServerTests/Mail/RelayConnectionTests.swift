import Foundation
import ReconcileCore
import Testing
@testable import ReconcileServer

/// The mail client against relays that are not what they claim or do not behave: a certificate for another name, a
/// relay that slips plain text in before the TLS handshake, one that never answers, one that never stops. Each is
/// refused with its reason, within the conversation's deadline, and nothing is sent.
@Suite(.serialized) struct RelayConnectionTests {
    @Test func theRelaysNameOrAddressMustBeOnItsCertificate() async throws {
        let relay = try SMTPRelayProcess()
        try await relay.start()
        defer { relay.stop() }
        var settings = relay.settings()
        settings.mail.host = "127.0.0.1"
        try await sendTestMail(settings: settings, to: "x@example.org")
        #expect(try relay.messages().count == 1, "an IP address on the certificate is accepted")

        let other = try SMTPRelayProcess(names: "DNS:other.example,IP:192.0.2.1")
        try await other.start()
        defer { other.stop() }
        for host in ["localhost", "127.0.0.1"] {
            var settings = other.settings()
            settings.mail.host = host
            await #expect(throws: SMTPError.tls, "a trusted certificate for another name, reached as \(host)") {
                try await sendTestMail(settings: settings, to: "x@example.org")
            }
        }
        #expect(try other.messages().isEmpty)
    }

    @Test(arguments: [("inject", SMTPError.protocolViolation), ("endless", .protocolViolation), ("longline", .protocolViolation),
                      ("silent", .timeout)])
    func aRelayThatMisbehavesIsCutOffWithinTheDeadline(mode: String, expected: SMTPError) async throws {
        let hostile = try HostileRelay(mode: mode)
        defer { hostile.stop() }
        var relay = try SMTPRelay.from(hostile.settings().mail)
        relay.timeout = .seconds(2)
        let started = ContinuousClock.now
        await #expect(throws: expected) { _ = try await SMTPSession.open(relay) }
        #expect(ContinuousClock.now - started < .seconds(10), "cut off by the deadline (2 s), not left to hang")
    }
}

/// `Tests/system/hostile_relay.py` in one of its modes, on a free port of 127.0.0.1.
final class HostileRelay: @unchecked Sendable {
    let directory: TemporaryDirectory
    let process = Process()
    let port: Int

    init(mode: String) throws {
        directory = try TemporaryDirectory()
        let portFile = directory.url.appendingPathComponent("port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", SMTPRelayProcess.script.deletingLastPathComponent().appendingPathComponent("hostile_relay.py").path,
                             "--mode", mode, "--port-file", portFile.path]
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) { self.port = port; return }
            usleep(50_000)
        }
        process.terminate()
        throw HarnessError.missing("the hostile relay (python3)")
    }

    /// STARTTLS required, with the system's roots (the relay never gets as far as showing a certificate).
    func settings() throws -> Settings {
        var settings = Harness.fastSettings()
        settings.mail.host = "127.0.0.1"
        settings.mail.port = port
        settings.mail.from = "notifications@partner.example"
        settings.mail.tlsCaFile = ""
        return settings
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
