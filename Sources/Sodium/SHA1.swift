import CSodium

/// SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), internal to this module and used only by `TOTP`.
///
/// Why write it here: libsodium deliberately has no SHA-1, and RFC 6238 authenticator apps default to
/// HMAC-SHA1 (several ignore the `algorithm` parameter altogether), so second factors that work on
/// every phone need it. SHA-1's collision weakness does not affect HMAC: HMAC's security rests on the
/// compression function acting as a keyed pseudorandom function, not on collision resistance, and
/// HMAC-SHA1 remains approved for this use (NIST SP 800-107, RFC 6238). Do not use `SHA1.hash` on its
/// own for anything new.
enum SHA1 {
    static let digestLength = 20
    static let blockLength = 64

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        // Padding: 0x80, zeros to 56 mod 64, then the message length in bits as a big-endian UInt64.
        var data = [UInt8]()
        data.reserveCapacity(message.count + 2 * blockLength)
        data += message
        data.append(0x80)
        while data.count % blockLength != 56 { data.append(0) }
        let bits = UInt64(message.count) &* 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 80)
        // HMAC feeds key-derived bytes through here, so leave no copy behind.
        defer {
            Sodium.zero(&data)
            w.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, $0.count) }
        }

        for block in stride(from: 0, to: data.count, by: blockLength) {
            for t in 0..<16 {
                let i = block + 4 * t
                w[t] = UInt32(data[i]) << 24 | UInt32(data[i + 1]) << 16 | UInt32(data[i + 2]) << 8 | UInt32(data[i + 3])
            }
            for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for t in 0..<80 {
                let (f, k): (UInt32, UInt32) = switch t {
                case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (b ^ c ^ d, 0xCA62_C1D6)
                }
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                (e, d, c, b, a) = (d, c, rotl(b, 30), a, temp)
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
        }
        return h.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) } }
    }

    /// HMAC-SHA1. `key` may be a `SecretKey`'s scoped bytes; the padded copies are zeroed before returning.
    static func hmac(key: some Collection<UInt8>, message: [UInt8]) -> [UInt8] {
        var k = [UInt8](repeating: 0, count: blockLength)
        if key.count > blockLength {
            var long = Array(key)
            var digest = hash(long)
            defer { Sodium.zero(&long); Sodium.zero(&digest) }
            k.replaceSubrange(0..<digestLength, with: digest)
        } else {
            k.replaceSubrange(0..<key.count, with: key)
        }
        var inner = [UInt8](), outer = [UInt8]()
        inner.reserveCapacity(blockLength + message.count)
        outer.reserveCapacity(blockLength + digestLength)
        defer { Sodium.zero(&k); Sodium.zero(&inner); Sodium.zero(&outer) }
        for byte in k { inner.append(byte ^ 0x36); outer.append(byte ^ 0x5C) }
        inner += message
        outer += hash(inner)
        return hash(outer)
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
}
