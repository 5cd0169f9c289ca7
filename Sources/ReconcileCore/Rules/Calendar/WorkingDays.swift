import Foundation

/// The acknowledgement target, counted in working days (SPEC "Case lifecycle": default 2, configurable).
///
/// Working days are Monday to Friday as the partner's staff see them, so days are reckoned in
/// Europe/London whatever the server's own time zone is. Bank holidays are NOT modelled: a referral
/// received before a bank holiday may be flagged overdue a day early. That errs towards earlier contact,
/// which is the safer mistake; a holiday calendar could be added as a policy file if the partner wants it.
public enum WorkingDays {
    public static let timeZone: TimeZone = {
        // The tz database ships with Foundation's ICU data and with every supported OS; without it we
        // cannot count days correctly at all, so failing loudly is better than using UTC quietly.
        guard let london = TimeZone(identifier: "Europe/London") else {
            preconditionFailure("time zone Europe/London is not available")
        }
        return london
    }()

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// The hour (0–23) in London at `date` (when the daily mail goes).
    public static func londonHour(_ date: Date) -> Int { calendar.component(.hour, from: date) }

    /// `YYYY-MM-DD` of the London day containing `date` (how listening-session days are stored).
    public static func londonDate(_ date: Date) -> String {
        if let day = LondonDayNumber.of(date) { return LondonDayNumber.text(day) }
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)  // always present for these components
    }

    /// The moment the target day ends: midnight (London) at the end of the `workingDays`-th working day
    /// after the day received. A case is overdue from this instant on.
    ///
    /// The day received does not count, and counting starts on the next working day, so a referral received
    /// on Friday evening, Saturday or Sunday has the same target (two working days: end of Tuesday).
    /// With `0` the target is the end of the day received, or of the next working day if it came in at the
    /// weekend. Negative values are treated as `0` (settings refuse them before this is reached).
    public static func deadline(receivedAt: Date, workingDays: Int) -> Date {
        // Day numbers, not Calendar steps: the desk works out hundreds of these per page, and each Calendar step
        // costs microseconds in ICU. The Calendar path below stays for instants outside the day numbers' range.
        if let received = LondonDayNumber.of(receivedAt) {
            var day = received
            if workingDays <= 0 {
                while LondonDayNumber.isWeekend(day) { day += 1 }
            } else {
                var counted = 0
                while counted < workingDays {
                    day += 1
                    if !LondonDayNumber.isWeekend(day) { counted += 1 }
                }
            }
            return LondonDayNumber.start(day + 1)
        }
        var day = calendar.startOfDay(for: receivedAt)
        if workingDays <= 0 {
            while isWeekend(day) { day = nextDay(day) }
        } else {
            var counted = 0
            while counted < workingDays {
                day = nextDay(day)
                if !isWeekend(day) { counted += 1 }
            }
        }
        return nextDay(day)
    }

    /// Working days (Monday to Friday, London) after the day `from` up to and including the day `to`, both
    /// `YYYY-MM-DD`: a reply the next Monday to a Friday's complaint took 1; a reply the same day took 0. Nil if
    /// either is not a date or `to` is before `from`.
    public static func workingDays(from: String, to: String) -> Int? {
        guard let start = day(from), let end = day(to), start <= end else { return nil }
        var count = 0, day = start
        while day < end {
            day = nextDay(day)
            if !isWeekend(day) { count += 1 }
        }
        return count
    }

    /// The start (London) of a `YYYY-MM-DD` day, or nil if it is not a real date.
    public static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              let date = calendar.date(from: DateComponents(year: y, month: m, day: d)), londonDate(date) == text else { return nil }
        return calendar.startOfDay(for: date)
    }

    /// A real `YYYY-MM-DD` day from 2000 on (what a form may send as a date).
    public static func isDay(_ text: String) -> Bool {
        day(text) != nil && text >= "2000-01-01"
    }

    /// The `YYYY-MM-DD` day `days` after the day `text` (negative: before), by the calendar.
    public static func day(_ days: Int, after text: String) -> String? {
        guard let start = day(text), let later = calendar.date(byAdding: .day, value: days, to: start) else { return nil }
        return londonDate(later)
    }

    /// The instant before which anything received is past its target at `now` (`isOverdue` exactly when
    /// `receivedAt < overdueBefore(now:workingDays:)`), so a count of overdue items is one index range. The target
    /// depends only on the London day received and grows with it: step back from today to the last day whose
    /// target has passed (a few steps: the working days and a weekend).
    public static func overdueBefore(now: Date, workingDays: Int) -> Date {
        guard var day = LondonDayNumber.of(now) else { return .distantPast }
        for _ in 0..<(max(0, workingDays) + 8) {
            if deadline(receivedAt: LondonDayNumber.start(day), workingDays: workingDays) <= now { return LondonDayNumber.start(day + 1) }
            day -= 1
        }
        return .distantPast   // a target further off than workingDays + 8 days cannot arise: working days are 5 in 7
    }

    /// Whether a case received at `receivedAt` and not yet acknowledged is past its target at `now`.
    public static func isOverdue(receivedAt: Date, now: Date, workingDays: Int) -> Bool {
        now >= deadline(receivedAt: receivedAt, workingDays: workingDays)
    }

    /// Calendar arithmetic, not 86 400 seconds, so the days either side of a clock change stay whole.
    private static func nextDay(_ startOfDay: Date) -> Date {
        guard let next = calendar.date(byAdding: .day, value: 1, to: startOfDay) else {
            preconditionFailure("calendar cannot add a day")
        }
        return calendar.startOfDay(for: next)
    }

    /// Saturday and Sunday, by weekday number rather than `isDateInWeekend`, which follows the locale.
    private static func isWeekend(_ date: Date) -> Bool {
        let weekday = calendar.component(.weekday, from: date)  // 1 = Sunday … 7 = Saturday
        return weekday == 1 || weekday == 7
    }
}
