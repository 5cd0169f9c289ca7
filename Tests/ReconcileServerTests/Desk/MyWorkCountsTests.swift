import Foundation
import GRDB
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// What is due counts everything, not only what is listed: years of closed cases leave signposts waiting for an
/// outcome, which stay due (outcomes arrive after closing), and a lead's caseload table counts what is overdue on
/// each person's open cases, however long the lists are.
@Suite struct MyWorkCountsTests {
    @Test func countsGoBeyondTheListAndClosedCasesSignpostsStayDue() async throws {
        let harness = try Harness()
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let other = try await harness.addStaff("other@example.org", role: .practitioner)
        _ = try await harness.addStaff("lead@example.org", role: .lead)
        let ids = try await harness.app().test(.router) { client in
            var made: [String] = []
            for _ in 0..<7 { made.append(try await client.newCase(harness)) }
            return made
        }
        let staffID = { (email: String) in
            try await harness.database.reader.read { db in try String.fetchOne(db, sql: "SELECT id FROM staff_account WHERE email = ?", arguments: [email]) }
        }
        let (patID, otherID, leadID) = (try #require(try await staffID(pat.email)), try #require(try await staffID(other.email)),
                                        try #require(try await staffID("lead@example.org")))
        let month = Date().addingTimeInterval(-30 * 86_400)
        // Pat: five cases, three of them closed, each with a signpost made a month ago and no outcome; the sixth
        // case is other's (open, one late signpost); the seventh stays unassigned and unacknowledged.
        try await harness.database.writer.write { db in
            for (n, id) in ids.prefix(6).enumerated() {
                try db.execute(sql: "UPDATE referral_case SET assigned_to = ?, stage = ? WHERE id = ?",
                               arguments: [n < 5 ? patID : otherID, n < 3 ? "closed" : "signposted", id])
                if n < 3 { try db.execute(sql: "UPDATE referral_case SET close_reason = 'completed', closed_at = ? WHERE id = ?", arguments: [Date(), id]) }
                try db.execute(sql: """
                    INSERT INTO signpost (id, case_id, service_id, need, outcome, created_at, created_by)
                    VALUES (?, ?, 'svc', 'counselling', 'pending', ?, ?)
                    """, arguments: [UUID().uuidString.lowercased(), id, month, patID])
            }
        }
        var rules = MyWorkRules()
        rules.perKind = 2
        rules.perKindForTeam = 2
        let mine = try await harness.stores.desk.myWork(by: StaffActor(id: patID, role: .practitioner), rules: rules)
        #expect(mine.items.filter { $0.kind == .signpostOutcome }.count == 2, "listed up to the limit")
        #expect(mine.count(.signpostOutcome) == 5, "counted in full: closed cases' outcomes are still due")
        #expect(mine.overdue == 5)
        #expect(Set(mine.items.map(\.caseID.rawValue)).isSubset(of: Set(ids.prefix(5))), "never another's case")

        let team = try await harness.stores.desk.myWork(by: StaffActor(id: leadID, role: .lead), rules: rules)
        #expect(team.count(.signpostOutcome) == 6 && team.count(.unassigned) == 1)
        #expect(team.items.filter { $0.kind == .signpostOutcome }.count == 2)
        let loads = Dictionary(uniqueKeysWithValues: (team.caseloads ?? []).map { ($0.email, $0) })
        #expect(loads[pat.email]?.openCases == 2 && loads[pat.email]?.overdueItems == 2, "overdue on pat's two open cases")
        #expect(loads[other.email]?.openCases == 1 && loads[other.email]?.overdueItems == 1)

        // Retention erases a closed case: its signpost stays 'pending' in the statistics but leaves everyone's desk.
        try await harness.database.writer.write { db in
            try AppDatabase.erase(db, caseID: CaseID(ids[0]), reason: "retention", keys: harness.keys, at: Date())
        }
        let afterErasure = try await harness.stores.desk.myWork(by: StaffActor(id: patID, role: .practitioner), rules: rules)
        #expect(afterErasure.count(.signpostOutcome) == 4 && !afterErasure.items.contains { $0.caseID.rawValue == ids[0] })
        #expect(try await harness.stores.desk.myWork(by: StaffActor(id: leadID, role: .lead), rules: rules).count(.signpostOutcome) == 5)
        let stillPending = try await harness.database.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signpost WHERE outcome = 'pending' AND case_id = ?", arguments: [ids[0]])
        }
        #expect(stillPending == 1, "the statistics keep the outcome as it was")

        // The API and the page say the same counts.
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(pat)
            let api = try await client.json("/api/v1/my-work", .get, token: token)
            #expect((api.json?["counts"] as? [String: Int])?["signpost_outcome"] == 4 && api.json?["overdue"] as? Int == 4)
        }
    }
}
