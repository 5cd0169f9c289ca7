import Foundation
import Logging
import NIOConcurrencyHelpers
import ReconcileStore
import ServiceLifecycle

/// Ships encrypted backups to `backup.target_dir` every `backup.interval_seconds` while the server runs
/// (`ShippedBackups.runCycle`: online backup, integrity check, secretstream encryption, atomic write, ageing;
/// a cycle with no commit since the last backup writes nothing). The store runs the file work on a dispatch
/// queue, off the cooperative threads that answer requests. When the server stops gracefully it ships one last
/// backup of what was committed (nothing if nothing changed), waiting at most `finalTimeout`: a hung backup mount
/// must not hold the shutdown. It is listed before the intake commit service, so it stops after that one has
/// committed every queued referral.
struct BackupService: ServiceLifecycle.Service {
    let database: AppDatabase
    let target: ShippedBackups
    let key: BackupKey
    let ageing: BackupAgeing
    let health: BackupHealth
    let logger: Logger
    var finalTimeout: Duration = .seconds(30)

    func run() async throws {
        let watcher = try await database.changeWatcher()
        await database.removeLeftoverBackupStaging()
        // After a restart the newest backup already in the target counts, so health does not start at zero
        // and the first cycle waits out the rest of its interval.
        if let confirmed = try? await target.lastConfirmed() { health.recordGood(at: confirmed) }
        var marker: Int?
        var wait = max(0, health.interval - (health.age(now: Date()) ?? health.interval))
        while true {
            do {
                let pause = Duration.milliseconds(Int(wait * 1000))
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                await finalBackup(watcher: watcher, lastMarker: marker)
                return
            }
            if Task.isCancelled { return }
            let began = Date()
            do {
                let (outcome, next) = try await target.runCycle(database, watcher: watcher, lastMarker: marker, key: key, ageing: ageing)
                marker = next
                recordGood(outcome, began: began)
            } catch {
                health.recordFailure()
                // BackupError and SQLite messages name paths and causes, never data.
                // Type and code only, as for every other error: a description may quote SQL or a path's contents.
                logger.error("backup failed; will try again next cycle",
                             metadata: ["error.type": "\(type(of: error))", "error.code": "\((error as NSError).code)"])
            }
            if let alert = health.warning(now: Date()) { logger.critical("\(alert)") }
            // Cycles start at a fixed rate, so the recovery point stays interval + one backup's duration.
            wait = max(0, health.interval - Date().timeIntervalSince(began))
        }
    }

    private func recordGood(_ outcome: BackupCycleOutcome, began: Date) {
        health.recordGood(at: Date())
        guard case .shipped(let backup, let removed) = outcome else { return }
        logger.info("backup shipped", metadata: [
            "backup.file": "\(backup.url.lastPathComponent)", "backup.cases": "\(backup.cases)",
            "backup.bytes": "\(backup.bytes)", "backup.removed": "\(removed.count)",
            "backup.seconds": "\(String(format: "%.3f", Date().timeIntervalSince(began)))"])
    }

    private enum FinalOutcome: Sendable { case done(BackupCycleOutcome), failed(String), timedOut }

    /// The last cycle, at shutdown. The cycle runs in a task of its own, raced against the timeout: its file work
    /// cannot be interrupted, and a task group would wait for it however long a dead mount keeps it.
    private func finalBackup(watcher: ChangeWatcher, lastMarker: Int?) async {
        let began = Date()
        let (target, database, key, ageing, timeout) = (self.target, self.database, self.key, self.ageing, finalTimeout)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<FinalOutcome, Never>) in
            let answered = NIOLockedValueBox(false)
            let finish: @Sendable (FinalOutcome) -> Void = { outcome in
                if answered.withLockedValue({ done in defer { done = true }; return !done }) { continuation.resume(returning: outcome) }
            }
            Task {
                do { finish(.done(try await target.runCycle(database, watcher: watcher, lastMarker: lastMarker, key: key, ageing: ageing).0)) }
                catch { finish(.failed("\(type(of: error))")) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                finish(.timedOut)
            }
        }
        switch outcome {
        case .done(let cycle):
            recordGood(cycle, began: began)
            logger.info("final backup at shutdown", metadata: ["backup.shipped": "\(cycle != .unchanged)"])
        case .failed(let type):
            logger.error("final backup at shutdown failed", metadata: ["error.type": "\(type)"])
        case .timedOut:
            logger.error("final backup at shutdown did not finish in time; stopping without it",
                         metadata: ["backup.timeout_seconds": "\(timeout.components.seconds)"])
        }
    }
}

/// The last good backup, shared by the backup service with `/readyz` and `/metrics`. "Good" means the newest
/// shipped backup held everything committed at that moment: a backup was written, or nothing had changed.
final class BackupHealth: Sendable {
    let interval: TimeInterval
    private let started: Date
    private let state = NIOLockedValueBox<(lastGood: Date?, failures: Int)>((nil, 0))

    init(interval: TimeInterval, started: Date = Date()) {
        self.interval = interval
        self.started = started
    }

    func recordGood(at date: Date) { state.withLockedValue { $0.lastGood = max($0.lastGood ?? date, date) } }
    func recordFailure() { state.withLockedValue { $0.failures += 1 } }

    func sinceStart(now: Date) -> TimeInterval { max(0, now.timeIntervalSince(started)) }

    var lastGood: Date? { state.withLockedValue { $0.lastGood } }
    var failures: Int { state.withLockedValue { $0.failures } }

    /// Seconds since the last good backup; nil before the first.
    func age(now: Date) -> TimeInterval? { lastGood.map { max(0, now.timeIntervalSince($0)) } }

    /// The alert past two intervals without a good backup (or without any since start), else nil.
    func warning(now: Date) -> String? {
        let limit = 2 * interval
        if let age = age(now: now) {
            guard age > limit else { return nil }
            return "backup overdue: the last good backup is \(Int(age)) s old (alert past \(Int(limit)) s)"
        }
        guard now.timeIntervalSince(started) > limit else { return nil }
        return "backup overdue: no good backup since the service started \(Int(now.timeIntervalSince(started))) s ago"
    }
}
