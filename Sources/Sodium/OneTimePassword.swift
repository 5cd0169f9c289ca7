import COpenSSLCrypto
import Foundation

/// Time-based one-time passwords (RFC 6238) for the staff second factor: HMAC-SHA1, 30 s steps,
/// 6 digits, the defaults every authenticator app understands.
///
/// The secret is stored encrypted (`secret.copyBytes()`) and restored with `TOTP(secret: SecretKey(bytes:))`.
/// `description` never shows it; `provisioningURI` does, so that URI is itself a secret: show it once.
public struct TOTP: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// 160 bits, the length RFC 4226 recommends for HMAC-SHA1.
    public static let secretLength = 20

    public let secret: SecretKey
    public let digits: Int
    public let period: Int64

    /// `digits` other than 6 exist for the RFC test vectors (which use 8); apps expect 6.
    public init(secret: SecretKey, digits: Int = 6, period: Int64 = 30) {
        precondition(secret.byteCount >= 16, "RFC 4226 requires a secret of at least 128 bits")
        precondition((6...8).contains(digits), "TOTP codes have 6 to 8 digits")
        precondition(period > 0, "TOTP period must be positive")
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A fresh random secret with the default parameters.
    public static func generate() -> TOTP {
        TOTP(secret: SecretKey.random(count: secretLength))
    }

    /// The time-step counter T = floor(Unix time / period).
    public func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The zero-padded code for `date`.
    public func code(at date: Date) -> String {
        code(forStep: step(at: date))
    }

    /// Checks `code` against the steps just before, at and after `date` (clock drift and typing time).
    /// Returns the matched step, which the caller must store and pass back as `lastUsedStep`: only later
    /// steps are accepted, so a code can never be used twice, not even an older one after a newer one.
    public func verify(_ code: String, at date: Date, lastUsedStep: Int64?) -> Int64? {
        let candidate = Array(code.utf8)
        // Exactly `digits` ASCII digits: no spaces, signs or other scripts' digits.
        guard candidate.count == digits, candidate.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        let now = step(at: date)
        var matched: Int64?
        // Each step later than `lastUsedStep` is compared in constant time, and all of them, match or not.
        for step in (now - 1)...(now + 1) where step > (lastUsedStep ?? .min) {
            if Sodium.constantTimeEquals(Array(self.code(forStep: step).utf8), candidate), matched == nil {
                matched = step
            }
        }
        return matched
    }

    /// The `otpauth://` URI authenticator apps scan as a QR code (Google Authenticator's key URI format).
    public func provisioningURI(issuer: String, account: String) -> String {
        var secretBytes = secret.copyBytes()
        defer { Sodium.zero(&secretBytes) }
        let label = Self.percentEncoded(issuer) + ":" + Self.percentEncoded(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secretBytes))&issuer=\(Self.percentEncoded(issuer))"
            + "&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }

    public var description: String { "TOTP(SHA1, \(digits) digits, \(period) s, secret redacted)" }
    public var debugDescription: String { description }

    /// RFC 4226 dynamic truncation of HMAC-SHA1(secret, big-endian counter).
    func code(forStep step: Int64) -> String {
        let counter = withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { Array($0) }
        // OpenSSL's HMAC and SHA-1 (libsodium has neither SHA-1 nor HMAC-SHA1); SHA-1 is what authenticator
        // apps implement, and HMAC-SHA1 remains sound as a PRF. One-shot HMAC() keeps no state to clean up.
        var mac = [UInt8](repeating: 0, count: 20)
        defer { Sodium.zero(&mac) }
        var length: UInt32 = 0
        // HMAC() makes this thread's OpenSSL error queue (ERR_set_mark); free it now, not at thread end, which
        // OpenSSL 3.0 does only if its pthread keys were made in one order (openssl/openssl#29077).
        defer { OPENSSL_thread_stop() }
        let done = secret.withUnsafeBytes { key in
            counter.withUnsafeBytes { message in
                HMAC(EVP_sha1(), key.baseAddress, Int32(key.count), message.bindMemory(to: UInt8.self).baseAddress, message.count,
                     &mac, &length)
            }
        }
        // HMAC-SHA1 of in-memory bytes cannot fail short of memory exhaustion; a code from a failed MAC would be
        // wrong for everyone, so refuse to produce one.
        guard done != nil, length == 20 else { return String(repeating: "-", count: digits) }
        let offset = Int(mac[19] & 0x0F)
        let binary = UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        let modulus = (0..<digits).reduce(UInt32(1)) { value, _ in value * 10 }
        let number = String(binary % modulus)
        return String(repeating: "0", count: digits - number.count) + number
    }

    /// Percent-encodes everything except RFC 3986 unreserved characters, so ':' '@' '&' '?' and spaces
    /// in an issuer or account name cannot change the URI's structure.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}

/// RFC 4648 base32, the encoding authenticator apps use for secrets.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Upper case, without `=` padding (as otpauth URIs expect).
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var buffer: UInt32 = 0, bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Accepts lower case, trailing `=` padding and whitespace (people type secrets in groups);
    /// returns nil for any other character, padding in the middle, or an impossible length.
    public static func decode(_ text: String) -> [UInt8]? {
        let whitespace = Array(" \t\r\n".utf8)
        var symbols = text.utf8.filter { !whitespace.contains($0) }
        while symbols.last == UInt8(ascii: "=") { symbols.removeLast() }
        var out = [UInt8]()
        var buffer: UInt32 = 0, bits = 0
        for symbol in symbols {
            let value: UInt8
            switch symbol {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = symbol - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = symbol - UInt8(ascii: "a")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = symbol - UInt8(ascii: "2") + 26
            default: return nil
            }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // 1, 3 or 6 symbols past a multiple of 8 leave 5 or more bits: a symbol that encodes no byte.
        return bits < 5 ? out : nil
    }
}
