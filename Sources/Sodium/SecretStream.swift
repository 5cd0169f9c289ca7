import CSodium

/// libsodium's `crypto_secretstream_xchacha20poly1305`: a long message (a backup file) encrypted as a
/// sequence of authenticated chunks. Each chunk's tag depends on every chunk before it, so chunks cannot be
/// dropped, repeated or reordered without the next `pull` failing; the last chunk carries `TAG_FINAL`, and a
/// reader that has not seen it must treat the stream as truncated (`Decryptor.isFinished` says so).
public enum SecretStream {
    public static var keyLength: Int { Int(crypto_secretstream_xchacha20poly1305_keybytes()) }
    public static var headerLength: Int { Int(crypto_secretstream_xchacha20poly1305_headerbytes()) }
    /// Bytes each chunk grows by (tag byte + MAC).
    public static var overhead: Int { Int(crypto_secretstream_xchacha20poly1305_abytes()) }

    static var tagMessage: UInt8 { crypto_secretstream_xchacha20poly1305_tag_message() }
    static var tagFinal: UInt8 { crypto_secretstream_xchacha20poly1305_tag_final() }

    public static func generateKey() -> SecretKey { SecretKey.random(count: keyLength) }

    /// The stream state (it holds a key derived from ours), zeroed when the stream is dropped.
    final class State {
        let pointer: UnsafeMutablePointer<crypto_secretstream_xchacha20poly1305_state>
        init() {
            pointer = .allocate(capacity: 1)
            sodium_memzero(pointer, MemoryLayout<crypto_secretstream_xchacha20poly1305_state>.size)
        }
        deinit {
            sodium_memzero(pointer, MemoryLayout<crypto_secretstream_xchacha20poly1305_state>.size)
            pointer.deallocate()
        }
    }

    /// Encrypts one stream. Write `header` first, then each `push` result in order; the last push is `final`.
    public final class Encryptor {
        public let header: [UInt8]
        private let state = State()
        public private(set) var isFinished = false

        public init(key: SecretKey) throws {
            Sodium.ensureInitialised()
            guard key.byteCount == SecretStream.keyLength else {
                throw SodiumError.invalidKeyLength(expected: SecretStream.keyLength, got: key.byteCount)
            }
            var header = [UInt8](repeating: 0, count: SecretStream.headerLength)
            let pointer = state.pointer
            let rc = key.withUnsafeBytes { k in
                crypto_secretstream_xchacha20poly1305_init_push(pointer, &header, k.bindMemory(to: UInt8.self).baseAddress!)
            }
            guard rc == 0 else { throw SodiumError.invalidInput("secretstream could not start") }
            self.header = header
        }

        /// Encrypts the next chunk; `final` marks the end of the stream (nothing may follow it).
        public func push(_ chunk: [UInt8], associatedData: [UInt8] = [], final: Bool) throws -> [UInt8] {
            guard !isFinished else { throw SodiumError.invalidInput("the stream is already finished") }
            var out = [UInt8](repeating: 0, count: chunk.count + SecretStream.overhead)
            var written: UInt64 = 0
            let tag = final ? SecretStream.tagFinal : SecretStream.tagMessage
            let rc = associatedData.withUnsafeBufferPointer { ad in
                crypto_secretstream_xchacha20poly1305_push(state.pointer, &out, &written, chunk, UInt64(chunk.count),
                                                           ad.baseAddress, UInt64(ad.count), tag)
            }
            guard rc == 0 else { throw SodiumError.invalidInput("secretstream encryption failed") }
            if final { isFinished = true }
            return out
        }
    }

    /// Decrypts one stream chunk by chunk. Any altered, missing, repeated or reordered chunk fails with
    /// `decryptionFailed`; a stream that ends before the final chunk leaves `isFinished` false, and the
    /// caller must refuse it.
    public final class Decryptor {
        private let state = State()
        public private(set) var isFinished = false

        public init(key: SecretKey, header: [UInt8]) throws {
            Sodium.ensureInitialised()
            guard key.byteCount == SecretStream.keyLength else {
                throw SodiumError.invalidKeyLength(expected: SecretStream.keyLength, got: key.byteCount)
            }
            guard header.count == SecretStream.headerLength else { throw SodiumError.decryptionFailed }
            let rc = key.withUnsafeBytes { k in
                crypto_secretstream_xchacha20poly1305_init_pull(state.pointer, header, k.bindMemory(to: UInt8.self).baseAddress!)
            }
            guard rc == 0 else { throw SodiumError.decryptionFailed }
        }

        /// Opens the next chunk. Refuses anything after the final chunk, and tags this wrapper never writes
        /// (push/rekey), so a stream is only ever plain messages then one final.
        public func pull(_ chunk: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
            guard !isFinished, chunk.count >= SecretStream.overhead else { throw SodiumError.decryptionFailed }
            var out = [UInt8](repeating: 0, count: chunk.count - SecretStream.overhead)
            var written: UInt64 = 0
            var tag: UInt8 = 0
            let rc = associatedData.withUnsafeBufferPointer { ad in
                crypto_secretstream_xchacha20poly1305_pull(state.pointer, &out, &written, &tag, chunk, UInt64(chunk.count),
                                                           ad.baseAddress, UInt64(ad.count))
            }
            guard rc == 0 else { throw SodiumError.decryptionFailed }
            if tag == SecretStream.tagFinal {
                isFinished = true
            } else if tag != SecretStream.tagMessage {
                throw SodiumError.decryptionFailed
            }
            return out
        }
    }
}
