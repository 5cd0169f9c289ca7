import CSodium

/// `crypto_kdf`: independent subkeys from one master key, by number and an 8-character context.
public enum KeyDerivation {
    public static var keyLength: Int { Int(crypto_kdf_keybytes()) }

    public static func deriveSubkey(from master: SecretKey, id: UInt64, context: String, length: Int = 32) throws -> SecretKey {
        Sodium.ensureInitialised()
        let ctx = Array(context.utf8)
        guard ctx.count == Int(crypto_kdf_contextbytes()) else {
            throw SodiumError.invalidInput("context must be \(crypto_kdf_contextbytes()) bytes")
        }
        guard master.byteCount == keyLength else { throw SodiumError.invalidKeyLength(expected: keyLength, got: master.byteCount) }
        guard length >= Int(crypto_kdf_bytes_min()), length <= Int(crypto_kdf_bytes_max()) else {
            throw SodiumError.invalidInput("subkey length out of range")
        }
        var sub = [UInt8](repeating: 0, count: length)
        defer { Sodium.zero(&sub) }
        let cctx = ctx.map { CChar(bitPattern: $0) }
        let rc = master.withUnsafeBytes { k in
            crypto_kdf_derive_from_key(&sub, length, id, cctx, k.bindMemory(to: UInt8.self).baseAddress!)
        }
        guard rc == 0 else { throw SodiumError.invalidInput("derivation failed") }
        return SecretKey(bytes: sub)
    }
}
