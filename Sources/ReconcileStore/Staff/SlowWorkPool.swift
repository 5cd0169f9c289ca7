import Foundation

/// The pool had no room: every worker busy and the queue full. Callers answer 503 + `Retry-After` at once.
public struct SlowWorkPoolFull: Error, Equatable {
    public let retryAfterSeconds: Int
}

/// A fixed set of threads of its own, with a bounded queue, for work too slow or too heavy for Swift's
/// cooperative executor (Argon2id at 256 MiB and 3 passes takes most of a second of one core). Running it
/// inline there let a burst of sign-ins starve every other request; here at most `workers` run at once (so
/// memory stays at most workers × the hash's memory cost), at most `queueLimit` wait, and the rest are
/// refused at once rather than left waiting.
public final class SlowWorkPool: @unchecked Sendable {
    public let workers: Int
    public let queueLimit: Int
    private let core: Core

    /// - Parameters:
    ///   - workers: threads; 0 means one fewer than the processor count, at least 1.
    ///   - queueLimit: jobs allowed to wait while every worker is busy.
    public init(workers: Int = 0, queueLimit: Int = 16, name: String = "slow-work") {
        let resolved = workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        self.workers = resolved
        self.queueLimit = max(0, queueLimit)
        core = Core(capacity: resolved + max(0, queueLimit))
        for index in 0..<resolved {
            let thread = Thread { [core] in core.workLoop() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    // Threads hold only the core; when the last user lets go of the pool, they finish and exit.
    deinit { core.stop() }

    /// A process-wide pool with the default size, for callers that are not handed the service's own
    /// (command-line tools, tests).
    public static let shared = SlowWorkPool(name: "slow-work-shared")

    /// Most jobs seen running at the same time (tests check the bound).
    public var peakConcurrency: Int { core.peak }

    /// Runs `work` on one of the pool's threads and returns its result, or throws `SlowWorkPoolFull` at once
    /// when every worker is busy and `queueLimit` jobs already wait.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = core.enqueue { continuation.resume(with: Result { try work() }) }
            if !accepted { continuation.resume(throwing: SlowWorkPoolFull(retryAfterSeconds: 1)) }
        }
    }

    private final class Core: @unchecked Sendable {
        let capacity: Int
        private let condition = NSCondition()
        // Guarded by `condition`.
        private var queue: [() -> Void] = []
        private var running = 0
        private var peakRunning = 0
        private var stopped = false

        init(capacity: Int) { self.capacity = capacity }

        var peak: Int { condition.withLock { peakRunning } }

        /// False when running + waiting jobs already fill the pool.
        func enqueue(_ job: @escaping () -> Void) -> Bool {
            condition.withLock {
                guard running + queue.count < capacity else { return false }
                queue.append(job)
                condition.signal()
                return true
            }
        }

        func stop() {
            condition.withLock {
                stopped = true
                condition.broadcast()
            }
        }

        func workLoop() {
            while true {
                condition.lock()
                while queue.isEmpty && !stopped { condition.wait() }
                if queue.isEmpty { condition.unlock(); return }
                let job = queue.removeFirst()
                running += 1
                peakRunning = max(peakRunning, running)
                condition.unlock()
                job()
                condition.withLock { running -= 1 }
            }
        }
    }
}
