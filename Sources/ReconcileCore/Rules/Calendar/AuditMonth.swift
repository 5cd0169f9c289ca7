import Foundation

/// A calendar month as the partner's staff live it (Europe/London), `YYYY-MM`: the unit of the records check's
/// random sample. Its bounds are London midnights, so a case closed at 00:30 BST on 1 April is April's.
public struct AuditMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (2000...9999).contains(year), (1...12).contains(month) else { return nil }
        self.init(checkedYear: year, month: month)
    }

    /// For months computed from a valid one or from a date: stepping past the typed range must not trap.
    private init(checkedYear year: Int, month: Int) {
        (self.year, self.month) = (year, month)
    }

    /// `YYYY-MM` exactly (four digits, a dash, two digits); anything else is nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        self.init(year: year, month: month)
    }

    /// The London month containing `date`.
    public static func containing(_ date: Date) -> AuditMonth {
        let c = WorkingDays.calendar.dateComponents([.year, .month], from: date)
        return AuditMonth(checkedYear: c.year ?? 2000, month: c.month ?? 1)
    }

    /// London midnight at the start of the 1st.
    public var start: Date {
        // A Gregorian calendar gives a date for the first of any month; the fallback is only for the type checker.
        WorkingDays.calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? .distantFuture
    }

    /// The start of the next month (exclusive end of this one).
    public var end: Date { next.start }

    public var next: AuditMonth {
        month == 12 ? AuditMonth(checkedYear: year + 1, month: 1) : AuditMonth(checkedYear: year, month: month + 1)
    }

    public var previous: AuditMonth {
        month == 1 ? AuditMonth(checkedYear: year - 1, month: 12) : AuditMonth(checkedYear: year, month: month - 1)
    }

    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (a: AuditMonth, b: AuditMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
