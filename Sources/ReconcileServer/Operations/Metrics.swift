import Foundation
import Hummingbird
import Prometheus
import ReconcileCore
import ReconcileStore
import Sodium

/// Operational metrics in Prometheus text format at `GET /metrics`. Labels are route templates
/// (`/api/v1/cases/{id}`), methods and status codes — never a path with an id in it, never personal data.
struct ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let referralsReceived: Counter

    init() {
        referralsReceived = registry.makeCounter(name: "reconcile_referrals_received_total",
                                                 help: "Referrals stored (idempotent replays not counted).")
    }

    func recordRequest(method: String, route: String, status: Int, seconds: Double) {
        let labels = [("method", method), ("route", route), ("status", "\(status)")]
        registry.makeCounter(name: "reconcile_http_requests_total", labels: labels, help: "HTTP requests by route template.").increment()
        registry.makeValueHistogram(name: "reconcile_http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
                                    help: "Time to answer, by route template.").record(seconds)
    }
}

/// Times every request and counts it under its route template; unmatched paths share one label
/// (Hummingbird names them "NotFound") so a
/// scanner cannot blow up the label set.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status, seconds: seconds)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }
}

/// `GET /metrics` (only with `metrics.token` presented as a Bearer token): request metrics plus gauges read from the database at scrape time (cases by stage,
/// overdue acknowledgements).
struct MetricsController {
    let metrics: ServiceMetrics
    let stores: Stores
    let settings: Settings
    var backupHealth: BackupHealth? = nil

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("metrics") { request, _ -> Response in
            // Live counts by stage and each referral's timing are not for whoever can reach the port: without
            // a configured token, or without it presented, the address does not exist (404, no hint of a token).
            // Compared in constant time.
            let expected = settings.metrics.token
            guard !expected.isEmpty, let given = request.bearerToken,
                  Sodium.constantTimeEquals(Array(given.utf8), Array(expected.utf8)) else {
                throw HTTPError(.notFound)
            }
            let snapshot = try await stores.cases.stageCounts(acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays)
            for stage in Stage.allCases {
                metrics.registry.makeGauge(name: "reconcile_cases", labels: [("stage", stage.rawValue)], help: "Cases by stage (erased included).")
                    .set(Double(snapshot.byStage[stage] ?? 0))
            }
            metrics.registry.makeGauge(name: "reconcile_acknowledgements_overdue", help: "Received cases past the acknowledgement target.")
                .set(Double(snapshot.overdue))
            if let backupHealth { recordBackup(backupHealth) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
    }

    /// Shipped backups, when on: the alert rule is `reconcile_backup_overdue == 1` (age past 2 × interval).
    private func recordBackup(_ health: BackupHealth) {
        let now = Date()
        let registry = metrics.registry
        registry.makeGauge(name: "reconcile_backup_last_good_age_seconds",
                           help: "Seconds since the last good shipped backup (since start when there was none yet).")
            .set(health.age(now: now) ?? health.sinceStart(now: now))
        registry.makeGauge(name: "reconcile_backup_last_good_timestamp_seconds", help: "Unix time of the last good shipped backup (0: none).")
            .set(health.lastGood?.timeIntervalSince1970 ?? 0)
        registry.makeGauge(name: "reconcile_backup_interval_seconds", help: "The configured backup interval.").set(health.interval)
        registry.makeGauge(name: "reconcile_backup_overdue", help: "1 when no good backup for more than 2 × the interval.")
            .set(health.warning(now: now) == nil ? 0.0 : 1.0)
        registry.makeGauge(name: "reconcile_backup_failures", help: "Failed backup cycles since start.").set(Double(health.failures))
    }
}
