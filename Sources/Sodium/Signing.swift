import CSodium

/// Ed25519 signing key pair. The secret key is libsodium's 64-byte form (seed || public key).
public struct SigningKeyPair: Sendable {
    public let publicKey: [UInt8]
    public let secretKey: SecretKey

    public static var publicKeyLength: Int { Int(crypto_sign_publickeybytes()) }
    public static var secretKeyLength: Int { Int(crypto_sign_secretkeybytes()) }
    public static var seedLength: Int { Int(crypto_sign_seedbytes()) }
    public static var signatureLength: Int { Int(crypto_sign_bytes()) }

    public static func generate() -> SigningKeyPair {
        var seed = Random.bytes(count: seedLength)
        defer { Sodium.zero(&seed) }
        return try! fromSeed(seed)
    }

    public static func fromSeed(_ seed: [UInt8]) throws -> SigningKeyPair {
        Sodium.ensureInitialised()
        guard seed.count == seedLength else { throw SodiumError.invalidKeyLength(expected: seedLength, got: seed.count) }
        var pk = [UInt8](repeating: 0, count: publicKeyLength)
        var sk = [UInt8](repeating: 0, count: secretKeyLength)
        defer { Sodium.zero(&sk) }
        _ = crypto_sign_seed_keypair(&pk, &sk, seed)
        return SigningKeyPair(publicKey: pk, secretKey: SecretKey(bytes: sk))
    }

    /// Rebuilds a key pair from the 64-byte secret key (the public key is its second half).
    public static func fromSecretKey(_ sk: [UInt8]) throws -> SigningKeyPair {
        guard sk.count == secretKeyLength else { throw SodiumError.invalidKeyLength(expected: secretKeyLength, got: sk.count) }
        return try fromSeed(Array(sk[0..<seedLength]))
    }

    public init(publicKey: [UInt8], secretKey: SecretKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A detached signature over `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: Self.signatureLength)
        _ = secretKey.withUnsafeBytes { sk in
            crypto_sign_detached(&sig, nil, message, UInt64(message.count), sk.bindMemory(to: UInt8.self).baseAddress!)
        }
        return sig
    }
}

public enum Signature {
    /// Verifies a detached Ed25519 signature; false for any malformed input.
    public static func verify(_ signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        Sodium.ensureInitialised()
        guard signature.count == SigningKeyPair.signatureLength,
              publicKey.count == SigningKeyPair.publicKeyLength else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
