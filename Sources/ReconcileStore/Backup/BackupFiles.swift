import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// POSIX file steps, outside `AppDatabase` so its own `open` does not hide the C function.
enum BackupFiles {
    /// Whether anything (even a dangling symbolic link) is at `path`.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Creates an empty file with O_EXCL and mode 0600, so the copy is never readable by anyone else.
    static func createPrivate(_ url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw BackupError.destinationExists(url.path) }
            throw BackupError.io("cannot create \(url.path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw BackupError.io("cannot set 0600 on \(url.path)") }
    }

    static func removeDatabaseFiles(_ url: URL) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(url.path + suffix) }
    }

    static func move(_ from: URL, to: URL) throws {
        guard rename(from.path, to.path) == 0 else {
            throw BackupError.io("cannot rename \(from.path) to \(to.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Hard-links `from` at `to`, failing if `to` exists; where the filesystem has no hard links, a rename
    /// after checking that `to` is free.
    static func linkNoReplace(_ from: URL, to: URL) throws {
        if link(from.path, to.path) == 0 {
            unlink(from.path)
            return
        }
        let code = errno
        if code == EEXIST { throw BackupError.destinationExists(to.path) }
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV else {
            throw BackupError.io("cannot create \(to.path): \(String(cString: strerror(code)))")
        }
        if exists(to.path) { throw BackupError.destinationExists(to.path) }
        try move(from, to: to)
    }

    /// fsync of a file or a directory (a directory entry is durable only once its directory is synced).
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError.io("cannot open \(path) to sync it") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BackupError.io("cannot sync \(path)") }
    }
}
