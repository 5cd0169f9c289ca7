import Foundation
import ReconcileCore

/// One way of writing a moment and a day per language, in London time, for the portal and the staff and council
/// pages alike ("6 December 2026 at 22:34", "6 grudnia 2026 o 22:34"): a family and the practitioner reading the
/// same message see the same time written the same way. Staff pages are in English.
enum ServiceTime {
    static func moment(_ language: FamilyLanguage = .english) -> Date.FormatStyle {
        Date.FormatStyle(date: .long, time: .shortened, locale: Catalogues[language].locale, timeZone: WorkingDays.timeZone)
    }

    static func day(_ language: FamilyLanguage = .english) -> Date.FormatStyle {
        Date.FormatStyle(date: .long, time: .omitted, locale: Catalogues[language].locale, timeZone: WorkingDays.timeZone)
    }

    /// A calendar date kept as `YYYY-MM-DD` written as `day` writes it (noon in London, so no zone moves the day);
    /// the text itself if it is not such a date.
    static func calendarDay(_ text: String, _ language: FamilyLanguage = .english) -> String {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        var london = Calendar(identifier: .gregorian)
        london.timeZone = WorkingDays.timeZone
        guard parts.count == 3, let date = london.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 12)) else {
            return text
        }
        return date.formatted(day(language))
    }
}
