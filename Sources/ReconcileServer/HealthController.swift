import Hummingbird
import ReconcileStore

/// `/healthz`: the process answers. `/readyz`: the database can be read, so requests can be served.
struct HealthController {
    let database: AppDatabase

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("healthz") { _, _ in "ok\n" }
        group.get("readyz") { _, context -> Response in
            do {
                try await database.ping()
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                context.logger.warning("not ready: database unreadable", metadata: ["error.type": "\(type(of: error))"])
                return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "not ready\n")))
            }
        }
    }
}
