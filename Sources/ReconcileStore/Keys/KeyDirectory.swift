import Foundation
import Sodium
#if canImport(Glibc)
import Glibc
#endif

public struct KeyDirectoryError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The key directory, kept outside the database: `master-vN.key` (versioned key-encryption keys),
/// `index.key` (blind-index key), `signing.key` (Ed25519 report-signing key) and `backup.key` (the shipped
/// backups' secretstream key, `ShippedBackups`).
/// Files are 0600 and the directory 0700; anything looser is refused, because a key readable by
/// another local user would undo the encryption at rest.
public struct KeyDirectory: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    static let indexFile = "index.key"
    static let signingFile = "signing.key"
    static func masterFile(_ version: Int) -> String { "master-v\(version).key" }

    /// Creates the directory and the first key of each kind. Refuses to overwrite existing keys:
    /// losing a master key would make every case unreadable.
    public func initialise() throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw KeyDirectoryError("\(url.path) exists and is not a directory") }
            if try !existingKeyFiles().isEmpty {
                throw KeyDirectoryError("\(url.path) already holds keys; refusing to overwrite them")
            }
        } else {
            try fm.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard chmod(url.path, 0o700) == 0 else { throw KeyDirectoryError("cannot set 0700 on \(url.path)") }
        try writeNew(Self.masterFile(1), bytes: AEAD.generateKey())
        try writeNew(Self.indexFile, bytes: SecretKey.random(count: GenericHash.keyLength))
        try writeNew(Self.signingFile, bytes: SigningKeyPair.generate().secretKey)
        try writeNew(Self.backupFile, bytes: SecretStream.generateKey())
    }

    /// Adds master key version N+1 (mode 0600, created with O_EXCL, fsynced with its directory entry before
    /// this returns, so no database row can name a key that a power cut could lose) and returns it. Older
    /// versions stay so older backups still open; the highest version is the current one. Refuses a key
    /// directory with loose permissions, and a directory with no master key yet (`keys init` first).
    @discardableResult
    public func addMasterVersion() throws -> Int {
        try checkPermissions()
        guard let current = try masterVersions().max() else {
            throw KeyDirectoryError("no master key in \(url.path); run `reconcile keys init --key-dir \(url.path)`")
        }
        let next = current + 1
        try writeNew(Self.masterFile(next), bytes: AEAD.generateKey())
        return next
    }

    /// Reads every key after checking permissions.
    public func load() throws -> KeyRing {
        try checkPermissions()
        let versions = try masterVersions()
        guard !versions.isEmpty else {
            throw KeyDirectoryError("no master key in \(url.path); run `reconcile keys init --key-dir \(url.path)`")
        }
        let masters = try loadMasterKeys(versions)
        let index = try read(Self.indexFile, length: GenericHash.keyLength)
        let signing = try read(Self.signingFile, length: SigningKeyPair.secretKeyLength)
        var signingBytes = signing.copyBytes()
        defer { Sodium.zero(&signingBytes) }
        let directory = self
        // The running service reads master keys again when it meets a version it lacks (RUNBOOKS: rotation).
        return KeyRing(masterKeys: masters, indexKey: index, signing: try SigningKeyPair.fromSecretKey(signingBytes),
                       reload: { try directory.checkPermissions(); return try directory.loadMasterKeys(directory.masterVersions()) })
    }

    func loadMasterKeys(_ versions: [Int]) throws -> [Int: SecretKey] {
        var masters: [Int: SecretKey] = [:]
        for v in versions {
            masters[v] = try read(Self.masterFile(v), length: AEAD.keyLength)
        }
        return masters
    }

    /// Refuses a directory or key file that group or others may read, write or enter.
    public func checkPermissions() throws {
        var st = stat()
        guard stat(url.path, &st) == 0 else {
            throw KeyDirectoryError("key directory \(url.path) not found; run `reconcile keys init --key-dir \(url.path)`")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw KeyDirectoryError("\(url.path) is not a directory") }
        if st.st_mode & 0o077 != 0 {
            throw KeyDirectoryError(String(format: "key directory %@ has mode %o; it must be 0700 (chmod 700 %@)",
                                           url.path, st.st_mode & 0o777, url.path))
        }
        for name in try existingKeyFiles() {
            let path = url.appendingPathComponent(name).path
            guard stat(path, &st) == 0 else { throw KeyDirectoryError("cannot read \(path)") }
            if st.st_mode & 0o077 != 0 {
                throw KeyDirectoryError(String(format: "key file %@ has mode %o; it must be 0600 (chmod 600 %@)",
                                               path, st.st_mode & 0o777, path))
            }
        }
    }

    func existingKeyFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".key") }.sorted()
    }

    func masterVersions() throws -> [Int] {
        try existingKeyFiles().compactMap { name -> Int? in
            guard name.hasPrefix("master-v"), name.hasSuffix(".key") else { return nil }
            return Int(name.dropFirst("master-v".count).dropLast(".key".count))
        }.sorted()
    }

    func read(_ name: String, length: Int) throws -> SecretKey {
        let path = url.appendingPathComponent(name).path
        guard var bytes = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            throw KeyDirectoryError("key file \(path) is missing")
        }
        defer { Sodium.zero(&bytes) }
        guard bytes.count == length else { throw KeyDirectoryError("key file \(path) has the wrong length") }
        return SecretKey(bytes: bytes)
    }

    /// Creates a new file with O_EXCL and mode 0600 from the start, so the key is never briefly readable.
    func writeNew(_ name: String, bytes key: SecretKey) throws {
        let path = url.appendingPathComponent(name).path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KeyDirectoryError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw KeyDirectoryError("cannot set 0600 on \(path)") }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard written == key.byteCount, fsync(fd) == 0 else { throw KeyDirectoryError("cannot write \(path)") }
        // The new name is durable only once the directory is synced.
        let dirFD = open(url.path, O_RDONLY | O_CLOEXEC)
        guard dirFD >= 0 else { throw KeyDirectoryError("cannot open \(url.path) to sync it") }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw KeyDirectoryError("cannot sync \(url.path)") }
    }
}
