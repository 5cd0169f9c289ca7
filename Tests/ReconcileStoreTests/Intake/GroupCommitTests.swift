import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// Group commit for intake: referrals submitted together share one transaction, each keeps its own outcome,
/// and nobody is answered for a referral that was not committed.
@Suite struct GroupCommitTests {
    @Test func twoHundredConcurrentReferralsAreAllStoredInFewerTransactions() async throws {
        let directory = try TemporaryDirectory()
        let db = try AppDatabase.open(dataDirectory: directory.url, migrate: true)
        let keys = KeyRing.ephemeral()
        let before = db.intakeGroupCommit
        let receipts = try await withThrowingTaskGroup(of: IntakeReceipt.self) { group in
            for _ in 0..<200 {
                group.addTask { try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil) }
            }
            return try await group.reduce(into: [IntakeReceipt]()) { $0.append($1) }
        }
        #expect(receipts.count == 200)
        #expect(Set(receipts.map(\.caseID)).count == 200)
        #expect(Set(receipts.map(\.reference)).count == 200)
        #expect(receipts.allSatisfy { !$0.replayed })
        let stats = db.intakeGroupCommit
        #expect(stats.referrals - before.referrals == 200)
        #expect(stats.transactions - before.transactions < 200, "concurrent referrals share transactions: \(stats)")
        #expect(stats.largestBatch <= db.intakeBatcher.maximumBatch)
        #expect(stats.failedTransactions == 0)

        // Every receipt is in the file, as a fresh connection sees it.
        let reopened = try DatabaseQueue(path: AppDatabase.databaseURL(in: directory.url).path)
        let stored = try await reopened.read { db in try String.fetchSet(db, sql: "SELECT reference FROM referral_case") }
        #expect(stored == Set(receipts.map(\.reference)))
        for receipt in receipts.prefix(5) {
            let record = try #require(try IntakeStore(db, keys).caseRecord(id: receipt.caseID))
            #expect(try PassphraseVerifier.matches(record.passphraseHash, caseID: receipt.caseID, passphrase: receipt.passphrase, keys: keys))
        }
    }

    @Test func aLoneReferralIsCommittedAtOnceInItsOwnTransaction() async throws {
        let db = try AppDatabase.inMemory()
        let keys = KeyRing.ephemeral()
        for n in 1...3 {
            _ = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
            #expect(db.intakeGroupCommit.transactions == n)
        }
        #expect(db.intakeGroupCommit.largestBatch == 1)
    }

    @Test func aKeyReusedWithADifferentBodyInTheBatchFailsOnlyThatReferral() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        let results = try await inOneBatch(db, [
            Submission(),
            Submission(key: "reused", body: [1]),
            Submission(key: "reused", body: [2]),
            Submission(key: "other", body: [3]),
        ], keys: keys)
        #expect(db.intakeGroupCommit.transactions == 1 && db.intakeGroupCommit.largestBatch == 4)
        #expect(throws: IntakeError.idempotencyKeyReused) { try results[2].get() }
        let stored = try [0, 1, 3].map { try results[$0].get() }
        #expect(stored.allSatisfy { !$0.replayed })
        #expect(try await IntakeStore(db, keys).caseCount() == 3)
        let cases = try await db.reader.read { db in try CaseID.fetchSet(db, sql: "SELECT id FROM referral_case") }
        #expect(cases == Set(stored.map(\.caseID)))
        // The first use of the key still replays afterwards.
        let again = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: try IdempotencyClaim(key: "reused", body: [1], keys: keys))
        #expect(again == IntakeReceipt(caseID: stored[1].caseID, reference: stored[1].reference,
                                       passphrase: stored[1].passphrase, replayed: true))
    }

    @Test func theSameKeyTwiceInOneBatchStoresOneCaseAndReplaysItsReceipt() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        let results = try await inOneBatch(db, [
            Submission(key: "twice", body: [7]), Submission(), Submission(key: "twice", body: [7]),
        ], keys: keys)
        #expect(db.intakeGroupCommit.transactions == 1)
        let first = try results[0].get(), replay = try results[2].get()
        #expect(!first.replayed)
        #expect(replay == IntakeReceipt(caseID: first.caseID, reference: first.reference, passphrase: first.passphrase, replayed: true))
        #expect(try await IntakeStore(db, keys).caseCount() == 2)
        let keyRows = try await db.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency_key") }
        #expect(keyRows == 1)
    }

    @Test func aReferralRefusedByTheDatabaseFailsAloneAndTheOthersAreStored() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        try await db.writer.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_marked BEFORE INSERT ON referral_case WHEN NEW.council_area = 'refused-area'
                BEGIN SELECT RAISE(ABORT, 'marked row refused'); END
                """)
        }
        let results = try await inOneBatch(db, [Submission(), Submission(area: "refused-area"), Submission()], keys: keys)
        #expect(db.intakeGroupCommit.transactions == 1)
        #expect(throws: DatabaseError.self) { try results[1].get() }
        let stored = try [0, 2].map { try results[$0].get() }
        #expect(try await IntakeStore(db, keys).caseCount() == 2)
        // Nothing of the refused referral is left behind (its savepoint was rolled back).
        let orphanKeys = try await db.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_key WHERE case_id NOT IN (SELECT id FROM referral_case)")
        }
        #expect(orphanKeys == 0)
        #expect(Set(try await db.reader.read { db in try CaseID.fetchSet(db, sql: "SELECT id FROM referral_case") })
                == Set(stored.map(\.caseID)))
    }

    /// A deferred foreign key is only checked at COMMIT: a marked referral makes the batch's commit fail.
    @Test func aFailedCommitFailsEveryCallerOfTheBatchAndStoresNoneOfIt() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        try await db.writer.write { db in
            try db.execute(sql: """
                CREATE TABLE tripwire_parent (id INTEGER PRIMARY KEY);
                CREATE TABLE tripwire (parent INTEGER REFERENCES tripwire_parent(id) DEFERRABLE INITIALLY DEFERRED);
                CREATE TRIGGER trip AFTER INSERT ON referral_case WHEN NEW.council_area = 'tripwire-area'
                BEGIN INSERT INTO tripwire (parent) VALUES (1); END
                """)
        }
        let results = try await inOneBatch(db, [
            Submission(), Submission(key: "k", body: [1]), Submission(area: "tripwire-area"), Submission(),
        ], keys: keys)
        for result in results {
            #expect(throws: DatabaseError.self) { try result.get() }
        }
        #expect(try await IntakeStore(db, keys).caseCount() == 0)
        let keyRows = try await db.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency_key") }
        #expect(keyRows == 0)
        #expect(db.intakeGroupCommit.failedTransactions == 1 && db.intakeGroupCommit.transactions == 0)
        // The batcher carries on: the next referral, even with the same key, is stored.
        let next = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: try IdempotencyClaim(key: "k", body: [1], keys: keys))
        #expect(!next.replayed)
        #expect(try await IntakeStore(db, keys).caseCount() == 1)
    }

    /// An error that ends the transaction itself (here a trigger's ROLLBACK) fails the whole batch.
    @Test func anErrorThatEndsTheTransactionFailsTheWholeBatch() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        try await db.writer.write { db in
            try db.execute(sql: """
                CREATE TRIGGER rollback_marked BEFORE INSERT ON referral_case WHEN NEW.council_area = 'rollback-area'
                BEGIN SELECT RAISE(ROLLBACK, 'transaction ended'); END
                """)
        }
        let results = try await inOneBatch(db, [Submission(), Submission(area: "rollback-area"), Submission()], keys: keys)
        for result in results {
            #expect(throws: (any Error).self) { try result.get() }
        }
        #expect(try await IntakeStore(db, keys).caseCount() == 0)
        _ = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
        #expect(try await IntakeStore(db, keys).caseCount() == 1)
    }

    @Test func aBatchIsBoundedBySize() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        let count = db.intakeBatcher.maximumBatch + 6
        let results = try await inOneBatch(db, Array(repeating: Submission(), count: count), keys: keys)
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        #expect(db.intakeGroupCommit.transactions == 2)
        #expect(db.intakeGroupCommit.largestBatch == db.intakeBatcher.maximumBatch)
        #expect(try await IntakeStore(db, keys).caseCount() == count)
    }

    @Test func beyondTheQueueLimitAReferralIsRefusedAtOnceAndNothingOfItIsStored() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        IntakeStore(db, keys).setIntakeQueueLimit(3)
        let hold = try await WriterHold.hold(db.writer)
        var queued: [Task<IntakeReceipt, any Error>] = []
        for index in 0..<3 {
            queued.append(Task { try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil) })
            try await waitUntil { db.intakeBatcher.pendingCount == index + 1 }
        }
        // The writer is still held: these would wait without bound; they are refused at once instead.
        let refused = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do { _ = try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil); return false }
                    catch { return (error as? IntakeError) == .busy }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(refused == 10)
        hold.release()
        for task in queued { _ = try await task.value }
        #expect(try await IntakeStore(db, keys).caseCount() == 3)
    }

    @Test func closingCommitsWhatIsQueuedAndTakesNothingNew() async throws {
        let (db, directory) = try Self.fileDatabase()
        defer { withExtendedLifetime(directory) {} }
        let keys = KeyRing.ephemeral()
        let hold = try await WriterHold.hold(db.writer)
        var queued: [Task<IntakeReceipt, any Error>] = []
        for index in 0..<5 {
            queued.append(Task { try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil) })
            try await waitUntil { db.intakeBatcher.pendingCount == index + 1 }
        }
        let closing = Task { await IntakeStore(db, keys).finishIntake() }
        try await waitUntil { db.intakeBatcher.isClosed }
        await #expect(throws: IntakeError.closing) {
            try await IntakeStore(db, keys).submitReferral(Fixtures.referral(), idempotency: nil)
        }
        hold.release()
        await closing.value
        // close() returned only after every queued referral was committed and answered.
        for task in queued { #expect(!(try await task.value).replayed) }
        #expect(try await IntakeStore(db, keys).caseCount() == 5)
    }

    // MARK: - Lining up a batch

    /// A WAL database in a temporary directory, as served: its reads (the idempotency check before hashing) do
    /// not wait for the writer, which `inOneBatch` holds.
    static func fileDatabase() throws -> (AppDatabase, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        return (try AppDatabase.open(dataDirectory: directory.url, migrate: true), directory)
    }

    struct Submission {
        var key: String?
        var body: [UInt8] = []
        var area = "shropshire"
    }

    /// Holds the write lock, submits `submissions` one after another (so their order in the queue is known),
    /// waits until all are queued, then lets the writer go: they are committed together.
    func inOneBatch(_ db: AppDatabase, _ submissions: [Submission], keys: KeyRing) async throws -> [Result<IntakeReceipt, any Error>] {
        let hold = try await WriterHold.hold(db.writer)
        var tasks: [Task<IntakeReceipt, any Error>] = []
        for (index, submission) in submissions.enumerated() {
            let claim = try submission.key.map { try IdempotencyClaim(key: $0, body: submission.body, keys: keys) }
            let referral = Fixtures.referral(area: submission.area)
            tasks.append(Task {
                try await IntakeStore(db, keys).submitReferral(referral, idempotency: claim)
            })
            try await waitUntil { db.intakeBatcher.pendingCount == index + 1 }
        }
        hold.release()
        var results: [Result<IntakeReceipt, any Error>] = []
        for task in tasks { results.append(await task.result) }
        return results
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<4000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        Issue.record("timed out waiting")
        throw CancellationError()
    }
}

/// Keeps the database's writer busy until released, so that submissions queue up behind it.
final class WriterHold: @unchecked Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var held = false

    static func hold(_ writer: any DatabaseWriter) async throws -> WriterHold {
        let hold = WriterHold()
        Task.detached {
            try await writer.writeWithoutTransaction { _ in
                hold.lock.withLock { hold.held = true }
                hold.gate.wait()
            }
        }
        for _ in 0..<4000 where !hold.lock.withLock({ hold.held }) {
            try await Task.sleep(for: .milliseconds(2))
        }
        return hold
    }

    func release() { gate.signal() }
}
