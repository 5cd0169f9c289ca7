import Foundation
import GRDB
import ReconcileCore

// Group commit for intake. Every referral must be on disk (`synchronous = FULL`, one fsync of the WAL per
// commit) before the family is answered, so one transaction per referral caps intake at the disk's fsync
// rate. Referrals that arrive while a commit is in flight wait in `pending`; when the writer becomes free,
// the next write transaction takes everything pending (up to `maximumBatch`) and commits it with ONE fsync.
// Nobody is answered before that commit returns. There is no artificial delay: a lone referral on an idle
// service is committed at once, exactly as before.
//
// Per-referral semantics are kept inside the shared transaction: each referral runs in its own SAVEPOINT,
// so one that fails (an Idempotency-Key reused with a different body, a constraint) is rolled back alone and
// only its caller gets the error. A second submission with the same key later in the same batch sees the
// first one's row (same transaction) and replays its receipt. If the transaction itself fails (the commit,
// or an error that ends the transaction such as a full disk), every caller of that batch gets the error and
// none of its referrals is stored. A transaction that failed before it took a batch (BEGIN refused) is tried
// once more before anyone is told.
//
// The queue is bounded (`queueLimit`): in a flood, a referral beyond it is refused at once (`IntakeError.busy`,
// 503 + Retry-After) instead of waiting behind hundreds of others until the client gives up. `close()` (the
// `IntakeCommitService` calls it on SIGTERM) stops taking new referrals and returns once what was queued is
// committed and answered.

/// A referral ready to be stored, its case id drawn and its passphrase verifier made outside the write lock.
struct PendingReferral: Sendable {
    let referral: Referral
    let idempotency: IdempotencyClaim?
    let caseID: CaseID
    let passphrase: String
    let passphraseVerifier: String
    let keys: KeyRing
    let receivedAt: Date
    /// The practitioner or lead who took it by phone, post or in person; nil for the family's own.
    var enteredBy: StaffActor? = nil
}

/// How intake commits have gone since the database was opened (for tests and benchmarks).
struct GroupCommitStatistics: Sendable, Equatable {
    /// Write transactions committed by the batcher.
    var transactions = 0
    /// Write transactions that failed as a whole (every caller in them got the error).
    var failedTransactions = 0
    /// Referrals handled in committed transactions (stored, replayed or refused alone).
    var referrals = 0
    var largestBatch = 0
}

/// Collects concurrently submitted referrals and commits them in small batches, one transaction each.
final class IntakeBatcher: @unchecked Sendable {
    typealias Outcome = Result<IntakeReceipt, any Error>

    fileprivate struct Waiter {
        let item: PendingReferral
        let continuation: CheckedContinuation<IntakeReceipt, any Error>
    }

    /// At most this many referrals share one transaction (bounds the time each caller waits for it).
    let maximumBatch: Int
    private let lock = NSLock()
    // Everything below is guarded by `lock`.
    private var pending: [Waiter] = []
    private var inFlight: [Waiter] = []
    private var draining = false
    private var closed = false
    private var queueLimit: Int
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var stats = GroupCommitStatistics()

    init(maximumBatch: Int = 64, queueLimit: Int = 256) {
        precondition(maximumBatch >= 1)
        self.maximumBatch = maximumBatch
        self.queueLimit = max(1, queueLimit)
    }

    /// Referrals allowed to wait for the writer; more are refused with `IntakeError.busy`.
    func setQueueLimit(_ limit: Int) { lock.withLock { queueLimit = max(1, limit) } }

    /// Takes no new referrals from now on and returns once every queued one has been committed and answered.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle: Bool = lock.withLock {
                closed = true
                if !draining && pending.isEmpty { return true }
                idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    var statistics: GroupCommitStatistics { lock.withLock { stats } }
    /// True once `close()` was called.
    var isClosed: Bool { lock.withLock { closed } }
    /// Referrals waiting for the writer (tests use it to line up a batch).
    var pendingCount: Int { lock.withLock { pending.count } }

    /// Stores `item` in the next group commit and returns once that transaction has committed (or failed).
    func submit(_ item: PendingReferral, writer: any DatabaseWriter) async throws -> IntakeReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let admission: Result<Bool, IntakeError> = lock.withLock {
                if closed { return .failure(.closing) }
                if pending.count >= queueLimit { return .failure(.busy) }
                pending.append(Waiter(item: item, continuation: continuation))
                if draining { return .success(false) }
                draining = true
                return .success(true)
            }
            switch admission {
            case .failure(let refusal): continuation.resume(throwing: refusal)
            case .success(true): Task.detached { await self.drain(writer) }
            case .success(false): break
            }
        }
    }

    /// Commits batches until nothing is pending. Only one drain runs at a time per database.
    private func drain(_ writer: any DatabaseWriter) async {
        var retriedBegin = false
        while true {
            var failure: (any Error)?
            var outcomes: [Outcome] = []
            do {
                outcomes = try await writer.write { db in
                    // Take the batch only now that this connection holds the write lock: everything that
                    // arrived while the previous commit was being fsynced goes into this one.
                    let batch = self.takeBatch()
                    return try Self.store(db, batch)
                }
            } catch {
                failure = error
            }
            if failure != nil, !retriedBegin, lock.withLock({ inFlight.isEmpty }) {
                // BEGIN itself failed (nothing was taken): one more try before anyone gets the error.
                retriedBegin = true
                continue
            }
            retriedBegin = false
            let (waiters, more, idle): ([Waiter], Bool, [CheckedContinuation<Void, Never>]) = lock.withLock {
                var waiters = inFlight
                inFlight = []
                if failure != nil, waiters.isEmpty {
                    // The transaction failed before it took a batch (e.g. BEGIN refused): fail the next batch
                    // rather than retrying forever.
                    waiters = Array(pending.prefix(maximumBatch))
                    pending.removeFirst(waiters.count)
                }
                if failure == nil {
                    stats.transactions += 1
                    stats.referrals += waiters.count
                    stats.largestBatch = max(stats.largestBatch, waiters.count)
                } else {
                    stats.failedTransactions += 1
                }
                var idle: [CheckedContinuation<Void, Never>] = []
                if pending.isEmpty {
                    draining = false
                    idle = idleWaiters
                    idleWaiters = []
                }
                return (waiters, !pending.isEmpty, idle)
            }
            // Answer only after the commit returned: a receipt handed out here is on disk.
            for (index, waiter) in waiters.enumerated() {
                if let failure {
                    waiter.continuation.resume(throwing: failure)
                } else {
                    waiter.continuation.resume(with: outcomes[index])
                }
            }
            for waiter in idle { waiter.resume() }
            if !more { return }
        }
    }

    private func takeBatch() -> [PendingReferral] {
        lock.withLock {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            inFlight = batch
            return batch.map(\.item)
        }
    }

    /// Stores each referral in its own savepoint inside the caller's transaction; returns one outcome per item.
    static func store(_ db: Database, _ batch: [PendingReferral]) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(batch.count)
        for item in batch {
            var receipt: IntakeReceipt?
            do {
                try db.inSavepoint {
                    receipt = try AppDatabase.storeReferral(db, item)
                    return .commit
                }
                guard let receipt else { throw StoreError.integrity("a referral's savepoint committed without a receipt") }
                outcomes.append(.success(receipt))
            } catch {
                // An error that ended the whole transaction (full disk, I/O error, ROLLBACK) leaves nothing to
                // commit: fail the batch so that no caller is told its referral was stored.
                guard db.isInsideTransaction else { throw error }
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }
}

extension AppDatabase {
    /// Group-commit figures for this database's intake (tests and benchmarks).
    var intakeGroupCommit: GroupCommitStatistics { intakeBatcher.statistics }
}

extension IntakeStore {
    /// Bounds the group-commit queue (`limits.intake_queue`).
    public func setIntakeQueueLimit(_ limit: Int) { database.intakeBatcher.setQueueLimit(limit) }

    /// Stops taking referrals and returns once every queued one is committed and answered (shutdown).
    public func finishIntake() async { await database.intakeBatcher.close() }
}
