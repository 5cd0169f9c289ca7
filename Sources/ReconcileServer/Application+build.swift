import Foundation
import Hummingbird
import Logging
import ReconcileCore
import ReconcileStore

/// Everything the application needs, opened by the caller (the CLI or a test) so that tests can pass an
/// in-memory database and ephemeral keys.
public struct AppConfiguration: Sendable {
    public var settings: Settings
    public var database: AppDatabase
    public var keys: KeyRing
    public var logger: Logger

    public init(settings: Settings, database: AppDatabase, keys: KeyRing, logger: Logger = Logger(label: "reconcile")) {
        self.settings = settings
        self.database = database
        self.keys = keys
        self.logger = logger
    }
}

/// Builds the application; the executable runs it, tests drive it with Hummingbird's testing client.
public func buildApplication(configuration: AppConfiguration) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.settings.server.host, port: configuration.settings.server.port),
            serverName: "reconcile"
        ),
        logger: configuration.logger
    )
}

func buildRouter(configuration: AppConfiguration) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMiddleware(logger: configuration.logger))
    HealthController(database: configuration.database).addRoutes(to: router.group())
    return router
}
