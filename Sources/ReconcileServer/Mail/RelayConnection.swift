import COpenSSLTLS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to the relay, in plain text until `startTLS`, with blocking reads and writes bounded by one
/// deadline for the whole conversation. Its calls block, so `SMTPSession` makes them on a thread of its own, never
/// on the concurrency pool. Bytes only: it never logs or keeps what it carries.
// Unchecked: a connection is only ever touched on its session's serial queue, one call at a time.
final class RelayConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var tls: OpaquePointer?
    private var received: [UInt8] = []
    private let deadline: ContinuousClock.Instant
    /// Longer lines than any relay sends (RFC 5321: 512 octets) mean something is wrong.
    static let maxLine = 4_096

    private init(descriptor: Int32, deadline: ContinuousClock.Instant) {
        (self.descriptor, self.deadline) = (descriptor, deadline)
    }

    deinit {
        if let tls { SSL_free(tls) }
        Glibc.close(descriptor)
    }

    /// Tries each address the name resolves to, each for at most `connectTimeout`.
    static func connect(host: String, port: Int, connectTimeout: Duration, deadline: ContinuousClock.Instant) throws -> RelayConnection {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { throw SMTPError.connect }
        defer { freeaddrinfo(first) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { continue }
            let connection = RelayConnection(descriptor: descriptor, deadline: deadline)
            // Linux bounds a blocking connect(2) by the send timeout.
            guard (try? connection.arm(SO_SNDTIMEO, atMost: connectTimeout)) != nil else { throw SMTPError.timeout }
            if Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return connection }
        }
        throw SMTPError.connect
    }

    /// The TLS handshake, after the relay said yes to STARTTLS. A name is sent as SNI and checked against the
    /// certificate; an IP address is checked against the certificate's IP addresses.
    func startTLS(_ context: TLSClientContext, host: String) throws {
        // Anything the relay sent after its "220 ready" would be read as if it came over TLS: a plain-text injection.
        guard received.isEmpty else { throw SMTPError.protocolViolation }
        defer { ERR_clear_error() }
        guard let tls = SSL_new(context.context) else { throw SMTPError.tls }
        self.tls = tls
        guard SSL_set_fd(tls, descriptor) == 1 else { throw SMTPError.tls }
        if host.isIPAddress {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls), host) == 1 else { throw SMTPError.tls }
        } else {
            guard reconcile_ssl_set_sni(tls, host) == 1, SSL_set1_host(tls, host) == 1 else { throw SMTPError.tls }
        }
        try arm(SO_RCVTIMEO); try arm(SO_SNDTIMEO)
        let result = SSL_connect(tls)
        guard result == 1 else { throw failure(SSL_get_error(tls, result)) }
    }

    /// Writes the line and its CRLF.
    func write(line: String) throws {
        let bytes = Array((line + "\r\n").utf8)
        var offset = 0
        while offset < bytes.count {
            try arm(SO_SNDTIMEO)
            let count = bytes.count - offset
            let written: Int = bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                let start = base + offset
                if let tls { return Int(SSL_write(tls, start, Int32(clamping: count))) }
                return send(descriptor, start, count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw tls.map { failure(SSL_get_error($0, Int32(written))) } ?? socketFailure() }
            offset += written
        }
    }

    /// The next line without its line break; a line longer than `maxLine` is a protocol violation.
    func readLine() throws -> [UInt8] {
        while true {
            if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(received[..<end])
                received.removeFirst(end + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            guard received.count <= Self.maxLine else { throw SMTPError.protocolViolation }
            try arm(SO_RCVTIMEO)
            var chunk = [UInt8](repeating: 0, count: 4_096)
            let count: Int = chunk.withUnsafeMutableBytes { buffer in
                if let tls { return Int(SSL_read(tls, buffer.baseAddress, Int32(buffer.count))) }
                return recv(descriptor, buffer.baseAddress, buffer.count, 0)
            }
            if count == 0 && tls == nil { throw SMTPError.closed }
            guard count > 0 else { throw tls.map { failure(SSL_get_error($0, Int32(count))) } ?? socketFailure() }
            received.append(contentsOf: chunk[..<count])
        }
    }

    /// Sets a socket timeout to what is left of the conversation (or less).
    private func arm(_ option: Int32, atMost limit: Duration? = nil) throws {
        var left = deadline - .now
        if let limit, limit < left { left = limit }
        guard left > .zero else { throw SMTPError.timeout }
        let (seconds, attoseconds) = left.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: max(1, Int(attoseconds / 1_000_000_000_000)))
        guard setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size)) == 0 else { throw SMTPError.closed }
    }

    private func socketFailure() -> SMTPError {
        errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS ? .timeout : .closed
    }

    /// Certificate or handshake errors are `.tls`; a socket that timed out or closed says so.
    private func failure(_ code: Int32) -> SMTPError {
        switch code {
        case SSL_ERROR_SSL: return .tls
        case SSL_ERROR_SYSCALL: return socketFailure()
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .timeout
        default: return .tls
        }
    }
}

extension String {
    /// An IPv4 or IPv6 address in text, as opposed to a name.
    var isIPAddress: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
