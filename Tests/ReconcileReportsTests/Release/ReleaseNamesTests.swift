import Foundation
import ReconcileCore
import Testing
@testable import ReconcileReports

/// Releases are named for people in plain words, and the months named are the months the quarters cover.
@Suite struct ReleaseNamesTests {
    @Test func kindsAreNamedInPlainWords() {
        let q1 = Quarter("2026-Q1")!, q2 = Quarter("2026-Q2")!, q4 = Quarter("2026-Q4")!
        #expect(ReleaseKind.quarter.title(q1, startMonth: 4) == "2026-Q1")
        #expect(ReleaseKind.correction.title(q1, startMonth: 4) == "Correction of 2026-Q1")
        #expect(ReleaseKind.yearToDate.title(q2, startMonth: 4) == "Year to date, April to September 2026")
        #expect(ReleaseKind.yearToDate.title(q4, startMonth: 4) == "Year to date, April 2026 to March 2027")
        #expect(ReleaseKind.yearToDate.title(q4, startMonth: 1) == "Year to date, January to December 2026")
        #expect(ReleaseKind.months(from: q4, to: q4, startMonth: 4) == "January to March 2027")
        #expect(ReleaseKind.months(from: q1, to: q1, startMonth: 12) == "December 2026 to February 2027")
    }

    /// Against the calendar: for every start month and quarter, the first month named is the month the quarter
    /// starts in, and the last is the month before the next quarter starts, with their years.
    @Test func monthsNamedAreTheMonthsTheQuartersCover() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        func monthAndYear(_ date: Date) -> (String, Int) {
            let parts = calendar.dateComponents([.month, .year], from: date)
            return (ReleaseKind.monthNames[parts.month! - 1], parts.year!)
        }
        for startMonth in 1...12 {
            for number in 1...4 {
                let quarter = Quarter(year: 2026, number: number)!
                let (first, firstYear) = monthAndYear(quarter.yearToDate[0].start(startMonth: startMonth))
                let (last, lastYear) = monthAndYear(quarter.end(startMonth: startMonth).addingTimeInterval(-86_400))
                let expected = firstYear == lastYear ? "\(first) to \(last) \(lastYear)" : "\(first) \(firstYear) to \(last) \(lastYear)"
                #expect(ReleaseKind.yearToDate.title(quarter, startMonth: startMonth) == "Year to date, " + expected,
                        "start month \(startMonth), \(quarter)")
            }
        }
    }
}
