import Foundation
import Testing
@testable import ReconcileCore

/// The desk's day arithmetic (`LondonDayNumber`) against Calendar's answers, which it replaced on the hot path:
/// the London day and the acknowledgement deadline of random instants over a century and of every instant either
/// side of each clock change, every 20 minutes.
@Suite struct WorkingDaysArithmeticTests {
    /// What `WorkingDays` answered before, by Calendar steps alone.
    enum Reference {
        static let calendar = WorkingDays.calendar
        static func londonDate(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        }
        static func deadline(_ received: Date, _ workingDays: Int) -> Date {
            func next(_ d: Date) -> Date { calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1, to: d) ?? d) }
            func weekend(_ d: Date) -> Bool { [1, 7].contains(calendar.component(.weekday, from: d)) }
            var day = calendar.startOfDay(for: received)
            if workingDays <= 0 {
                while weekend(day) { day = next(day) }
            } else {
                var counted = 0
                while counted < workingDays { day = next(day); if !weekend(day) { counted += 1 } }
            }
            return next(day)
        }
    }

    struct SplitMix { var state: UInt64
        mutating func next(in range: ClosedRange<Double>) -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + (range.upperBound - range.lowerBound) * Double(z >> 11) / Double(1 << 53)
        }
    }

    @Test func randomInstantsOverACenturyGiveCalendarsDayAndDeadline() {
        var rng = SplitMix(state: 20_261_207)
        var mismatches: [String] = []
        for n in 0..<3_000 {
            // 1950 to 2100, and a few instants at whole London hours and midnights, where a slip would show.
            var t = rng.next(in: -631_152_000...4_102_444_800)
            if n % 3 == 0 { t = (t / 3_600).rounded(.down) * 3_600 }
            let date = Date(timeIntervalSince1970: t)
            if WorkingDays.londonDate(date) != Reference.londonDate(date) { mismatches.append("day of \(date)") }
            let days = n % 6 - 1   // -1 … 4
            if WorkingDays.deadline(receivedAt: date, workingDays: days) != Reference.deadline(date, days) {
                mismatches.append("deadline of \(date), \(days) days")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func everyClockChangeFrom1996To2045GivesCalendarsDayAndDeadline() throws {
        var transitions: [Date] = []
        var from = try Date("1996-01-01T00:00:00Z", strategy: .iso8601)
        while let next = WorkingDays.timeZone.nextDaylightSavingTimeTransition(after: from), next.timeIntervalSince1970 < 2_398_291_200 {
            transitions.append(next); from = next
        }
        #expect(transitions.count == 100, "two clock changes a year for 50 years")
        var mismatches: [String] = []
        for change in transitions {
            for step in -72...72 {   // a day either side, every 20 minutes
                let date = change.addingTimeInterval(Double(step) * 1_200)
                if WorkingDays.londonDate(date) != Reference.londonDate(date) { mismatches.append("day of \(date)") }
                if step % 6 == 0 {
                    for days in 0...2 where WorkingDays.deadline(receivedAt: date, workingDays: days) != Reference.deadline(date, days) {
                        mismatches.append("deadline of \(date), \(days) days")
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func farInstantsStillAnswerThroughCalendar() {
        for t in [-1e15, 1e15, 253_402_300_800.0, -2_300_000_000] {   // far away, the year 10000, 1897
            let date = Date(timeIntervalSince1970: t)
            #expect(WorkingDays.londonDate(date) == Reference.londonDate(date))
            #expect(WorkingDays.deadline(receivedAt: date, workingDays: 2) == Reference.deadline(date, 2))
        }
    }
}

extension WorkingDaysArithmeticTests {
    /// A count of overdue items is one range below `overdueBefore`: it must agree with `isOverdue` for every pair.
    @Test func overdueBeforeSplitsExactlyWhereIsOverdueDoes() {
        var rng = SplitMix(state: 7_700)
        var mismatches: [String] = []
        for n in 0..<400 {
            let now = Date(timeIntervalSince1970: rng.next(in: 1_577_836_800...2_051_222_400))   // 2020 to 2035
            let days = n % 5
            let cut = WorkingDays.overdueBefore(now: now, workingDays: days)
            for back in stride(from: 0.0, through: 12 * 86_400, by: 3_600 * 5.5) {
                let received = now.addingTimeInterval(-back)
                if WorkingDays.isOverdue(receivedAt: received, now: now, workingDays: days) != (received < cut) {
                    mismatches.append("received \(received), now \(now), \(days) days")
                }
            }
            // Either side of the cut itself.
            #expect(WorkingDays.isOverdue(receivedAt: cut.addingTimeInterval(-0.001), now: now, workingDays: days))
            #expect(!WorkingDays.isOverdue(receivedAt: cut, now: now, workingDays: days))
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
