import Foundation

/// Failed sign-ins counted per account (or portal reference) and per client address over a sliding
/// window; past the limit every attempt is refused with 429 until the oldest failure leaves the window,
/// whether or not the next guess would be right (SPEC: lockout after repeated failures).
actor LoginThrottle {
    let limit: Int
    let window: TimeInterval
    private var failures: [String: [TimeInterval]] = [:]

    /// - Parameter limit: failures allowed per window; 0 means unlimited.
    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until an attempt under any of `keys` would be allowed, or nil when it is allowed now.
    func retryAfter(_ keys: [String], now: Date = Date()) -> Int? {
        guard limit > 0 else { return nil }
        let t = now.timeIntervalSince1970
        let waits = keys.compactMap { key -> TimeInterval? in
            let recent = (failures[key] ?? []).filter { $0 > t - window }
            guard recent.count >= limit else { return nil }
            return recent[recent.count - limit] + window - t
        }
        return waits.max().map { max(1, Int($0.rounded(.up))) }
    }

    func recordFailure(_ keys: [String], now: Date = Date()) {
        guard limit > 0 else { return }
        let t = now.timeIntervalSince1970
        if failures.count > 100_000 { failures = failures.filter { $0.value.last ?? 0 > t - window } }
        for key in keys {
            var recent = (failures[key] ?? []).filter { $0 > t - window }
            recent.append(t)
            failures[key] = Array(recent.suffix(limit))
        }
    }

    func clear(_ key: String) { failures[key] = nil }
}
