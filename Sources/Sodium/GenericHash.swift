import CSodium

/// BLAKE2b (`crypto_generichash`), optionally keyed. Keyed use gives blind indexes and audit-chain hashes.
public enum GenericHash {
    public static var defaultLength: Int { Int(crypto_generichash_bytes()) }
    public static var keyLength: Int { Int(crypto_generichash_keybytes()) }

    public static func hash(_ message: [UInt8], key: SecretKey? = nil, length: Int = 32) throws -> [UInt8] {
        Sodium.ensureInitialised()
        guard length >= Int(crypto_generichash_bytes_min()), length <= Int(crypto_generichash_bytes_max()) else {
            throw SodiumError.invalidInput("hash length out of range")
        }
        var out = [UInt8](repeating: 0, count: length)
        let rc: Int32
        if let key {
            guard key.byteCount >= Int(crypto_generichash_keybytes_min()),
                  key.byteCount <= Int(crypto_generichash_keybytes_max()) else {
                throw SodiumError.invalidKeyLength(expected: keyLength, got: key.byteCount)
            }
            rc = key.withUnsafeBytes { k in
                crypto_generichash(&out, length, message, UInt64(message.count),
                                   k.bindMemory(to: UInt8.self).baseAddress!, k.count)
            }
        } else {
            rc = crypto_generichash(&out, length, message, UInt64(message.count), nil, 0)
        }
        guard rc == 0 else { throw SodiumError.invalidInput("hashing failed") }
        return out
    }
}
