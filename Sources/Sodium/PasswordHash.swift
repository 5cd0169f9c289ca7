import CSodium

/// Argon2id password hashing in libsodium's self-describing string format (`$argon2id$v=19$m=…`).
public enum PasswordHash {
    /// Cost parameters. `.moderate` for staff passwords and family passphrases in production;
    /// tests may use `.minimum` to stay fast (the format records the parameters, so verify still works).
    public struct Limits: Sendable, Equatable {
        public var operations: UInt64
        public var memoryBytes: Int

        public init(operations: UInt64, memoryBytes: Int) {
            self.operations = operations
            self.memoryBytes = memoryBytes
        }

        public static var interactive: Limits {
            Limits(operations: UInt64(crypto_pwhash_argon2id_opslimit_interactive()),
                   memoryBytes: crypto_pwhash_argon2id_memlimit_interactive())
        }
        public static var moderate: Limits {
            Limits(operations: UInt64(crypto_pwhash_argon2id_opslimit_moderate()),
                   memoryBytes: crypto_pwhash_argon2id_memlimit_moderate())
        }
        public static var minimum: Limits {
            Limits(operations: UInt64(crypto_pwhash_argon2id_opslimit_min()),
                   memoryBytes: crypto_pwhash_argon2id_memlimit_min())
        }
    }

    public static func hash(_ password: String, limits: Limits) throws -> String {
        Sodium.ensureInitialised()
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_strbytes()))
        // NUL-terminated copy so an empty password still has a valid pointer; length excludes the NUL.
        var bytes = password.utf8.map { CChar(bitPattern: $0) } + [0]
        defer { bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, $0.count) } }
        let rc = crypto_pwhash_str_alg(&out, bytes, UInt64(bytes.count - 1),
                                       limits.operations, limits.memoryBytes, crypto_pwhash_alg_argon2id13())
        guard rc == 0 else { throw SodiumError.hashingFailed }
        let end = out.firstIndex(of: 0) ?? out.endIndex
        return String(decoding: out[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Verification time depends on the stored parameters, not on where the password differs.
    public static func verify(_ password: String, against stored: String) -> Bool {
        Sodium.ensureInitialised()
        guard stored.utf8.count < Int(crypto_pwhash_strbytes()), stored.hasPrefix("$argon2id$") else { return false }
        var bytes = password.utf8.map { CChar(bitPattern: $0) } + [0]
        defer { bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, $0.count) } }
        return crypto_pwhash_str_verify(stored, bytes, UInt64(bytes.count - 1)) == 0
    }

    /// True when the stored hash used other parameters than `limits` (so it should be re-hashed at next login).
    public static func needsRehash(_ stored: String, limits: Limits) -> Bool {
        Sodium.ensureInitialised()
        return crypto_pwhash_str_needs_rehash(stored, limits.operations, limits.memoryBytes) != 0
    }
}
