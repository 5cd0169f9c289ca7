import CSodium

/// Cryptographically secure randomness from libsodium (getrandom on Linux).
public enum Random {
    public static func bytes(count: Int) -> [UInt8] {
        Sodium.ensureInitialised()
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) } }
        return out
    }

    /// A uniform random number in `0..<upperBound` without modulo bias.
    public static func uniform(_ upperBound: UInt32) -> UInt32 {
        Sodium.ensureInitialised()
        precondition(upperBound > 0)
        return randombytes_uniform(upperBound)
    }
}
