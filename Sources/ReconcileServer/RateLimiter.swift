import Foundation

/// Counts events per key over a sliding window, in memory. One instance per rule.
/// A sliding window (rather than fixed clock-minute buckets) means a burst straddling a minute boundary
/// cannot get twice the limit. A restart forgets counts; that is acceptable for slowing abuse.
actor RateLimiter {
    let limit: Int
    let window: TimeInterval
    private var events: [String: [TimeInterval]] = [:]

    /// - Parameter limit: events allowed per window; 0 means unlimited.
    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Records one event for `key`. Returns nil when allowed, or the seconds until it would be.
    func record(_ key: String, now: Date = Date()) -> Int? {
        guard limit > 0 else { return nil }
        let t = now.timeIntervalSince1970
        if events.count > 50_000 { events = events.filter { ($0.value.last ?? 0) > t - window } }
        var recent = (events[key] ?? []).filter { $0 > t - window }
        guard recent.count < limit else {
            events[key] = recent
            return max(1, Int((recent[recent.count - limit] + window - t).rounded(.up)))
        }
        recent.append(t)
        events[key] = recent
        return nil
    }
}
