import Foundation
import NIOConcurrencyHelpers

/// Which methods each route path answers, filled once the router is built, so that a request with the
/// wrong method on a real path gets 405 with `Allow` (HTTP's meaning) instead of a misleading 404.
final class RouteMethods: Sendable {
    private let table = NIOLockedValueBox<[(segments: [String], methods: Set<String>)]>([])

    /// `routes`: "METHOD /path/{capture}" descriptions, as `Router.routes` prints them.
    func fill(_ routes: [(method: String, path: String)]) {
        var byPath: [String: Set<String>] = [:]
        for route in routes { byPath[route.path, default: []].insert(route.method) }
        table.withLockedValue { $0 = byPath.map { (Self.segments($0.key), $0.value) } }
    }

    /// The methods answered at `path`, or empty when no route has that shape.
    func allowed(at path: String) -> Set<String> {
        let parts = Self.segments(path)
        return table.withLockedValue { table in
            table.reduce(into: Set<String>()) { found, entry in
                guard entry.segments.count == parts.count,
                      zip(entry.segments, parts).allSatisfy({ $0.hasPrefix("{") || $0.hasPrefix(":") || $0 == $1 }) else { return }
                found.formUnion(entry.methods)
            }
        }
    }

    private static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }
}
