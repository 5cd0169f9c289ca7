import Foundation
import Logging
import ReconcileStore
import ServiceLifecycle

/// Deletes the sealed passphrase copies kept for `Idempotency-Key` retries as their 24-hour window ends,
/// checking every few minutes, instead of leaving them until the next keyed referral happens to arrive.
struct SealedCopyPurge: ServiceLifecycle.Service {
    let database: AppDatabase
    let logger: Logger
    var interval: Duration = .seconds(300)

    func run() async throws {
        while true {
            do {
                try await database.purgeExpiredIdempotencyKeys()
            } catch {
                logger.error("sealed copy purge failed; will try again", metadata: ["error.type": "\(type(of: error))"])
            }
            do {
                let pause = interval
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return  // shutting down
            }
            if Task.isCancelled { return }
        }
    }
}
