import Foundation
import Testing
@testable import Sodium

/// The wrapper must speak standard libsodium: same bytes as an independent implementation for the
/// same inputs, and interoperable in both directions where output is randomised.
@Suite struct KnownAnswerTests {
    @Test func wrapperMatchesPyNaClAndHashlib() throws {
        let aeadKey = [UInt8](0..<32), nonce = [UInt8](100..<124), message = Array("a family's words".utf8), ad = Array("case=1|field=story".utf8)
        let seed = [UInt8](repeating: 7, count: 32), signed = Array("report 2026-Q1".utf8)
        let hashKey = [UInt8](repeating: 9, count: 32), hashed = Array("ann@example.org".utf8)
        let kdfMaster = [UInt8](repeating: 3, count: 32)
        let password = "correct horse battery staple"
        let boxSecret = [UInt8](repeating: 5, count: 32)
        let swiftBox = BoxKeyPair.generate()
        let swiftSigner = try SigningKeyPair.fromSeed(seed)

        // First round: learn PyNaCl's box public key so Swift can seal to it.
        var request: [String: Any] = [
            "aead": ["key": aeadKey.base64, "nonce": nonce.base64, "message": message.base64, "ad": ad.base64],
            "sign": ["seed": seed.base64, "message": signed.base64, "swift_signature": swiftSigner.sign(signed).base64],
            "hash": ["key": hashKey.base64, "message": hashed.base64],
            "kdf": ["master": kdfMaster.base64, "id": 42, "context": "Reconcil", "length": 32],
            "pwhash": ["password": password, "swift_hash": try PasswordHash.hash(password, limits: .minimum)],
            "sealed": ["python_secret_key": boxSecret.base64, "swift_public_key": swiftBox.publicKey.base64,
                       "message": message.base64],
        ]
        let first = try IndependentReference.run(request)
        let pythonBoxKey = [UInt8](base64: first["box_public_key"] as! String)
        request["sealed"] = ["python_secret_key": boxSecret.base64, "swift_public_key": swiftBox.publicKey.base64,
                             "message": message.base64,
                             "swift_sealed": try SealedBox.seal(message, to: pythonBoxKey).base64]
        let answer = try IndependentReference.run(request)

        let sealed = try AEAD.seal(message, key: SecretKey(bytes: aeadKey), nonce: nonce, associatedData: ad)
        #expect(sealed.base64 == answer["aead"] as? String)

        #expect(swiftSigner.publicKey.base64 == answer["sign_public_key"] as? String)
        #expect(swiftSigner.sign(signed).base64 == answer["signature"] as? String)
        #expect(answer["swift_signature_valid"] as? Bool == true)
        #expect(Signature.verify([UInt8](base64: answer["signature"] as! String), message: signed, publicKey: swiftSigner.publicKey))

        #expect(try GenericHash.hash(hashed, key: SecretKey(bytes: hashKey)).base64 == answer["blake2b_keyed"] as? String)
        #expect(try GenericHash.hash(hashed).base64 == answer["blake2b_plain"] as? String)

        let sub = try KeyDerivation.deriveSubkey(from: SecretKey(bytes: kdfMaster), id: 42, context: "Reconcil")
        #expect(sub.copyBytes().base64 == answer["kdf"] as? String)

        #expect(PasswordHash.verify(password, against: answer["pwhash_python"] as! String))
        #expect(!PasswordHash.verify(password + "x", against: answer["pwhash_python"] as! String))
        #expect(answer["swift_hash_verifies"] as? Bool == true)
        #expect(answer["swift_hash_rejects_wrong"] as? Bool == true)

        #expect(answer["swift_sealed_opened"] as? String == message.base64)
        let fromPython = [UInt8](base64: answer["python_sealed"] as! String)
        #expect(try SealedBox.open(fromPython, keyPair: swiftBox) == message)
    }
}
