import Foundation

/// Where backups, restores and the backup cycle do their blocking work (copying every page, fsyncs, integrity
/// checks of whole files, directory listings of a remote mount): a dispatch queue, never Swift's cooperative
/// threads, which answer requests. Not the slow-work pool: that one is sized and bounded for Argon2 sign-ins, and
/// a backup taking seconds would hold one of its few workers (or be refused when its queue is full).
enum FileWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try work() }) }
        }
    }
}
