import NIOCore
import NIOSSL

/// One SMTP reply: its code and the text of every line (`250-...` continuation lines included).
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
    /// 5xx: the relay will never take this; 4xx and everything else: try again later.
    var isPermanentFailure: Bool { (500..<600).contains(code) }
}

/// Splits the relay's bytes into replies. A reply ends at the line whose fourth character is a space.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private var lines: [String] = []
    /// Longer lines than any relay sends (RFC 5321: 512 octets) mean something is wrong.
    static let maxLine = 4_096

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLine { throw SMTPError.protocolViolation }
            return .needMoreData
        }
        let length = end - buffer.readerIndex + 1
        // Bytes, not Characters: "\r\n" is one Character in Swift.
        var bytes = buffer.readBytes(length: length) ?? []
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code) else {
            throw SMTPError.protocolViolation
        }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { return .continue }
        context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: lines)))
        lines = []
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue, buffer.readableBytes > 0 {}
        return .needMoreData
    }
}

/// Hands each reply to the exchange waiting for it, in order; replies that arrive first wait in a buffer. Lives on
/// the channel's event loop only (`SMTPSession` reaches it through `NIOLoopBound`).
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var arrived = CircularBuffer<SMTPReply>()
    private var failure: (any Error)?

    func expect(_ promise: EventLoopPromise<SMTPReply>) {
        if let reply = arrived.popFirst() { promise.succeed(reply) }
        else if let failure { promise.fail(failure) }
        else { waiting.append(promise) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let promise = waiting.popFirst() { promise.succeed(reply) } else { arrived.append(reply) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let smtp = error as? SMTPError { fail(smtp) }
        else if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { fail(SMTPError.tls) }
        else { fail(SMTPError.closed) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError.closed)
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}

/// Why a message did not go. Carries codes and stages, never an address or any text of the message.
enum SMTPError: Error, CustomStringConvertible, Equatable {
    case connect
    case closed
    case timeout
    case tls
    case protocolViolation
    /// The relay offered no STARTTLS while `mail.starttls` is required.
    case noStartTLS
    /// Credentials are set but the relay offers neither AUTH PLAIN nor AUTH LOGIN.
    case noAuthMechanism
    case badAddress
    case refused(stage: String, code: Int)

    /// Retrying will not help: the relay refused this message or its address for good.
    var permanent: Bool {
        switch self {
        case .badAddress: return true
        case .refused(let stage, let code): return (500..<600).contains(code) && stage != "auth" && stage != "greeting" && stage != "ehlo"
        default: return false
        }
    }

    var description: String {
        switch self {
        case .connect: return "cannot connect to the relay"
        case .closed: return "the relay closed the connection"
        case .timeout: return "the relay did not answer in time"
        case .tls: return "TLS with the relay failed (certificate or handshake)"
        case .protocolViolation: return "the relay's reply was not SMTP"
        case .noStartTLS: return "the relay does not offer STARTTLS (mail.starttls is required)"
        case .noAuthMechanism: return "the relay offers neither AUTH PLAIN nor AUTH LOGIN"
        case .badAddress: return "the address cannot be used in SMTP"
        case .refused(let stage, let code): return "the relay refused \(stage) with \(code)"
        }
    }
}
