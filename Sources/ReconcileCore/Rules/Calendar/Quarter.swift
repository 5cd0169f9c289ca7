import Foundation

/// A financial quarter, named by the year in which its financial year starts: with the default April
/// start, `2026-Q1` is April–June 2026 and `2026-Q4` is January–March 2027 (SPEC "Quarterly feedback").
/// Boundaries are midnights in Europe/London, the time the service's families and staff live in.
public struct Quarter: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let number: Int

    public init?(year: Int, number: Int) {
        guard (2000...2999).contains(year), (1...4).contains(number) else { return nil }
        self.init(checkedYear: year, number: number)
    }

    /// For quarters computed from a valid one or from a date (the quarter after 2999-Q4, a clock far off):
    /// the range above bounds what people may type, never arithmetic, so stepping past it cannot trap.
    private init(checkedYear year: Int, number: Int) {
        self.year = year
        self.number = number
    }

    /// Parses `YYYY-QN` exactly (no spaces, upper-case Q).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCII), let year = Int(parts[0]),
              parts[1].count == 2, parts[1].first == "Q", let number = Int(parts[1].dropFirst()) else { return nil }
        self.init(year: year, number: number)
    }

    public var description: String { "\(year)-Q\(number)" }

    public static func < (a: Quarter, b: Quarter) -> Bool { (a.year, a.number) < (b.year, b.number) }

    static var london: TimeZone { WorkingDays.timeZone }

    /// First instant of the quarter.
    public func start(startMonth: Int) -> Date {
        let monthIndex = (startMonth - 1) + (number - 1) * 3   // months after January of `year`
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.london
        // A Gregorian calendar gives a date for the first of any month; the fallback is only for the type checker.
        return calendar.date(from: DateComponents(year: year + monthIndex / 12, month: monthIndex % 12 + 1, day: 1)) ?? .distantFuture
    }

    /// First instant after the quarter (the next quarter's start).
    public func end(startMonth: Int) -> Date { next.start(startMonth: startMonth) }

    public var next: Quarter { number == 4 ? Quarter(checkedYear: year + 1, number: 1) : Quarter(checkedYear: year, number: number + 1) }

    public var previous: Quarter { number == 1 ? Quarter(checkedYear: year - 1, number: 4) : Quarter(checkedYear: year, number: number - 1) }

    /// The same quarter a year earlier.
    public var yearBefore: Quarter { Quarter(checkedYear: year - 1, number: number) }

    /// The quarter containing `date`.
    public static func containing(_ date: Date, startMonth: Int) -> Quarter {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = london
        let parts = calendar.dateComponents([.year, .month], from: date)
        let month = parts.month ?? startMonth, calendarYear = parts.year ?? 2000
        let offset = (month - startMonth + 12) % 12
        let year = month >= startMonth ? calendarYear : calendarYear - 1
        return Quarter(checkedYear: year, number: offset / 3 + 1)
    }

    /// The quarters of this financial year up to and including this one (for year-to-date views).
    public var yearToDate: [Quarter] { (1...number).map { Quarter(checkedYear: year, number: $0) } }
}
