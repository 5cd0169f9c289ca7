import CSodium

/// Secret key material held in memory that is zeroed when the last reference goes away.
/// `description` is redacted so a key can never reach a log line by accident.
public final class SecretKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // Immutable after init; the buffer is only written by init and deinit, hence @unchecked Sendable.
    private let buffer: UnsafeMutableRawBufferPointer
    private let _count: Int
    private let locked: Bool

    /// Copies `bytes` into protected storage. The caller should zero its own copy. `lockedInMemory: false` is for
    /// keys that live for one request (a case's data key): mlock and munlock are two system calls each time, most
    /// of the cost of opening one sealed field, and munlock unlocks the whole page, locked neighbours with it; such
    /// a key is still zeroed when released.
    public init(bytes: [UInt8], lockedInMemory: Bool = true) {
        Sodium.ensureInitialised()
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { src in
            if !src.isEmpty { storage.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        }
        buffer = storage
        _count = bytes.count
        locked = lockedInMemory
        // mlock keeps the key out of swap where the system allows; failure is not fatal.
        if lockedInMemory { _ = sodium_mlock(buffer.baseAddress!, buffer.count) }
    }

    /// A fresh random key of `count` bytes.
    public static func random(count: Int) -> SecretKey {
        var bytes = Random.bytes(count: count)
        defer { Sodium.zero(&bytes) }
        return SecretKey(bytes: bytes)
    }

    deinit {
        if locked { sodium_munlock(buffer.baseAddress!, buffer.count) }  // munlock also zeroes
        sodium_memzero(buffer.baseAddress!, buffer.count)
        buffer.deallocate()
    }

    /// Grants scoped access to the raw bytes; do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<_count]))
    }

    /// A copy of the key bytes, for writing to a key file or wrapping. Zero it after use.
    public func copyBytes() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    public var byteCount: Int { _count }

    public var description: String { "SecretKey(\(_count) bytes, redacted)" }
    public var debugDescription: String { description }
}
