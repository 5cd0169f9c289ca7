import ReconcileStore
import ServiceLifecycle

/// Ties intake's group commit to the service's lifecycle: on SIGTERM (after the HTTP server has finished its
/// requests, since services stop in reverse order) no new referral is taken and everything already queued is
/// committed and answered before the process exits.
struct IntakeCommitService: Service {
    let stores: Stores

    func run() async throws {
        try? await gracefulShutdown()
        await stores.intake.finishIntake()
    }
}
