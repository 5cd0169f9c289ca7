import Foundation
import GRDB
import ReconcileCore

extension AppDatabase {
    /// Meetings of the area's consented cases asked for in [start, end): by party, by outcome so far, and for those
    /// held, "did it help" (so the helped table adds up to the held cell). Plain columns only; nothing is opened.
    static func meetingCounts(_ db: Database, councilArea area: String, start: Date, end: Date, into counts: inout ActivityCounts) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT m.party, m.status, m.helped FROM case_meeting m CROSS JOIN referral_case c ON c.id = m.case_id
            WHERE c.council_area = ? AND c.consent_statistics = 1 AND m.requested_at >= ? AND m.requested_at < ?
            """, arguments: [area, start, end])
        for row in rows {
            guard let party = MeetingParty(rawValue: try row.value("party")), let status = MeetingStatus(rawValue: try row.value("status")) else {
                throw StoreError.integrity("a meeting has an unknown party or status")
            }
            counts.meetingsRequested += 1
            counts.meetingsByParty[party.rawValue, default: 0] += 1
            counts.meetingsByOutcome[status.outcome.rawValue, default: 0] += 1
            if status == .held {
                let helped: Int? = try row.value("helped")
                counts.meetingHelped[helped.map(String.init) ?? MeetingHelped.notAnswered, default: 0] += 1
            }
        }
    }
}
