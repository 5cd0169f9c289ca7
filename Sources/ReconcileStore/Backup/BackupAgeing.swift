import Foundation

/// Which shipped backups to keep: the `keep` most recent, plus the newest of each UTC day for `keepDays` days.
/// Everything else is deleted — which is also how an erased family's data leaves the backups: within `keepDays`
/// (or sooner, once `keep` newer ones exist), every backup that still held it is gone.
public struct BackupAgeing: Sendable, Equatable {
    public var keep: Int
    public var keepDays: Int

    public init(keep: Int, keepDays: Int) {
        self.keep = keep
        self.keepDays = keepDays
    }

    /// The times (of `takenAt`) to delete, given the backups that exist now.
    public func toDelete(_ takenAt: [Date], now: Date) -> [Date] {
        let newestFirst = takenAt.sorted(by: >)
        var kept = Set(newestFirst.prefix(max(keep, 0)))
        let horizon = now.addingTimeInterval(-Double(keepDays) * 86_400)
        var daysSeen = Set<Int>()
        for date in newestFirst where date > horizon {
            let day = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
            if daysSeen.insert(day).inserted { kept.insert(date) }
        }
        return newestFirst.filter { !kept.contains($0) }
    }
}
