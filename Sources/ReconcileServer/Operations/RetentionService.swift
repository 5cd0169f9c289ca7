import Foundation
import Logging
import ReconcileCore
import ReconcileStore
import ServiceLifecycle

/// Runs the retention sweep (due erasure requests, long-closed cases) once shortly after start and then
/// daily, inside the server, so a missed cron job cannot leave data past its time. It stops with the
/// server (graceful shutdown cancels the sleep); a sweep in progress finishes its transaction.
struct RetentionService: ServiceLifecycle.Service {
    let stores: Stores
    let policy: RetentionPolicy
    let logger: Logger
    var firstRunAfter: Duration = .seconds(60)
    var interval: Duration = .seconds(24 * 3600)

    func run() async throws {
        var wait = firstRunAfter
        while true {
            do {
                let pause = wait
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return  // shutting down
            }
            if Task.isCancelled { return }
            do {
                let report = try await stores.retention.runRetention(policy: policy)
                logger.notice("retention sweep done", metadata: ["erased": "\(report.erased)", "held_back": "\(report.heldBack)"])
            } catch {
                logger.error("retention sweep failed; will try again", metadata: ["error.type": "\(type(of: error))"])
            }
            wait = interval
        }
    }
}
