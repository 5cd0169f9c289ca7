import Foundation
import ReconcileCore

/// A real SMTP relay (aiosmtpd, `Tests/system/smtp_relay.py`) on 127.0.0.1, with a self-signed certificate for
/// STARTTLS and one user for AUTH, started by the test and stopped with it. Its mailbox is a JSON line per message.
final class SMTPRelayProcess: @unchecked Sendable {
    let directory: TemporaryDirectory
    private(set) var port = 0
    private var process: Process?
    static let user = "relay-user", password = "relay password 1"

    var mailbox: URL { directory.url.appendingPathComponent("mailbox.jsonl") }
    var certificate: URL { directory.url.appendingPathComponent("cert.pem") }

    /// `names`: the certificate's subjectAltName (the relay is reached as localhost or 127.0.0.1).
    init(names: String = "DNS:localhost,IP:127.0.0.1") throws {
        directory = try TemporaryDirectory()
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=relay",
                             "-addext", "subjectAltName=\(names)",
                             "-keyout", directory.url.appendingPathComponent("key.pem").path, "-out", certificate.path]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw HarnessError.missing("a self-signed certificate from openssl") }
        try Data(Self.password.utf8).write(to: passwordFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile.path)
    }

    var passwordFile: URL { directory.url.appendingPathComponent("relay-password") }

    /// Starts (or restarts, on the same port) the relay and waits until it listens.
    func start() async throws {
        let portFile = directory.url.appendingPathComponent("port")
        try? FileManager.default.removeItem(at: portFile)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", Self.script.path, "--port", "\(port)", "--port-file", portFile.path, "--mailbox", mailbox.path,
                            "--cert", certificate.path, "--key", directory.url.appendingPathComponent("key.pem").path,
                            "--user", Self.user, "--password", Self.password]
        python.standardOutput = FileHandle.nullDevice
        try python.run()
        process = python
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let p = Int(text) { port = p; return }
            guard python.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError.missing("the aiosmtpd relay (is aiosmtpd installed? scripts/install-system-packages --test)")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        // SIGKILL: a child of the test runner may have SIGTERM blocked. The mailbox is fsynced per message.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }

    /// Every message the relay took: envelope recipients and the message text with its base64 body decoded.
    func messages() throws -> [(to: [String], tls: Bool, text: String)] {
        guard let data = try? Data(contentsOf: mailbox) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let raw = object["data"] as! String
            let parts = raw.components(separatedBy: "\r\n\r\n")
            let body = parts.dropFirst().joined(separator: "\r\n\r\n")
            let decoded = Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))
                .map { String(decoding: $0, as: UTF8.self) } ?? body
            return (object["to"] as! [String], object["tls"] as! Bool, parts[0] + "\r\n\r\n" + decoded)
        }
    }

    /// Mail settings that point at this relay: STARTTLS required, trusting its certificate, AUTH with its user.
    func settings(_ base: Settings = Harness.fastSettings()) -> Settings {
        var s = base
        s.mail.host = "localhost"
        s.mail.port = port
        s.mail.from = "notifications@partner.example"
        s.mail.username = Self.user
        s.mail.passwordFile = passwordFile.path
        s.mail.tlsCaFile = certificate.path
        s.mail.retryMaxSeconds = 1
        s.server.publicUrl = "https://reconcile.partner.example"
        return s
    }

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("system/smtp_relay.py")
    }
}
