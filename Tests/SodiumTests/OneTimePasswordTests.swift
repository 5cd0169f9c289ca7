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

/// TOTP's HMAC-SHA1 comes from swift-crypto: a hash written by hand is a hash nobody reviews. Any SHA-1
/// implementation carries its initial state words, so their return to our sources fails here.
@Suite struct NoHandWrittenHash {
    @Test func sodiumSourcesHoldNoSHA1Constants() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources").standardizedFileURL
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var scanned = 0
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8).lowercased()
            scanned += 1
            #expect(!text.contains("0x67452301") && !text.contains("0xc3d2e1f0"), "\(file.lastPathComponent) implements a hash by hand")
        }
        #expect(scanned > 50)
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
