import CSodium

/// Errors from the libsodium wrapper. They never carry key material or plaintext.
public enum SodiumError: Error, Equatable, CustomStringConvertible {
    case initialisationFailed
    case invalidKeyLength(expected: Int, got: Int)
    case decryptionFailed
    case hashingFailed
    case signingFailed
    case invalidInput(String)

    public var description: String {
        switch self {
        case .initialisationFailed: "libsodium could not be initialised"
        case .invalidKeyLength(let expected, let got): "key has \(got) bytes, expected \(expected)"
        case .decryptionFailed: "ciphertext could not be opened (wrong key, associated data or tampered)"
        case .hashingFailed: "password hashing failed (out of memory?)"
        case .signingFailed: "signing failed"
        case .invalidInput(let why): "invalid input: \(why)"
        }
    }
}

/// One-time library initialisation; `sodium_init` is safe to call repeatedly and from many threads.
public enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    /// Call before any other function; every wrapper entry point does so itself.
    @discardableResult
    public static func ensureInitialised() -> Bool {
        precondition(initialised, "libsodium failed to initialise")
        return initialised
    }

    /// The version string of the libsodium the process is linked against.
    public static var version: String {
        String(cString: sodium_version_string())
    }

    /// Compares two byte strings in constant time (for tokens, MACs, blind indexes).
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        ensureInitialised()
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 }
        }
    }

    /// Overwrites a buffer with zeros in a way the optimiser cannot remove.
    public static func zero(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, $0.count) }
    }
}
