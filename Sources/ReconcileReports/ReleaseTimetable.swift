import Foundation
import ReconcileCore

/// When each quarter's report is due (`reporting.release_days_after_quarter`): on that day after the quarter ends,
/// counting the quarter's first following day as day 1 (30: Q1, April to June, is due on 30 July). Shown to leads as
/// what is due and on the spreadsheet's cover as the next release.
public struct ReleaseTimetable: Sendable, Equatable {
    public let startMonth: Int
    public let daysAfterQuarter: Int

    public init(startMonth: Int, daysAfterQuarter: Int) {
        (self.startMonth, self.daysAfterQuarter) = (startMonth, daysAfterQuarter)
    }

    public init(_ settings: Settings) {
        self.init(startMonth: settings.reporting.quarterStartMonth, daysAfterQuarter: settings.reporting.releaseDaysAfterQuarter)
    }

    /// The London day `quarter`'s report is due, as an instant (its midnight).
    public func due(_ quarter: Quarter) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = WorkingDays.timeZone
        let end = quarter.end(startMonth: startMonth)
        return calendar.date(byAdding: .day, value: daysAfterQuarter - 1, to: end) ?? end
    }

    /// "30 July 2026".
    public func dueWords(_ quarter: Quarter) -> String { Self.day(due(quarter)) }

    /// The next release after the one of `quarter`: the following quarter's, with its date.
    public func nextRelease(after quarter: Quarter) -> String {
        "\(quarter.next) (\(ReleaseKind.months(from: quarter.next, to: quarter.next, startMonth: startMonth))), due \(dueWords(quarter.next))"
    }

    /// Quarters ended by `now` whose reports are due, newest first, from the last `back` quarters.
    public func endedQuarters(before now: Date, back: Int = 4) -> [Quarter] {
        var quarter = Quarter.containing(now, startMonth: startMonth).previous
        var out: [Quarter] = []
        for _ in 0..<back { out.append(quarter); quarter = quarter.previous }
        return out
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .long, time: .omitted, locale: Locale(identifier: "en_GB"), timeZone: WorkingDays.timeZone))
    }
}
