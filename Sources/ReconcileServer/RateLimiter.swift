import Foundation

/// Events counted per key over a sliding window, in memory; one instance per rule. Used both for intake
/// (every attempt counts) and for sign-in lockout (only failures count, per account/reference and per
/// address). A sliding window, unlike clock-minute buckets, gives a burst straddling a boundary no fresh
/// budget. A restart forgets counts; that is acceptable for slowing abuse, which is all a limit does.
actor RateLimiter {
    let limit: Int
    let window: TimeInterval
    private var events: [String: [TimeInterval]] = [:]

    /// - Parameter limit: events allowed per window; 0 means unlimited.
    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until an event under every one of `keys` would be allowed, or nil when it is allowed now.
    func retryAfter(_ keys: [String], now: Date = Date()) -> Int? {
        guard limit > 0 else { return nil }
        let t = now.timeIntervalSince1970
        let waits = keys.compactMap { key -> TimeInterval? in
            let recent = (events[key] ?? []).filter { $0 > t - window }
            guard recent.count >= limit else { return nil }
            return recent[recent.count - limit] + window - t
        }
        return waits.max().map { max(1, Int($0.rounded(.up))) }
    }

    /// Counts one event under each of `keys` (a sign-in failure, say).
    func recordFailure(_ keys: [String], now: Date = Date()) {
        guard limit > 0 else { return }
        let t = now.timeIntervalSince1970
        if events.count > 100_000 { events = events.filter { ($0.value.last ?? 0) > t - window } }
        for key in keys {
            var recent = (events[key] ?? []).filter { $0 > t - window }
            recent.append(t)
            events[key] = Array(recent.suffix(limit))
        }
    }

    /// Checks and counts one event under `key` (intake): nil when allowed, else the seconds to wait.
    func record(_ key: String, now: Date = Date()) -> Int? {
        if let wait = retryAfter([key], now: now) { return wait }
        recordFailure([key], now: now)
        return nil
    }

    func clear(_ key: String) { events[key] = nil }
}
