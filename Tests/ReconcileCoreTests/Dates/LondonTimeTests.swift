import Foundation
import ReconcileCore
import Testing

/// London wall times across the clock changes, and the two ways a start is written (RFC 3339, a week).
@Suite struct LondonTimeTests {
    static func utc(_ text: String) throws -> Date { try #require(LondonTime.parseInstant(text)) }

    @Test func theSpringGapIsRefusedAndTheHoursEitherSideAreRight() throws {
        // 28 March 2027: the clocks go from 01:00 GMT to 02:00 BST.
        #expect(throws: LondonTime.Problem.doesNotExist) { try LondonTime.instant(date: "2027-03-28", time: "01:30") }
        #expect(throws: LondonTime.Problem.doesNotExist) { try LondonTime.instant(date: "2027-03-28", time: "01:00") }
        #expect(try LondonTime.instant(date: "2027-03-28", time: "00:59") == Self.utc("2027-03-28T00:59:00Z"))
        #expect(try LondonTime.instant(date: "2027-03-28", time: "02:00") == Self.utc("2027-03-28T01:00:00Z"))
        #expect(try LondonTime.instant(date: "2027-07-01", time: "10:00") == Self.utc("2027-07-01T09:00:00Z"))
        #expect(try LondonTime.instant(date: "2027-12-01", time: "10:00") == Self.utc("2027-12-01T10:00:00Z"))
    }

    @Test func theAutumnRepeatIsReadAsTheFirstAndShownWithItsZone() throws {
        // 31 October 2027: 01:00–02:00 happens in BST, then again in GMT.
        let first = try LondonTime.instant(date: "2027-10-31", time: "01:30")
        #expect(first == (try Self.utc("2027-10-31T00:30:00Z")))
        #expect(LondonTime.isAmbiguous(first) && LondonTime.zoneName(first) == "BST")
        let second = try Self.utc("2027-10-31T01:30:00+00:00")
        #expect(LondonTime.isAmbiguous(second) && LondonTime.zoneName(second) == "GMT" && LondonTime.clockTime(second) == "01:30")
        #expect(!LondonTime.isAmbiguous(try Self.utc("2027-10-31T02:30:00Z")))
        #expect(!LondonTime.isAmbiguous(try Self.utc("2027-10-30T00:30:00Z")))
    }

    @Test func onlyAnRFC3339InstantWithAnOffsetIsRead() throws {
        #expect(LondonTime.parseInstant("2027-01-05T10:00:00+01:00") == (try Self.utc("2027-01-05T09:00:00Z")))
        #expect(LondonTime.parseInstant("2027-01-05T10:00-05:30") == (try Self.utc("2027-01-05T15:30:00Z")))
        for bad in ["2027-01-05T10:00:00", "2027-01-05 10:00:00Z", "2027-02-30T10:00:00Z", "2027-01-05T24:00:00Z", "2027-01-05T10:00:00.5Z",
                    "2027-01-05T10:00:00+1:00", "1999-01-05T10:00:00Z", "", "tomorrow", "2027-01-05T10:00:00Z ", "２０２７-01-05T10:00:00Z",
                    "2027-01-05T10:00:00+25:00", "99999-01-05T10:00:00Z"] {
            #expect(LondonTime.parseInstant(bad) == nil, "\(bad)")
        }
    }

    @Test func weeksAreISOWeeksInLondon() {
        #expect(LondonTime.monday(ofWeek: "2026-W50") == "2026-12-07")
        #expect(LondonTime.monday(ofWeek: "2027-W01") == "2027-01-04")
        #expect(LondonTime.monday(ofWeek: "2026-W53") == "2026-12-28")
        #expect(LondonTime.monday(ofWeek: "2027-W53") == nil)
        #expect(LondonTime.monday(ofWeek: "2026-W00") == nil && LondonTime.monday(ofWeek: "2026W50") == nil)
        #expect(LondonTime.week(of: "2026-12-13") == "2026-W50" && LondonTime.monday(of: "2027-01-03") == "2026-12-28")
    }

    @Test func malformedWallTimesAreRefused() {
        for (date, time) in [("2027-01-05", "25:00"), ("2027-01-05", "10:60"), ("2027-01-05", "1000"), ("2027-02-30", "10:00"), ("2027-01-05", "")] {
            #expect(throws: LondonTime.Problem.malformed) { try LondonTime.instant(date: date, time: time) }
        }
    }
}
