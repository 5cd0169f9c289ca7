import Foundation
import Sodium
#if canImport(Glibc)
import Glibc
#endif

/// The shipped backup file: a SQLite backup encrypted with libsodium's secretstream.
///
///     "RECONCILE-BACKUP" (16) | format 1 (1) | backup key id (16) | secretstream header (24) | chunks…
///
/// Every chunk is 64 KiB of plaintext + 17 bytes; the last (shorter, possibly empty) carries TAG_FINAL, and the
/// first has the 33-byte prefix as associated data, so the key id and format cannot be altered. A file that
/// ends before TAG_FINAL, or has bytes after it, is refused: truncation at a chunk boundary is caught too.
enum EncryptedBackupFile {
    static let magic = Array("RECONCILE-BACKUP".utf8)
    static let formatVersion: UInt8 = 1
    static let chunkSize = 64 * 1024
    static var prefixLength: Int { magic.count + 1 + 16 }

    /// Whether the file starts with our magic (otherwise it may be a plain SQLite backup).
    static func isEncrypted(_ url: URL) -> Bool {
        guard let reader = try? Reader(url) else { return false }
        return (try? reader.read(magic.count)) == magic
    }

    /// The key (current or retired) the file was made under, reading only its prefix; refuses a file that is not
    /// one of ours, or was made under a backup key this directory does not hold.
    @discardableResult
    static func checkKey(_ url: URL, key: BackupKey, keyDirectory: URL) throws -> BackupKey {
        let prefix = try Reader(url).read(prefixLength)
        guard prefix.count == prefixLength, Array(prefix[0..<magic.count]) == magic, prefix[magic.count] == formatVersion else {
            throw BackupError.undecryptable(url.path)
        }
        guard let opening = key.opening(id: Array(prefix[(magic.count + 1)...])) else { throw BackupError.keyNotHeld(url.path, keyDirectory.path) }
        return opening
    }

    /// Encrypts the file at `plaintext` into the open, empty file `fd` (the caller fsyncs it).
    static func encrypt(_ plaintext: URL, into fd: Int32, path: String, key: BackupKey) throws {
        let source = try Reader(plaintext)
        let prefix = magic + [formatVersion] + key.id
        let stream = try SecretStream.Encryptor(key: key.key)
        try writeAll(fd, prefix + stream.header, path: path)
        // Read one chunk ahead, so the last one can be pushed as final.
        var chunk = try source.read(chunkSize)
        var first = true
        while true {
            let next = try source.read(chunkSize)
            let sealed = try stream.push(chunk, associatedData: first ? prefix : [], final: next.isEmpty)
            try writeAll(fd, sealed, path: path)
            if next.isEmpty { break }
            chunk = next
            first = false
        }
    }

    /// Decrypts `url` into `plaintext` (a new 0600 file), or only checks it when `plaintext` is nil. Throws
    /// `.keyNotHeld` when the file names another key, `.undecryptable` for anything damaged, truncated or altered.
    static func decrypt(_ url: URL, to plaintext: URL?, key given: BackupKey, keyDirectory: URL) throws {
        let key = try checkKey(url, key: given, keyDirectory: keyDirectory)
        let source = try Reader(url)
        let prefix = try source.read(prefixLength)
        var out: Int32 = -1
        if let plaintext {
            try BackupFiles.createPrivate(plaintext)
            out = open(plaintext.path, O_WRONLY | O_CLOEXEC)
            guard out >= 0 else { throw BackupError.io("cannot open \(plaintext.path)") }
        }
        defer { if out >= 0 { close(out) } }
        do {
            let stream = try SecretStream.Decryptor(key: key.key, header: try source.read(SecretStream.headerLength))
            var first = true
            while !stream.isFinished {
                let sealed = try source.read(chunkSize + SecretStream.overhead)
                guard !sealed.isEmpty else { throw BackupError.undecryptable(url.path) }  // ended before TAG_FINAL
                let chunk = try stream.pull(sealed, associatedData: first ? prefix : [])
                first = false
                if out >= 0, let plaintext { try writeAll(out, chunk, path: plaintext.path) }
            }
            guard try source.read(1).isEmpty else { throw BackupError.undecryptable(url.path) }  // bytes after the end
        } catch is SodiumError {
            throw BackupError.undecryptable(url.path)
        }
        if out >= 0, let plaintext, fsync(out) != 0 { throw BackupError.io("cannot sync \(plaintext.path)") }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw BackupError.io("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads a file in pieces of a given size (shorter only at its end).
    final class Reader {
        let fd: Int32
        let path: String
        init(_ url: URL) throws {
            path = url.path
            fd = open(url.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw BackupError.sourceMissing(url.path) }
        }
        deinit { close(fd) }

        func read(_ count: Int) throws -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) }
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else { throw BackupError.io("cannot read \(path)") }
                if n == 0 { break }
                filled += n
            }
            return Array(buffer[0..<filled])
        }
    }
}
