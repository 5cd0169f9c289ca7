/// One SMTP reply: its code and the text of every line (`250-...` continuation lines included).
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
    /// 5xx: the relay will never take this; 4xx and everything else: try again later.
    var isPermanentFailure: Bool { (500..<600).contains(code) }
}

extension RelayConnection {
    /// Reads one reply: lines up to the one whose fourth character is a space (`250-` lines continue it).
    func readReply() throws -> SMTPReply {
        var lines: [String] = []
        while true {
            let bytes = try readLine()
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code) else {
                throw SMTPError.protocolViolation
            }
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            // No relay's reply runs to this many lines; a relay that keeps sending them is cut off, not buffered.
            guard lines.count <= 1_000 else { throw SMTPError.protocolViolation }
            if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { continue }
            return SMTPReply(code: code, lines: lines)
        }
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
