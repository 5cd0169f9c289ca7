import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// Safeguarding in full, as the guidance asks it recorded, tried with what a hurried practitioner
/// leaves out and with rows written before it existed.
@Suite struct SafeguardingReferralTests {
    typealias H = WorkflowHarness

    @Test func aReferralKeepsEveryRouteParentsAndOutcomeAndAReReferralLinksToTheFirst() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.listening, by: lead)
        let first = try await h.stores.cases.recordSafeguarding(
            caseID: id, referral: SafeguardingReferral(routes: [.police, .socialCare, .police], referredOn: "2026-03-10",
                                                       parentsInformed: false, parentsNotInformedReason: .greaterRiskToChild),
            note: "front door", by: lead, now: H.now).recordID!
        try await h.stores.cases.recordSafeguardingOutcome(caseID: id, escalationID: first, outcome: .noFurtherAction, by: lead, now: H.now)
        let second = try await h.stores.cases.recordSafeguarding(
            caseID: id, referral: SafeguardingReferral(routes: [.lado], areaReferredTo: "other", parentsInformed: true, reReferralOf: first),
            note: nil, by: lead, now: H.now).recordID!
        let views = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2).safeguarding
        let a = try #require(views.first { $0.id == first }), b = try #require(views.first { $0.id == second })
        #expect(a.routes == [.socialCare, .police] && a.route == .socialCare, "list order, each once")
        #expect(a.referredOn == "2026-03-10" && a.areaReferredTo == "shropshire", "the case's own area by default")
        #expect(a.parentsInformed == false && a.parentsNotInformedReason == .greaterRiskToChild)
        #expect(a.outcome == .noFurtherAction && a.outcomeAt == H.now)
        #expect(b.reReferralOf == first && b.routes == [.lado] && b.areaReferredTo == "other" && b.parentsNotInformedReason == nil)
        #expect(b.referredOn == WorkingDays.londonDate(H.now) && b.outcome == .pending)
        #expect(try h.stage(id) == .listening, "never moves the case")
    }

    @Test func whatTheGuidanceAsksIsRequiredAndARefusalChangesNothing() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let (id, _) = try await h.caseAt(.acknowledged, by: lead)
        let (other, _) = try await h.caseAt(.acknowledged, by: lead)
        let elsewhere = try await h.stores.cases.recordSafeguarding(caseID: other, route: .police, note: nil, by: lead).recordID!
        let cases: [(SafeguardingReferral, any Error & Equatable)] = [
            (SafeguardingReferral(routes: [], parentsInformed: true), SafeguardingError.noRoutes),
            (SafeguardingReferral(routes: [.police], parentsInformed: false), SafeguardingError.reasonForNotInformingRequired),
            (SafeguardingReferral(routes: [.police], referredOn: "2099-01-01", parentsInformed: true), WorkflowError.invalidDate),
            (SafeguardingReferral(routes: [.police], parentsInformed: true, reReferralOf: elsewhere), SafeguardingError.firstReferralNotFound),
        ]
        for (referral, expected) in cases {
            let before = try h.snapshot()
            do {
                try await h.stores.cases.recordSafeguarding(caseID: id, referral: referral, note: nil, by: lead)
                Issue.record("\(referral) was accepted")
            } catch {
                #expect("\(error)" == "\(expected)")
            }
            #expect(try h.snapshot() == before)
        }
        try await expectRefusedUnchanged(h, SafeguardingError.escalationNotFound, "another case's referral") {
            try await h.stores.cases.recordSafeguardingOutcome(caseID: id, escalationID: elsewhere, outcome: .accepted, by: lead)
        }
    }

    @Test func anEscalationFromBeforeKeepsItsRouteThroughTheMigration() async throws {
        let queue = try DatabaseQueue()
        var migrator = AppDatabase.migrator
        try migrator.migrate(queue, upTo: "v10-key-uses")
        let keys = KeyRing.ephemeral()
        try await queue.write { db in
            let record = try AppDatabase.insertCase(db, Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h",
                                                    receivedAt: Date(timeIntervalSince1970: 1_790_000_000), keys: keys)
            try db.execute(sql: """
                INSERT INTO safeguarding_escalation (id, case_id, route, escalated_at, escalated_by, note)
                VALUES ('e1', ?, 'police', '2026-01-01 10:00:00.000', 's1', NULL),
                       ('e2', ?, 'social_care', '2026-01-02 10:00:00.000', 's1', NULL)
                """, arguments: [record.id, record.id])
        }
        migrator = AppDatabase.migrator
        try migrator.migrate(queue)
        let rows = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, route, routes_bits, outcome, parents_informed FROM safeguarding_escalation ORDER BY id")
        }
        #expect(rows.map { $0["route"] as String } == ["police", "social_care"])
        #expect(rows.map { SafeguardingRoute.answers(fromBits: $0["routes_bits"]) } == [[.police], [.socialCare]])
        #expect(rows.allSatisfy { ($0["outcome"] as String) == "pending" && ($0["parents_informed"] as DatabaseValue).isNull })
    }
}
