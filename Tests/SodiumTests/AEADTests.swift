import Testing
@testable import Sodium

@Suite struct AEADTests {
    let key = AEAD.generateKey()
    let ad = Array("case=a|field=story|dk=1".utf8)
    let message = Array("something only the partner should read".utf8)

    @Test func roundTripsAndUsesFreshNonces() throws {
        let a = try AEAD.seal(message, key: key, associatedData: ad)
        let b = try AEAD.seal(message, key: key, associatedData: ad)
        #expect(a != b, "two seals of the same text must differ (random nonce)")
        #expect(try AEAD.open(a, key: key, associatedData: ad) == message)
        #expect(a.count == message.count + AEAD.nonceLength + AEAD.tagLength)
    }

    @Test func tamperedCiphertextFails() throws {
        let sealed = try AEAD.seal(message, key: key, associatedData: ad)
        for index in [0, AEAD.nonceLength, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: SodiumError.decryptionFailed) { try AEAD.open(tampered, key: key, associatedData: ad) }
        }
        #expect(throws: SodiumError.decryptionFailed) { try AEAD.open(Array(sealed.dropLast()), key: key, associatedData: ad) }
        #expect(throws: SodiumError.decryptionFailed) { try AEAD.open([], key: key, associatedData: ad) }
    }

    @Test func wrongKeyOrAssociatedDataFails() throws {
        let sealed = try AEAD.seal(message, key: key, associatedData: ad)
        #expect(throws: SodiumError.decryptionFailed) { try AEAD.open(sealed, key: AEAD.generateKey(), associatedData: ad) }
        #expect(throws: SodiumError.decryptionFailed) {
            try AEAD.open(sealed, key: key, associatedData: Array("case=b|field=story|dk=1".utf8))
        }
    }

    @Test func wrongKeyLengthIsRefused() {
        #expect(throws: SodiumError.invalidKeyLength(expected: 32, got: 16)) {
            try AEAD.seal(message, key: SecretKey.random(count: 16), associatedData: ad)
        }
    }

    @Test func emptyMessageWorks() throws {
        let sealed = try AEAD.seal([], key: key, associatedData: [])
        #expect(try AEAD.open(sealed, key: key, associatedData: []) == [])
    }
}

@Suite struct PasswordHashTests {
    @Test func verifiesOnlyTheRightPassword() throws {
        let hash = try PasswordHash.hash("long enough password", limits: .minimum)
        #expect(hash.hasPrefix("$argon2id$"))
        #expect(PasswordHash.verify("long enough password", against: hash))
        #expect(!PasswordHash.verify("long enough passwore", against: hash))
        #expect(!PasswordHash.verify("", against: hash))
        #expect(!PasswordHash.verify("long enough password", against: "not a hash"))
        #expect(try PasswordHash.hash("same", limits: .minimum) != PasswordHash.hash("same", limits: .minimum), "salted")
    }

    @Test func emptyAndUnicodePasswordsHash() throws {
        let unicode = "pässwörd 🔐 ✓"
        #expect(PasswordHash.verify(unicode, against: try PasswordHash.hash(unicode, limits: .minimum)))
        #expect(PasswordHash.verify("", against: try PasswordHash.hash("", limits: .minimum)))
    }

    @Test func needsRehashWhenParametersRise() throws {
        let weak = try PasswordHash.hash("long enough password", limits: .minimum)
        #expect(PasswordHash.needsRehash(weak, limits: .interactive))
        #expect(!PasswordHash.needsRehash(weak, limits: .minimum))
    }
}

@Suite struct SigningTests {
    @Test func detachedSignatureVerifiesOnlyTheSignedBytes() {
        let pair = SigningKeyPair.generate()
        let report = Array(#"{"quarter":"2026-Q1"}"#.utf8)
        let signature = pair.sign(report)
        #expect(Signature.verify(signature, message: report, publicKey: pair.publicKey))
        var altered = report
        altered[2] ^= 1
        #expect(!Signature.verify(signature, message: altered, publicKey: pair.publicKey))
        #expect(!Signature.verify(signature, message: report, publicKey: SigningKeyPair.generate().publicKey))
        #expect(!Signature.verify(Array(signature.dropLast()), message: report, publicKey: pair.publicKey))
    }

    @Test func secretKeyRoundTripsThroughItsBytes() throws {
        let pair = SigningKeyPair.generate()
        let again = try SigningKeyPair.fromSecretKey(pair.secretKey.copyBytes())
        #expect(again.publicKey == pair.publicKey)
    }
}

@Suite struct MiscellaneousTests {
    @Test func secretsNeverPrint() {
        let key = SecretKey(bytes: Array("SECRETSECRETSECRETSECRETSECRET12".utf8))
        #expect(!"\(key)".contains("SECRET"))
        #expect(!String(reflecting: key).contains("SECRET"))
    }

    @Test func keyedHashDependsOnKey() throws {
        let m = Array("07700900123".utf8)
        #expect(try GenericHash.hash(m, key: SecretKey.random(count: 32)) != GenericHash.hash(m, key: SecretKey.random(count: 32)))
    }

    @Test func constantTimeEquality() {
        #expect(Sodium.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Sodium.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Sodium.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(Sodium.constantTimeEquals([], []))
    }

    @Test func randomIsRandomAndUniformIsBounded() {
        #expect(Random.bytes(count: 32) != Random.bytes(count: 32))
        #expect((0..<1000).allSatisfy { _ in Random.uniform(31) < 31 })
    }

    @Test func kdfSubkeysDifferByIdAndContext() throws {
        let master = SecretKey.random(count: 32)
        let a = try KeyDerivation.deriveSubkey(from: master, id: 1, context: "Reconcil").copyBytes()
        let b = try KeyDerivation.deriveSubkey(from: master, id: 2, context: "Reconcil").copyBytes()
        let c = try KeyDerivation.deriveSubkey(from: master, id: 1, context: "OtherCtx").copyBytes()
        #expect(a != b && a != c)
        #expect(throws: SodiumError.self) { try KeyDerivation.deriveSubkey(from: master, id: 1, context: "short") }
    }

    @Test func zeroingClearsBuffer() {
        var bytes: [UInt8] = [1, 2, 3]
        Sodium.zero(&bytes)
        #expect(bytes == [0, 0, 0])
    }
}
