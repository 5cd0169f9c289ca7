import Foundation
import Testing
@testable import ReconcileCore

@Suite struct QuarterTests {
    static func london(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        return calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h))!
    }

    @Test func quartersFollowTheFinancialYearStartingInApril() {
        #expect(Quarter("2026-Q1")!.start(startMonth: 4) == Self.london(2026, 4, 1))
        #expect(Quarter("2026-Q1")!.end(startMonth: 4) == Self.london(2026, 7, 1))
        #expect(Quarter("2026-Q4")!.start(startMonth: 4) == Self.london(2027, 1, 1))
        #expect(Quarter("2026-Q4")!.end(startMonth: 4) == Self.london(2027, 4, 1))
        // A January start makes quarters calendar quarters.
        #expect(Quarter("2026-Q2")!.start(startMonth: 1) == Self.london(2026, 4, 1))
    }

    @Test func theQuarterContainingADateIsNamedByItsFinancialYear() {
        #expect(Quarter.containing(Self.london(2027, 2, 14), startMonth: 4).description == "2026-Q4")
        #expect(Quarter.containing(Self.london(2026, 3, 31, 23), startMonth: 4).description == "2025-Q4")
        #expect(Quarter.containing(Self.london(2026, 4, 1, 0), startMonth: 4).description == "2026-Q1")
        // 23:30 on 30 June in London is 22:30 UTC: still Q1.
        #expect(Quarter.containing(Self.london(2026, 6, 30, 23), startMonth: 4).description == "2026-Q1")
        #expect(Quarter.containing(Self.london(2026, 9, 15), startMonth: 1).description == "2026-Q3")
    }

    @Test(arguments: ["2026-Q0", "2026-Q5", "2026-q1", "26-Q1", "2026Q1", " 2026-Q1", "2026-Q1 ", "", "abcd-Q1", "2026-Q12"])
    func malformedQuartersAreRefused(text: String) {
        #expect(Quarter(text) == nil)
    }

    @Test func yearToDateListsTheEarlierQuartersOfTheSameYear() {
        #expect(Quarter("2026-Q3")!.yearToDate.map(\.description) == ["2026-Q1", "2026-Q2", "2026-Q3"])
        #expect(Quarter("2026-Q4")!.next.description == "2027-Q1")
        #expect(Quarter("2026-Q1")! < Quarter("2026-Q2")!)
    }

    /// Stepping past the range people may type must not trap: a council asking for 2999-Q4, a records check of
    /// January 2000 (its page links the month before) or a clock far off once ended the whole process.
    @Test func steppingPastTheTypedRangeDoesNotTrap() {
        let last = Quarter("2999-Q4")!
        #expect(last.next.description == "3000-Q1")
        #expect(last.end(startMonth: 4) > last.start(startMonth: 4))
        #expect(Quarter("2000-Q1")!.previous.description == "1999-Q4")
        #expect(Quarter("2000-Q1")!.yearBefore.description == "1999-Q1")
        #expect(Quarter.containing(Date(timeIntervalSince1970: 40_000_000_000), startMonth: 4).year == 3237)
        #expect(Quarter.containing(Date(timeIntervalSince1970: -2_000_000_000), startMonth: 4).year == 1906)
        #expect(Quarter(year: 3000, number: 1) == nil, "typed quarters stay within 2000-2999")
        let december = AuditMonth("9999-12")!
        #expect(december.next.description == "10000-01")
        #expect(december.end > december.start)
        #expect(AuditMonth("2000-01")!.previous.description == "1999-12")
        #expect(AuditMonth.containing(Date(timeIntervalSince1970: -2_000_000_000)).year == 1906)
    }
}
