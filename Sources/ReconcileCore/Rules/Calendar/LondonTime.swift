import Foundation

/// Appointment times: kept as UTC instants, entered and shown in Europe/London, right across the clock changes.
///
/// A London wall time can name no instant (01:30 on the last Sunday of March: the clocks go from 01:00 to
/// 02:00) or two (01:30 on the last Sunday of October happens in BST and again in GMT). The first is refused;
/// the second is read as the FIRST 01:30 (BST, +01:00), the one a person who writes "01:30" that night has
/// usually not yet lived through, and shown with its zone ("01:30 BST") so nobody is misled. The API takes an
/// explicit offset, so the later 01:30 can still be booked there.
public enum LondonTime {
    /// A London wall time that the clocks skip.
    public enum Problem: Error, Equatable, Sendable {
        /// Not `YYYY-MM-DD` and `HH:MM`, or not a real date or time.
        case malformed
        /// The clocks go forward past it (the last Sunday of March).
        case doesNotExist
    }

    static var calendar: Calendar { WorkingDays.calendar }

    /// The instant of London wall time `date` (`YYYY-MM-DD`) `time` (`HH:MM`); an ambiguous time is the first.
    public static func instant(date: String, time: String) throws(Problem) -> Date {
        guard let wall = wallClock(date: date, time: time) else { throw .malformed }
        let found = candidates(wall)
        guard let first = found.first else { throw .doesNotExist }
        return first
    }

    /// Whether the London wall time at `instant` happens twice that night (it is then shown with its zone).
    public static func isAmbiguous(_ instant: Date) -> Bool {
        let offset = WorkingDays.timeZone.secondsFromGMT(for: instant)
        return candidates(instant.addingTimeInterval(TimeInterval(offset))).count > 1
    }

    /// "BST" or "GMT" at `instant`.
    public static func zoneName(_ instant: Date) -> String {
        WorkingDays.timeZone.isDaylightSavingTime(for: instant) ? "BST" : "GMT"
    }

    /// `HH:MM` in London at `instant`.
    public static func clockTime(_ instant: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// RFC 3339 with an explicit offset (`Z` or `±HH:MM`), seconds optional (fractions refused: appointments are
    /// to the minute). Nil for anything else, a local time without an offset included: that would be a guess.
    public static func parseInstant(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count, range.allSatisfy({ (48...57).contains(b[$0]) }) else { return nil }
            return Int(String(decoding: b[range], as: UTF8.self))
        }
        func at(_ i: Int, _ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue }
        guard b.count >= 17, b.count <= 25, let y = digits(0..<4), at(4, "-"), let mo = digits(5..<7), at(7, "-"), let d = digits(8..<10),
              at(10, "T") || at(10, "t"), let h = digits(11..<13), at(13, ":"), let mi = digits(14..<16) else { return nil }
        var i = 16, s = 0
        if at(i, ":") {
            guard let sec = digits(17..<19) else { return nil }
            (s, i) = (sec, 19)
        }
        let offset: Int
        if at(i, "Z") || at(i, "z"), b.count == i + 1 {
            offset = 0
        } else if at(i, "+") || at(i, "-"), b.count == i + 6, let oh = digits(i + 1..<i + 3), at(i + 3, ":"), let om = digits(i + 4..<i + 6),
                  oh <= 23, om <= 59 {
            offset = (oh * 3600 + om * 60) * (at(i, "-") ? -1 : 1)
        } else {
            return nil
        }
        guard (1...12).contains(mo), (1...31).contains(d), h <= 23, mi <= 59, s <= 59, y >= 2000 else { return nil }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(secondsFromGMT: 0) ?? WorkingDays.timeZone
        guard let wall = utc.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s)),
              utc.component(.day, from: wall) == d else { return nil }   // 30 February does not roll into March
        return wall.addingTimeInterval(TimeInterval(-offset))
    }

    /// Monday (`YYYY-MM-DD`) of ISO week `YYYY-Www`; nil if there is no such week.
    public static func monday(ofWeek text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 8, parts.count == 2, parts[1].first == "W", let year = Int(parts[0]), let week = Int(parts[1].dropFirst()),
              (2000...2999).contains(year), (1...53).contains(week) else { return nil }
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = WorkingDays.timeZone
        guard let date = iso.date(from: DateComponents(hour: 12, weekday: 2, weekOfYear: week, yearForWeekOfYear: year)),
              iso.component(.weekOfYear, from: date) == week, iso.component(.yearForWeekOfYear, from: date) == year else { return nil }
        return WorkingDays.londonDate(date)
    }

    /// ISO week `YYYY-Www` of London day `day`.
    public static func week(of day: String) -> String? {
        guard let start = WorkingDays.day(day) else { return nil }
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = WorkingDays.timeZone
        let c = iso.dateComponents([.weekOfYear, .yearForWeekOfYear], from: start.addingTimeInterval(12 * 3600))
        return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
    }

    /// Monday of the ISO week holding London day `day`.
    public static func monday(of day: String) -> String? { week(of: day).flatMap(monday(ofWeek:)) }

    /// The London wall time read as if it were UTC (a plain count of seconds to compare offsets against).
    static func wallClock(date: String, time: String) -> Date? {
        let t = time.split(separator: ":", omittingEmptySubsequences: false)
        guard WorkingDays.isDay(date), time.utf8.count == 5, t.count == 2, t.allSatisfy({ $0.utf8.count == 2 && $0.allSatisfy(\.isASCII) }),
              let h = Int(t[0]), let m = Int(t[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        return parseInstant("\(date)T\(time):00Z")
    }

    /// Every instant whose London wall time is `wall`, earliest first: none in the spring gap, two in the autumn.
    static func candidates(_ wall: Date) -> [Date] {
        let zone = WorkingDays.timeZone
        // The offsets in force a day either side cover both sides of any change.
        let offsets = Set([-86_400.0, 0, 86_400].map { zone.secondsFromGMT(for: wall.addingTimeInterval($0)) })
        return offsets.map { wall.addingTimeInterval(TimeInterval(-$0)) }
            .filter { zone.secondsFromGMT(for: $0) == Int(wall.timeIntervalSince($0)) }
            .sorted()
    }
}
