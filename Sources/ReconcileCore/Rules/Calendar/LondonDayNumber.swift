import Foundation

/// London days as whole numbers (days since 1970-01-01), for the paths that reckon many days at once (the desk's
/// deadlines): integer steps instead of Calendar's, with the tz database still deciding the offset. London's clock
/// changes at 01:00 UTC, never near midnight, so a day's start is its UTC midnight less the offset in force then.
/// `WorkingDaysArithmeticTests` holds every answer to Calendar's over random instants and every clock change.
enum LondonDayNumber {
    /// 1900-01-01 to 9999-12-31: Calendar's Gregorian turns Julian before 1582 and its years grow a fifth digit
    /// after 9999; instants outside (none that a person enters) take the Calendar path.
    private static let range = -25_567...2_932_896

    /// The London day containing `date`, or nil for an instant too far away to reckon this way.
    static func of(_ date: Date) -> Int? {
        let local = date.timeIntervalSince1970 + Double(WorkingDays.timeZone.secondsFromGMT(for: date))
        let days = (local / 86_400).rounded(.down)
        guard days.isFinite, days >= Double(range.lowerBound), days <= Double(range.upperBound) else { return nil }
        return Int(days)
    }

    /// The instant the London day `day` begins.
    static func start(_ day: Int) -> Date {
        let midnightUTC = Date(timeIntervalSince1970: Double(day) * 86_400)
        return midnightUTC.addingTimeInterval(-Double(WorkingDays.timeZone.secondsFromGMT(for: midnightUTC)))
    }

    /// Saturday or Sunday (1970-01-01 was a Thursday).
    static func isWeekend(_ day: Int) -> Bool {
        let weekday = ((day + 4) % 7 + 7) % 7   // 0 = Sunday … 6 = Saturday
        return weekday == 0 || weekday == 6
    }

    /// `YYYY-MM-DD` of a day number.
    static func text(_ day: Int) -> String {
        let (year, month, dayOfMonth) = CivilDate.of(day: day)
        func padded(_ n: Int, _ width: Int) -> String {
            let digits = String(abs(n))
            return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(dayOfMonth, 2))"
    }
}

/// Year, month and day of a day number (days since 1970-01-01), proleptic Gregorian: Howard Hinnant's
/// civil-from-days, shared by the desk's London days and the audit log's UTC timestamps.
public enum CivilDate {
    public static func of(day: Int) -> (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth)
    }
}
