import Foundation

/// A quarter's first release; a correction of a quarter already released (it replaces the quarter); or a
/// year to date (the sum of the financial year's quarters up to the one named).
public enum ReleaseKind: String, Sendable, Codable, CaseIterable {
    case quarter, correction, yearToDate = "year_to_date"
}

extension ReleaseKind {
    /// What a release is called for people (council and lead pages): "2026-Q1", "Correction of 2026-Q1",
    /// "Year to date, April to September 2026".
    public func title(_ quarter: Quarter, startMonth: Int) -> String {
        switch self {
        case .quarter: quarter.description
        case .correction: "Correction of \(quarter)"
        case .yearToDate: "Year to date, " + Self.months(from: quarter.yearToDate[0], to: quarter, startMonth: startMonth)
        }
    }

    /// The months from the start of `first` to the end of `last`: "April to June 2026", "January to March 2027",
    /// or across a calendar year "April 2026 to March 2027".
    public static func months(from first: Quarter, to last: Quarter, startMonth: Int) -> String {
        // Months after January of the quarter's financial year, as `Quarter.start(startMonth:)` counts them.
        let opening = (startMonth - 1) + (first.number - 1) * 3, closing = (startMonth - 1) + (last.number - 1) * 3 + 2
        let (fromYear, fromMonth) = (first.year + opening / 12, monthNames[opening % 12])
        let (toYear, toMonth) = (last.year + closing / 12, monthNames[closing % 12])
        return fromYear == toYear ? "\(fromMonth) to \(toMonth) \(toYear)" : "\(fromMonth) \(fromYear) to \(toMonth) \(toYear)"
    }

    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
}
