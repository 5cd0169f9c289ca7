import Foundation
import Testing
@testable import ReconcileCore

@Suite struct WorkingDaysTests {
    /// Instants are written in UTC so each expectation is independent of the implementation's time zone.
    func at(_ iso: String) throws -> Date {
        try Date(iso, strategy: .iso8601)
    }

    // Calendar for reference: 2026-06-01 is a Monday; clocks go forward on Sunday 29 March 2026 and back on
    // Sunday 25 October 2026. London is UTC+1 in summer, so London midnight is 23:00 UTC the day before.

    @Test(arguments: [
        // received (UTC),              days, deadline (UTC) = London midnight ending the target day
        ("2026-06-01T09:00:00Z", 2, "2026-06-03T23:00:00Z"),  // Monday morning → end of Wednesday
        ("2026-06-04T10:00:00Z", 2, "2026-06-08T23:00:00Z"),  // Thursday → Friday, Monday
        ("2026-06-05T19:30:00Z", 2, "2026-06-09T23:00:00Z"),  // Friday evening → Monday, Tuesday
        ("2026-06-06T12:00:00Z", 2, "2026-06-09T23:00:00Z"),  // Saturday: counting starts Monday
        ("2026-06-07T12:00:00Z", 2, "2026-06-09T23:00:00Z"),  // Sunday: likewise
        ("2026-06-07T23:30:00Z", 2, "2026-06-10T23:00:00Z"),  // Sunday in UTC but already Monday 00:30 in London
        ("2026-06-05T22:59:59Z", 1, "2026-06-08T23:00:00Z"),  // last second of Friday in London
        ("2026-06-03T08:00:00Z", 5, "2026-06-10T23:00:00Z"),  // a full working week later
        ("2026-06-01T09:00:00Z", 0, "2026-06-01T23:00:00Z"),  // 0 days: end of the same working day
        ("2026-06-06T12:00:00Z", 0, "2026-06-08T23:00:00Z"),  // 0 days at the weekend: end of Monday
        ("2026-06-06T12:00:00Z", 1, "2026-06-08T23:00:00Z"),  // Saturday, 1 day: end of Monday
        ("2026-06-01T09:00:00Z", -3, "2026-06-01T23:00:00Z"), // negative is treated as 0
        // Clocks go forward on Sunday 29 March: Friday 27 March (GMT) → end of Tuesday 31 March (BST).
        ("2026-03-27T18:00:00Z", 2, "2026-03-31T23:00:00Z"),
        // Clocks go back on Sunday 25 October: Friday 23 October 23:30 BST → end of Tuesday 27 October (GMT).
        ("2026-10-23T22:30:00Z", 2, "2026-10-28T00:00:00Z"),
        // Received on the very day the clocks go back; the 25-hour Sunday is still one (non-working) day.
        ("2026-10-25T01:30:00Z", 1, "2026-10-27T00:00:00Z"),
        // Winter: London is UTC, midnight is midnight.
        ("2026-12-04T17:00:00Z", 2, "2026-12-09T00:00:00Z"),
    ])
    func deadlines(received: String, workingDays: Int, expected: String) throws {
        #expect(try WorkingDays.deadline(receivedAt: at(received), workingDays: workingDays) == at(expected))
    }

    @Test func overdueFromTheMomentTheTargetDayEnds() throws {
        let received = try at("2026-06-05T19:30:00Z")  // Friday evening
        #expect(!WorkingDays.isOverdue(receivedAt: received, now: try at("2026-06-09T22:59:59Z"), workingDays: 2))
        #expect(WorkingDays.isOverdue(receivedAt: received, now: try at("2026-06-09T23:00:00Z"), workingDays: 2))
        #expect(!WorkingDays.isOverdue(receivedAt: received, now: try at("2026-06-08T12:00:00Z"), workingDays: 2))
        #expect(WorkingDays.isOverdue(receivedAt: received, now: try at("2026-06-08T12:00:00Z"), workingDays: 0))
    }

    @Test func aLongerTargetIsNeverEarlier() throws {
        // Over a fortnight of receipt times (across the March clock change), each extra working day moves
        // the deadline later. 0 and 1 coincide only for weekend receipts (both mean the end of Monday).
        let start = try at("2026-03-20T00:15:00Z")
        for hour in stride(from: 0, to: 14 * 24, by: 5) {
            let received = start.addingTimeInterval(Double(hour) * 3600)
            let sameDay = WorkingDays.deadline(receivedAt: received, workingDays: 0)
            var previous = WorkingDays.deadline(receivedAt: received, workingDays: 1)
            #expect(sameDay > received)
            #expect(previous >= sameDay)
            for days in 2...6 {
                let next = WorkingDays.deadline(receivedAt: received, workingDays: days)
                #expect(next > previous, "received \(received), \(days) days")
                previous = next
            }
        }
    }

    /// Time to respond to a complaint: working days after the day received, up to the day answered.
    @Test(arguments: [
        ("2025-04-03", "2025-04-03", 0), ("2025-04-04", "2025-04-07", 1), ("2025-04-05", "2025-04-07", 1),  // Fri→Mon; Sat→Mon
        ("2025-04-03", "2025-04-17", 10), ("2025-04-03", "2025-04-18", 11), ("2025-04-03", "2025-05-01", 20),
        ("2025-04-03", "2025-05-02", 21), ("2025-03-28", "2025-03-31", 1),  // across the clock change
    ])
    func workingDaysToRespond(from: String, to: String, expected: Int) {
        #expect(WorkingDays.workingDays(from: from, to: to) == expected)
        #expect(ComplaintResponseBand.band(workingDays: expected) == (expected <= 10 ? .within10WorkingDays
            : expected <= 20 ? .from11To20WorkingDays : .over20WorkingDays))
    }

    @Test func notADateOrBackwardsHasNoCount() {
        #expect(WorkingDays.workingDays(from: "2025-04-03", to: "2025-04-02") == nil)
        #expect(WorkingDays.workingDays(from: "2025-02-30", to: "2025-03-02") == nil)
        #expect(WorkingDays.workingDays(from: "2025-4-3", to: "2025-04-04") == nil)
        #expect(ComplaintResponseBand.band(workingDays: nil) == .notYetResponded)
    }
}
