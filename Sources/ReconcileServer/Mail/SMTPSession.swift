import COpenSSLTLS
import Foundation
import ReconcileCore

/// How to reach the relay, from `mail.*` settings.
struct SMTPRelay: Sendable {
    let host: String
    let port: Int
    /// STARTTLS before anything else is said (and before AUTH); off only for a relay on this machine.
    let requireTLS: Bool
    let username: String?
    let password: String?
    let tls: TLSClientContext?
    /// The whole conversation, from connecting to QUIT; a relay that stops answering is cut off.
    var timeout: Duration = .seconds(30)
    var connectTimeout: Duration = .seconds(10)

    /// Reads the password file (it must not be readable by group or others) and the CA file, if set.
    static func from(_ settings: Settings.Mail) throws -> SMTPRelay {
        var password: String?
        if !settings.passwordFile.isEmpty {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: settings.passwordFile),
                  let text = try? String(contentsOfFile: settings.passwordFile, encoding: .utf8) else {
                throw SettingsError("mail.password_file \(settings.passwordFile) cannot be read")
            }
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw SettingsError("mail.password_file \(settings.passwordFile) is readable by others (mode \(String(mode, radix: 8))); chmod 600 it")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        let tls = settings.starttls == .required ? try TLSClientContext(caFile: settings.tlsCaFile.isEmpty ? nil : settings.tlsCaFile) : nil
        return SMTPRelay(host: settings.host, port: settings.port, requireTLS: settings.starttls == .required,
                         username: settings.username.isEmpty ? nil : settings.username, password: password, tls: tls)
    }
}

/// Reads the relay's files now, so `serve` stops at start naming a bad one.
public func checkMailSettings(_ settings: Settings.Mail) throws { _ = try SMTPRelay.from(settings) }

/// One conversation with the relay: greeting, EHLO, STARTTLS, EHLO again, AUTH, then any number of messages.
/// Never logs what it says: commands carry addresses and credentials. The connection blocks, so every exchange runs
/// on the session's own serial queue (a thread outside the concurrency pool), one at a time.
final class SMTPSession: Sendable {
    private let connection: RelayConnection
    private let queue: DispatchQueue

    private init(connection: RelayConnection, queue: DispatchQueue) {
        (self.connection, self.queue) = (connection, queue)
    }

    static func open(_ relay: SMTPRelay) async throws -> SMTPSession {
        let queue = DispatchQueue(label: "reconcile.smtp")
        let deadline = ContinuousClock.now + relay.timeout
        let connection = try await onQueue(queue) {
            try RelayConnection.connect(host: relay.host, port: relay.port, connectTimeout: relay.connectTimeout, deadline: deadline)
        }
        let session = SMTPSession(connection: connection, queue: queue)
        do {
            try await session.greet(relay)
        } catch {
            await session.close(quit: false)
            throw error
        }
        return session
    }

    private func greet(_ relay: SMTPRelay) async throws {
        try await expect(try await exchange(nil), stage: "greeting")
        var capabilities = try await ehlo()
        if let tls = relay.tls, relay.requireTLS {
            guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) else { throw SMTPError.noStartTLS }
            try await expect(try await exchange("STARTTLS"), stage: "starttls")
            try await Self.onQueue(queue) { [connection] in try connection.startTLS(tls, host: relay.host) }
            capabilities = try await ehlo()
        }
        if let username = relay.username, let password = relay.password {
            let auth = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ").map(String.init) ?? []
            if auth.contains("PLAIN") {
                let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
                try await expect(try await exchange("AUTH PLAIN \(token)"), stage: "auth")
            } else if auth.contains("LOGIN") {
                try await expect(try await exchange("AUTH LOGIN"), stage: "auth")
                try await expect(try await exchange(Data(username.utf8).base64EncodedString()), stage: "auth")
                try await expect(try await exchange(Data(password.utf8).base64EncodedString()), stage: "auth")
            } else {
                throw SMTPError.noAuthMechanism
            }
        }
    }

    private func ehlo() async throws -> [String] {
        let reply = try await exchange("EHLO \(Self.heloName)")
        try expect(reply, stage: "ehlo")
        return Array(reply.lines.dropFirst())
    }

    /// Sends one message. A refusal of this message (bad recipient) leaves the session usable for the next.
    func send(_ mail: ComposedMail) async throws {
        for address in [mail.from, mail.to] where !Self.isSafeAddress(address) { throw SMTPError.badAddress }
        do {
            try expect(try await exchange("MAIL FROM:<\(mail.from)>"), stage: "mail")
            try expect(try await exchange("RCPT TO:<\(mail.to)>"), stage: "rcpt")
            try expect(try await exchange("DATA"), stage: "data")
        } catch let error as SMTPError where error.permanent {
            _ = try? await exchange("RSET")
            throw error
        }
        // Dot-stuffing (RFC 5321 4.5.2): a line that starts with "." gets another.
        let stuffed = mail.text.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
        try expect(try await exchange(stuffed + "\r\n."), stage: "message")
    }

    /// Says QUIT (when the conversation is still whole) and lets the connection go, which closes it.
    func close(quit: Bool = true) async {
        if quit { _ = try? await exchange("QUIT") }
    }

    /// Writes `line` (nil: only waits, for the greeting) and returns the relay's next reply.
    private func exchange(_ line: String?) async throws -> SMTPReply {
        try await Self.onQueue(queue) { [connection] in
            if let line { try connection.write(line: line) }
            return try connection.readReply()
        }
    }

    private static func onQueue<T: Sendable>(_ queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let result = Result { try work() }
                // The queue runs on pool threads that end when idle. OpenSSL 3.0 frees a thread's own state (its
                // error queue, 904 B) at thread end only if its pthread keys happened to be made in one order
                // (openssl/openssl#29077); freeing it here does not depend on that. OpenSSL makes it again on use.
                OPENSSL_thread_stop()
                continuation.resume(with: result)
            }
        }
    }

    private func expect(_ reply: SMTPReply, stage: String) throws {
        guard reply.isPositive else { throw SMTPError.refused(stage: stage, code: reply.code) }
    }

    /// No line breaks, angle brackets or spaces: an address cannot smuggle another command.
    static func isSafeAddress(_ address: String) -> Bool {
        !address.isEmpty && address.utf8.count <= 254 && address.contains("@")
            && !address.unicodeScalars.contains { $0.value < 0x21 || $0 == "<" || $0 == ">" || $0.value == 0x7F }
    }

    static let heloName: String = {
        let name = ProcessInfo.processInfo.hostName
        return name.isEmpty || name.contains(" ") ? "reconcile.localdomain" : name
    }()
}
