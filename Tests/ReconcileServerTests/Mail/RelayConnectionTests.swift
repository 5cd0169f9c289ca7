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

    /// What gives a misbehaving relay away is what it sends, so those are judged with the usual 30 s deadline (a
    /// 2 s one ran out first under ThreadSanitizer on a loaded machine, and the test saw `.timeout`); only the silent
    /// relay is about the deadline, so it alone gets a short one, and must be cut off near it.
    @Test(arguments: [("inject", SMTPError.protocolViolation, 30), ("endless", .protocolViolation, 30), ("longline", .protocolViolation, 30),
                      ("silent", .timeout, 2)])
    func aRelayThatMisbehavesIsCutOffWithinTheDeadline(mode: String, expected: SMTPError, seconds: Int) async throws {
        let hostile = try HostileRelay(mode: mode)
        defer { hostile.stop() }
        var relay = try SMTPRelay.from(hostile.settings().mail)
        relay.timeout = .seconds(seconds)
        let started = ContinuousClock.now
        await #expect(throws: expected) { _ = try await SMTPSession.open(relay) }
        #expect(ContinuousClock.now - started < .seconds(seconds) + .seconds(8), "cut off by what it sent or the deadline (\(seconds) s), not left to hang")
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
