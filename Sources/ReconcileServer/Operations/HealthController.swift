import Foundation
import Hummingbird
import ReconcileStore

/// `/healthz`: the process answers. `/readyz`: the database can be read, so requests can be served; an
/// overdue backup adds a `warning:` line but stays 200 (the service can still take referrals; the operator
/// must act, a load balancer must not take it out).
struct HealthController {
    let database: AppDatabase
    var backupHealth: BackupHealth? = nil
    /// Set when mail is on: a relay failing past `mail.alert_after_seconds` adds a warning line too.
    var mailHealth: MailHealthCheck? = nil

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("healthz") { _, _ in "ok\n" }
        group.get("readyz") { _, context -> Response in
            do {
                try await database.ping()
                var warning = backupHealth?.warning(now: Date()).map { "warning: \($0)\n" } ?? ""
                if let mail = await mailHealth?.warning() { warning += "warning: \(mail)\n" }
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "ready\n" + warning)))
            } catch {
                context.logger.warning("not ready: database unreadable", metadata: ["error.type": "\(type(of: error))"])
                return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "not ready\n")))
            }
        }
    }
}
