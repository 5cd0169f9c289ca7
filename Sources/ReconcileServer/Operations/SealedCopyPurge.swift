import Foundation
import Logging
import ReconcileStore
import ServiceLifecycle

/// Clears the sealed passphrase copies kept for replays as their window ends (the form's
/// `limits.form_replay_minutes`, the API's 24 hours), checking every 30 seconds, instead of leaving them until
/// the next keyed referral happens to arrive. A replay never shows a copy past its window even before this runs.
/// Each round also forgets ended staff and family sessions.
struct SealedCopyPurge: ServiceLifecycle.Service {
    let stores: Stores
    let logger: Logger
    var interval: Duration = .seconds(30)

    func run() async throws {
        while true {
            do {
                try await stores.intake.purgeExpiredIdempotencyKeys()
            } catch {
                logger.error("sealed copy purge failed; will try again", metadata: ["error.type": "\(type(of: error))"])
            }
            do {
                // Ended sessions go too: the session tables would otherwise grow with every sign-in.
                try await stores.staff.pruneEndedSessions()
            } catch {
                logger.error("session pruning failed; will try again", metadata: ["error.type": "\(type(of: error))"])
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
