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
}
