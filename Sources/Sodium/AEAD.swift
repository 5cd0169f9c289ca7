import CSodium

/// XChaCha20-Poly1305 (IETF) authenticated encryption with associated data.
/// The 24-byte random nonce is large enough to draw at random for every message.
public enum AEAD {
    public static var keyLength: Int { Int(crypto_aead_xchacha20poly1305_ietf_keybytes()) }
    public static var nonceLength: Int { Int(crypto_aead_xchacha20poly1305_ietf_npubbytes()) }
    public static var tagLength: Int { Int(crypto_aead_xchacha20poly1305_ietf_abytes()) }

    public static func generateKey() -> SecretKey { SecretKey.random(count: keyLength) }

    /// Encrypts with a fresh random nonce; returns `nonce || ciphertext || tag`.
    public static func seal(_ plaintext: [UInt8], key: SecretKey, associatedData: [UInt8]) throws -> [UInt8] {
        try seal(plaintext, key: key, nonce: Random.bytes(count: nonceLength), associatedData: associatedData)
    }

    /// Encrypts with the given nonce (for known-answer tests); returns `nonce || ciphertext || tag`.
    public static func seal(_ plaintext: [UInt8], key: SecretKey, nonce: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        Sodium.ensureInitialised()
        guard key.byteCount == keyLength else { throw SodiumError.invalidKeyLength(expected: keyLength, got: key.byteCount) }
        guard nonce.count == nonceLength else { throw SodiumError.invalidInput("nonce must be \(nonceLength) bytes") }
        var out = [UInt8](repeating: 0, count: nonceLength + plaintext.count + tagLength)
        var written: UInt64 = 0
        let rc = out.withUnsafeMutableBufferPointer { o -> Int32 in
            for i in 0..<nonce.count { o[i] = nonce[i] }
            return key.withUnsafeBytes { k in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    o.baseAddress! + nonceLength, &written,
                    plaintext, UInt64(plaintext.count),
                    associatedData, UInt64(associatedData.count),
                    nil, nonce, k.bindMemory(to: UInt8.self).baseAddress!)
            }
        }
        guard rc == 0 else { throw SodiumError.invalidInput("encryption failed") }
        return out
    }

    /// Opens `nonce || ciphertext || tag`; throws `decryptionFailed` on any mismatch.
    public static func open(_ sealed: [UInt8], key: SecretKey, associatedData: [UInt8]) throws -> [UInt8] {
        Sodium.ensureInitialised()
        guard key.byteCount == keyLength else { throw SodiumError.invalidKeyLength(expected: keyLength, got: key.byteCount) }
        guard sealed.count >= nonceLength + tagLength else { throw SodiumError.decryptionFailed }
        let nonce = Array(sealed[0..<nonceLength])
        let body = Array(sealed[nonceLength...])
        var out = [UInt8](repeating: 0, count: body.count - tagLength)
        var written: UInt64 = 0
        let rc = out.withUnsafeMutableBufferPointer { o in
            key.withUnsafeBytes { k in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    o.baseAddress, &written, nil,
                    body, UInt64(body.count),
                    associatedData, UInt64(associatedData.count),
                    nonce, k.bindMemory(to: UInt8.self).baseAddress!)
            }
        }
        guard rc == 0 else { throw SodiumError.decryptionFailed }
        return out
    }
}
