import Foundation

/// Counts events per key in fixed one-window buckets, in memory. One instance per rule.
/// A restart forgets counts; that is acceptable for slowing abuse, which is all a rate limit does.
actor RateLimiter {
    let limit: Int
    let window: TimeInterval
    private var buckets: [String: (start: TimeInterval, count: Int)] = [:]

    /// - Parameter limit: events allowed per window; 0 means unlimited.
    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Records one event for `key`. Returns nil when allowed, or the seconds until it would be.
    func record(_ key: String, now: Date = Date()) -> Int? {
        guard limit > 0 else { return nil }
        let t = now.timeIntervalSince1970
        let start = (t / window).rounded(.down) * window
        if buckets.count > 50_000 { buckets = buckets.filter { $0.value.start >= start } }
        var bucket = buckets[key] ?? (start, 0)
        if bucket.start != start { bucket = (start, 0) }
        guard bucket.count < limit else { return max(1, Int((start + window - t).rounded(.up))) }
        bucket.count += 1
        buckets[key] = bucket
        return nil
    }
}
