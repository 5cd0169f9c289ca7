import Foundation

/// Events counted per key over a sliding window, in memory; one instance per rule. Used both for intake
/// (every attempt counts) and for sign-in lockout (only failures count, per account/reference and per
/// address). A sliding window, unlike clock-minute buckets, gives a burst straddling a boundary no fresh
/// budget. A restart forgets counts; that is acceptable for slowing abuse, which is all a limit does.
actor RateLimiter {
    let limit: Int
    let window: TimeInterval
    private var events: [String: [TimeInterval]] = [:]
    /// The wall clock in service; the application's clock, so a test can hold time still (a slow run, under a
    /// sanitizer, would otherwise see its window expire mid-burst) or move it past the window without sleeping.
    private let clock: @Sendable () -> Date

    /// - Parameter limit: events allowed per window; 0 means unlimited.
    init(limit: Int, window: TimeInterval, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Seconds until an event under every one of `keys` would be allowed, or nil when it is allowed now.
    func retryAfter(_ keys: [String], now: Date? = nil) -> Int? {
        guard limit > 0 else { return nil }
        let t = (now ?? clock()).timeIntervalSince1970
        let waits = keys.compactMap { key -> TimeInterval? in
            let recent = (events[key] ?? []).filter { $0 > t - window }
            guard recent.count >= limit else { return nil }
            return recent[recent.count - limit] + window - t
        }
        return waits.max().map { max(1, Int($0.rounded(.up))) }
    }

    /// Counts one event under each of `keys` (a sign-in failure, say).
    func recordFailure(_ keys: [String], now: Date? = nil) {
        guard limit > 0 else { return }
        let t = (now ?? clock()).timeIntervalSince1970
        if events.count > 100_000 { events = events.filter { ($0.value.last ?? 0) > t - window } }
        for key in keys {
            var recent = (events[key] ?? []).filter { $0 > t - window }
            recent.append(t)
            events[key] = Array(recent.suffix(limit))
        }
    }

    /// Checks and counts one event under `key` (intake): nil when allowed, else the seconds to wait.
    func record(_ key: String, now: Date? = nil) -> Int? {
        switch reserve([key], now: now) {
        case .success: return nil
        case .failure(let wait): return wait.seconds
        }
    }

    /// One attempt counted, before its outcome is known; hand it back with `refund` if it succeeded.
    struct Reservation: Sendable {
        let keys: [String]
        let at: TimeInterval
    }

    /// Counts one attempt under every one of `keys` now, before it is verified, or refuses it (the seconds to
    /// wait) when any key is at its limit. Checking and counting in one actor step is what makes a lockout hold
    /// under a parallel burst: counting only after a slow verification let 54 of 60 concurrent guesses through
    /// a limit of 10.
    func reserve(_ keys: [String], now: Date? = nil) -> Result<Reservation, RetryAfter> {
        let now = now ?? clock()
        if let wait = retryAfter(keys, now: now) { return .failure(RetryAfter(seconds: wait)) }
        recordFailure(keys, now: now)
        return .success(Reservation(keys: keys, at: now.timeIntervalSince1970))
    }

    /// Takes back an attempt that succeeded (or was never verified: the service was busy).
    func refund(_ reservation: Reservation) {
        guard limit > 0 else { return }
        for key in reservation.keys {
            guard var recent = events[key], let index = recent.lastIndex(of: reservation.at) else { continue }
            recent.remove(at: index)
            events[key] = recent.isEmpty ? nil : recent
        }
    }

    struct RetryAfter: Error { let seconds: Int }

    func clear(_ key: String) { events[key] = nil }
}
