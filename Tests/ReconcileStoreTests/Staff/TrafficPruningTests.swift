import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// Tables that grow with traffic rather than with cases are pruned on a schedule, so none of them grows without
/// bound: ended sessions (staff and family) and sent or refused mail.
@Suite struct TrafficPruningTests {
    static let now = WorkflowHarness.now

    @Test func sessionsPastTheirLifetimeOrSignedOutAreForgottenAndLiveOnesKept() async throws {
        let harness = try WorkflowHarness()
        let staff = try harness.staff(.practitioner)
        let caseID = try await harness.newCase()
        let hour: TimeInterval = 3600
        // (token, created this long ago, signed out?)
        let staffRows: [(String, TimeInterval, Bool)] = [("s-live", hour, false), ("s-old", 13 * hour, false), ("s-out", hour, true)]
        let portalRows: [(String, TimeInterval, Bool)] = [("p-live", 0.5 * hour, false), ("p-old", 3 * hour, false), ("p-out", 0.1 * hour, true)]
        try await harness.db.writer.write { db in
            for (token, age, out) in staffRows {
                try db.execute(sql: "INSERT INTO staff_session (token_hash, account_id, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [Data(token.utf8), staff.id, Self.now - age, Self.now - age, out ? Self.now : nil])
            }
            for (token, age, out) in portalRows {
                try db.execute(sql: "INSERT INTO portal_session (token_hash, case_id, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [Data(token.utf8), caseID, Self.now - age, Self.now - age, out ? Self.now : nil])
            }
        }
        let removed = try await harness.stores.staff.pruneEndedSessions(now: Self.now)
        #expect(removed == 4)
        let left = try await harness.db.reader.read { db in
            try Data.fetchAll(db, sql: "SELECT token_hash FROM staff_session UNION ALL SELECT token_hash FROM portal_session ORDER BY 1")
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(left == ["p-live", "s-live"])
        #expect(try await harness.stores.staff.pruneEndedSessions(now: Self.now) == 0, "a second round finds nothing")
    }

    @Test func sentAndRefusedMailGoesAfterTwoDaysAndWaitingMailStays() async throws {
        let harness = try WorkflowHarness()
        let staff = try harness.staff(.lead)
        let day: TimeInterval = 86_400
        // (id, sent this long ago, given up this long ago)
        let rows: [(String, TimeInterval?, TimeInterval?)] = [
            ("sent-old", 3 * day, nil), ("sent-new", day, nil), ("refused-old", nil, 3 * day), ("refused-new", nil, day), ("waiting", nil, nil),
        ]
        try await harness.db.writer.write { db in
            for (id, sent, refused) in rows {
                try db.execute(sql: """
                    INSERT INTO mail_outbox (id, kind, staff_id, created_at, next_attempt_at, sent_at, given_up_at)
                    VALUES (?, 'new_referral', ?, ?, ?, ?, ?)
                    """, arguments: [id, staff.id, Self.now - 4 * day, Self.now - 4 * day, sent.map { Self.now - $0 }, refused.map { Self.now - $0 }])
            }
        }
        try await harness.stores.mail.pruneSentMail(now: Self.now)
        let left = try await harness.db.reader.read { db in try String.fetchAll(db, sql: "SELECT id FROM mail_outbox ORDER BY id") }
        #expect(left == ["refused-new", "sent-new", "waiting"])
    }
}
