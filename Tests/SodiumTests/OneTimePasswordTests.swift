import Foundation
import Testing
@testable import Sodium

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
private func bytes(hex: String) -> [UInt8] {
    let chars = Array(hex)
    return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(chars[$0...$0 + 1]), radix: 16)! }
}
private func at(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

/// The RFC 6238 Appendix B secret for SHA-1.
private let rfcSecret = Array("12345678901234567890".utf8)

@Suite struct SHA1Tests {
    // RFC 3174 section 7.3 / FIPS 180 examples.
    @Test(arguments: [
        ("abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("a", 1_000_000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
        ("0123456701234567012345670123456701234567012345670123456701234567", 10, "dea356a2cddd90c7a7ecedc5ebb563934f460452"),
    ])
    func digests(text: String, repeats: Int, expected: String) {
        let message = [[UInt8]](repeating: Array(text.utf8), count: repeats).flatMap { $0 }
        #expect(hex(SHA1.hash(message)) == expected)
    }

    // RFC 2202 section 3, all seven HMAC-SHA1 cases (6 and 7 use a key longer than a block).
    @Test(arguments: [
        ([UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8), "b617318655057264e28bc0b6fb378c8ef146be00"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        ([UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
        ([UInt8](1...25), [UInt8](repeating: 0xCD, count: 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        ([UInt8](repeating: 0x0C, count: 20), Array("Test With Truncation".utf8), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
        ([UInt8](repeating: 0xAA, count: 80), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        ([UInt8](repeating: 0xAA, count: 80),
         Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
    ])
    func hmac(key: [UInt8], message: [UInt8], expected: String) {
        #expect(hex(SHA1.hmac(key: key, message: message)) == expected)
    }
}

@Suite struct Base32Tests {
    // RFC 4648 section 10.
    @Test(arguments: [
        ("", "", ""), ("f", "MY", "MY======"), ("fo", "MZXQ", "MZXQ===="), ("foo", "MZXW6", "MZXW6==="),
        ("foob", "MZXW6YQ", "MZXW6YQ="), ("fooba", "MZXW6YTB", "MZXW6YTB"), ("foobar", "MZXW6YTBOI", "MZXW6YTBOI======"),
    ])
    func rfcVectors(plain: String, unpadded: String, padded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == unpadded)
        #expect(Base32.decode(unpadded) == Array(plain.utf8))
        #expect(Base32.decode(padded) == Array(plain.utf8))
        #expect(Base32.decode(padded.lowercased()) == Array(plain.utf8))
    }

    @Test func toleratesSpacesAndRefusesNonsense() {
        #expect(Base32.decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == rfcSecret)
        #expect(Base32.decode("MZXW6YTBOI======\n") == Array("foobar".utf8))
        for bad in ["MZ1W", "MZXW0", "MZ=XW", "M", "MZX", "MZXW6Y", "MZXW6YTBO", "MZXW6YTB!", "ＭＺ"] {
            #expect(Base32.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func roundTripsRandomBytes() {
        for count in 0...41 {
            let data = Random.bytes(count: count)
            #expect(Base32.decode(Base32.encode(data)) == data)
        }
    }
}

@Suite struct TOTPTests {
    // RFC 6238 Appendix B, SHA-1 rows: (time, T as hex, 8-digit code).
    @Test(arguments: [
        (Int64(59), "0000000000000001", "94287082"),
        (1_111_111_109, "00000000023523EC", "07081804"),
        (1_111_111_111, "00000000023523ED", "14050471"),
        (1_234_567_890, "000000000273EF07", "89005924"),
        (2_000_000_000, "0000000003F940AA", "69279037"),
        (20_000_000_000, "0000000027BC86AA", "65353130"),
    ])
    func rfc6238Vectors(time: Int64, step: String, expected: String) {
        let totp = TOTP(secret: SecretKey(bytes: rfcSecret), digits: 8)
        #expect(totp.step(at: at(time)) == Int64(step, radix: 16))
        #expect(totp.code(at: at(time)) == expected)
        #expect(totp.verify(expected, at: at(time), lastUsedStep: nil) == Int64(step, radix: 16))
        // The 6-digit code is the same number mod 10^6, so leading zeros must survive ("081804", "005924").
        let six = TOTP(secret: SecretKey(bytes: rfcSecret))
        #expect(six.code(at: at(time)) == String(expected.suffix(6)))
    }

    @Test func defaultsAndGeneration() {
        let a = TOTP.generate(), b = TOTP.generate()
        #expect(a.digits == 6 && a.period == 30)
        #expect(a.secret.byteCount == 20)
        #expect(a.secret.copyBytes() != b.secret.copyBytes())
        #expect(a.code(at: .now).count == 6)
    }

    @Test func secretRoundTripsThroughBytesAndNeverPrints() {
        let totp = TOTP.generate()
        let restored = TOTP(secret: SecretKey(bytes: totp.secret.copyBytes()))
        let now = Date()
        #expect(restored.code(at: now) == totp.code(at: now))
        let encoded = Base32.encode(totp.secret.copyBytes())
        for printed in ["\(totp)", String(reflecting: totp), "\(totp.secret)"] {
            #expect(!printed.contains(encoded) && !printed.contains(hex(totp.secret.copyBytes())), "\(printed)")
        }
    }

    @Test func acceptsOneStepEitherSideOnly() {
        let totp = TOTP.generate()
        let now = at(1_750_000_015)
        let step = totp.step(at: now)
        for offset in Int64(-1)...1 {
            let code = totp.code(forStep: step + offset)
            #expect(totp.verify(code, at: now, lastUsedStep: nil) == step + offset, "offset \(offset)")
        }
        for offset: Int64 in [-3, -2, 2, 3] {
            let code = totp.code(forStep: step + offset)
            // A random code can coincide with one in the window (1 in 10^6 per step); skip that case.
            guard !((step - 1)...(step + 1)).contains(where: { totp.code(forStep: $0) == code }) else { continue }
            #expect(totp.verify(code, at: now, lastUsedStep: nil) == nil, "offset \(offset)")
        }
    }

    @Test func refusesReplay() {
        let totp = TOTP(secret: SecretKey(bytes: rfcSecret))
        let now = at(1_234_567_890)
        let step = totp.step(at: now)
        let code = totp.code(at: now)
        let used = totp.verify(code, at: now, lastUsedStep: nil)
        #expect(used == step)
        // The same code again, even within the same 30 s or the next step's window.
        #expect(totp.verify(code, at: now, lastUsedStep: used) == nil)
        #expect(totp.verify(code, at: now.addingTimeInterval(30), lastUsedStep: used) == nil)
        // An earlier step's code after a later one was used.
        #expect(totp.verify(totp.code(forStep: step - 1), at: now, lastUsedStep: used) == nil)
        let later = totp.verify(totp.code(forStep: step + 1), at: now, lastUsedStep: used)
        #expect(later == step + 1)
        #expect(totp.verify(code, at: now, lastUsedStep: later) == nil)
    }

    @Test func refusesMalformedCodes() {
        let totp = TOTP(secret: SecretKey(bytes: rfcSecret))
        let now = at(1_234_567_890)
        #expect(totp.code(at: now) == "005924")
        for bad in ["", "12345", "1234567", "12a456", " 123456", "005924 ", " 005924", "00592４", "００５９２４",
                    "+05924", "-05924", "5924", "0059240", "٠٠٥٩٢٤"] {
            #expect(totp.verify(bad, at: now, lastUsedStep: nil) == nil, "\(bad)")
        }
        #expect(totp.verify("005924", at: now, lastUsedStep: nil) != nil)
    }

    @Test func provisioningURIIsWellFormed() throws {
        let totp = TOTP(secret: SecretKey(bytes: rfcSecret))
        #expect(totp.provisioningURI(issuer: "Reconcile", account: "ann@example.org")
            == "otpauth://totp/Reconcile:ann%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Reconcile&algorithm=SHA1&digits=6&period=30")

        // Reserved characters in names cannot change the URI's structure; Foundation decodes them back.
        let issuer = "West Mercia: Reconcile & Co?", account = "o'brien+staff@example.org/é"
        let uri = totp.provisioningURI(issuer: issuer, account: account)
        let parts = try #require(URLComponents(string: uri))
        #expect(parts.scheme == "otpauth" && parts.host == "totp")
        #expect(parts.path == "/\(issuer):\(account)")
        #expect(parts.percentEncodedPath.filter { $0 == ":" }.count == 1)
        let query = Dictionary(uniqueKeysWithValues: (parts.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query == ["secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "issuer": issuer, "algorithm": "SHA1",
                          "digits": "6", "period": "30"])
    }

    /// Independent check: Python's hmac/hashlib/base64 compute the same codes for a random secret, read
    /// both as base32 and from the provisioning URI, over many times including step boundaries.
    @Test func matchesIndependentPythonImplementation() throws {
        let totp = TOTP.generate()
        var times: [Int64] = [0, 1, 29, 30, 31, 59, 60, 1_111_111_109, 2_000_000_000, 20_000_000_000, 4_102_444_800]
        times += (0..<200).map { _ in Int64(Random.uniform(UInt32.max)) * 8 + Int64(Random.uniform(8)) }
        times += (0..<50).flatMap { _ -> [Int64] in
            let boundary = (Int64(Random.uniform(UInt32.max)) + 1) * 30
            return [boundary - 1, boundary, boundary + 29]
        }
        let secret = Base32.encode(totp.secret.copyBytes())
        let uri = totp.provisioningURI(issuer: "Reconcile", account: "ann@example.org")
        #expect(try IndependentTOTP.codes(["--digits", "6", secret], times: times) == times.map { totp.code(at: at($0)) })
        #expect(try IndependentTOTP.codes([uri], times: times) == times.map { totp.code(at: at($0)) })

        let eight = TOTP(secret: totp.secret, digits: 8)
        #expect(try IndependentTOTP.codes(["--digits", "8", secret.lowercased()], times: times)
            == times.map { eight.code(at: at($0)) })
    }
}

/// Runs `independent_totp.py` (Python standard library only); like `IndependentReference`, a missing
/// python3 is a failure, not a skip.
private enum IndependentTOTP {
    static func codes(_ arguments: [String], times: [Int64]) throws -> [String] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("independent_totp.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments + times.map(String.init)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptError(message: String(decoding: err, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    struct ScriptError: Error, CustomStringConvertible {
        let message: String
        var description: String { "independent_totp.py failed: \(message)" }
    }
}
