import CSodium

/// An X25519 key pair for sealed boxes (anonymous public-key encryption).
public struct BoxKeyPair: Sendable {
    public let publicKey: [UInt8]
    public let secretKey: SecretKey

    public static func generate() -> BoxKeyPair {
        Sodium.ensureInitialised()
        var pk = [UInt8](repeating: 0, count: Int(crypto_box_publickeybytes()))
        var sk = [UInt8](repeating: 0, count: Int(crypto_box_secretkeybytes()))
        defer { Sodium.zero(&sk) }
        _ = crypto_box_keypair(&pk, &sk)
        return BoxKeyPair(publicKey: pk, secretKey: SecretKey(bytes: sk))
    }

    public init(publicKey: [UInt8], secretKey: SecretKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// `crypto_box_seal`: anyone with the public key can encrypt; only the key pair's owner can open.
public enum SealedBox {
    public static func seal(_ message: [UInt8], to publicKey: [UInt8]) throws -> [UInt8] {
        Sodium.ensureInitialised()
        guard publicKey.count == Int(crypto_box_publickeybytes()) else {
            throw SodiumError.invalidKeyLength(expected: Int(crypto_box_publickeybytes()), got: publicKey.count)
        }
        var out = [UInt8](repeating: 0, count: message.count + Int(crypto_box_sealbytes()))
        guard crypto_box_seal(&out, message, UInt64(message.count), publicKey) == 0 else {
            throw SodiumError.invalidInput("sealing failed")
        }
        return out
    }

    public static func open(_ sealed: [UInt8], keyPair: BoxKeyPair) throws -> [UInt8] {
        Sodium.ensureInitialised()
        let overhead = Int(crypto_box_sealbytes())
        guard sealed.count >= overhead else { throw SodiumError.decryptionFailed }
        var out = [UInt8](repeating: 0, count: sealed.count - overhead)
        let rc = keyPair.secretKey.withUnsafeBytes { sk in
            crypto_box_seal_open(&out, sealed, UInt64(sealed.count), keyPair.publicKey,
                                 sk.bindMemory(to: UInt8.self).baseAddress!)
        }
        guard rc == 0 else { throw SodiumError.decryptionFailed }
        return out
    }
}
