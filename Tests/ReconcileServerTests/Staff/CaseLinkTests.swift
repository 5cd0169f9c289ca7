import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Linked cases: a lead links cases about the same incident; one practitioner never works both the
/// child harmed and the child accused, however the assignments and links arrive.
@Suite struct CaseLinkTests {
    /// A case whose child's part is `involvement`; returns its id and reference.
    static func newCase(_ client: some TestClientProtocol, _ harness: Harness, involvement: String) async throws -> (id: String, reference: String) {
        let response = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["involvement": involvement])))
        let reference = try require_(response.json?["reference"] as? String)
        let id = try await harness.database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM referral_case WHERE reference = ?", arguments: [reference])!
        }
        return (id, reference)
    }

    static func assignee(_ harness: Harness, _ caseID: String) async throws -> String? {
        try await harness.database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT assigned_to FROM referral_case WHERE id = ?", arguments: [caseID])
        }
    }

    static func links(_ harness: Harness) async throws -> Int {
        try await harness.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_link")! }
    }

    @Test func oneWorkerIsNeverGivenBothSidesOfALinkedIncident() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("p@example.org", role: .practitioner)
        _ = try await harness.addStaff("q@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let harmed = try await Self.newCase(client, harness, involvement: "harmed")
            let accused = try await Self.newCase(client, harness, involvement: "was_accused_or_harmed_others")
            let link = try await client.json("/api/v1/cases/\(harmed.id)/links", .post, token: token, body: ["case": accused.reference.lowercased()])
            #expect(link.status == .ok)
            let detail = try await client.json("/api/v1/cases/\(accused.id)", .get, token: token)
            let linked = try #require(detail.json?["linked_cases"] as? [[String: Any]])
            #expect(linked.count == 1 && linked.first?["reference"] as? String == harmed.reference, "the link shows from both sides")

            let first = try await client.json("/api/v1/cases/\(harmed.id)/assign", .post, token: token, body: ["practitioner": "p@example.org"])
            #expect(first.status == .ok)
            let second = try await client.json("/api/v1/cases/\(accused.id)/assign", .post, token: token, body: ["practitioner": "p@example.org"])
            #expect(second.status == .conflict && second.errorCode == "linked_case_conflict")
            #expect(try await Self.assignee(harness, accused.id) == nil, "the refused assignment changed nothing")
            let other = try await client.json("/api/v1/cases/\(accused.id)/assign", .post, token: token, body: ["practitioner": "q@example.org"])
            #expect(other.status == .ok)
            // Nor can the harmed child's case be moved across to the accused child's worker.
            let across = try await client.json("/api/v1/cases/\(harmed.id)/assign", .post, token: token, body: ["practitioner": "q@example.org"])
            #expect(across.status == .conflict)
        }
    }

    /// Linking after assigning would walk around the rule: two such cases already with one worker are not linked.
    /// Regression: linking a case that has a worker to one that has none read the empty `assigned_to` as a
    /// String and ended the whole process. Both ways round, and with neither assigned, the link is made.
    @Test(arguments: [(true, false), (false, true), (false, false)])
    func linkingWhereOneSideHasNoWorkerYetWorks(assignFirst: Bool, assignSecond: Bool) async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let harmed = try await Self.newCase(client, harness, involvement: "harmed")
            let accused = try await Self.newCase(client, harness, involvement: "was_accused_or_harmed_others")
            for (assign, id) in [(assignFirst, harmed.id), (assignSecond, accused.id)] where assign {
                let assigned = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": "p@example.org"])
                #expect(assigned.status == .ok)
            }
            let link = try await client.json("/api/v1/cases/\(harmed.id)/links", .post, token: token, body: ["case": accused.reference])
            #expect(link.status == .ok)
            #expect(try await Self.links(harness) == 1)
            let after = try await client.json("/api/v1/cases/\(accused.id)", .get, token: token)
            #expect(after.status == .ok, "the service is still answering")
        }
    }

    @Test func linkingTwoSidesAlreadyWithOneWorkerIsRefused() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let harmed = try await Self.newCase(client, harness, involvement: "harmed")
            let accused = try await Self.newCase(client, harness, involvement: "was_accused_or_harmed_others")
            for id in [harmed.id, accused.id] {
                #expect(try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": "p@example.org"]).status == .ok)
            }
            let link = try await client.json("/api/v1/cases/\(harmed.id)/links", .post, token: token, body: ["case": accused.id])
            #expect(link.status == .conflict && link.errorCode == "linked_case_conflict")
            #expect(try await Self.links(harness) == 0)
        }
    }

    /// A child who saw it, linked to the child harmed, may have the same worker.
    @Test func aWitnessAndTheChildHarmedMayShareAWorker() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let harmed = try await Self.newCase(client, harness, involvement: "harmed")
            let witness = try await Self.newCase(client, harness, involvement: "saw_or_knew")
            #expect(try await client.json("/api/v1/cases/\(harmed.id)/links", .post, token: token, body: ["case": witness.reference]).status == .ok)
            for id in [harmed.id, witness.id] {
                #expect(try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": "p@example.org"]).status == .ok)
            }
        }
    }

    /// Two assignments at once, one per side, to the same worker: the check runs in each assigning transaction,
    /// so exactly one gets through.
    @Test func twoAssignmentsAtOnceCannotBothPass() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        _ = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            for _ in 0..<5 {
                let harmed = try await Self.newCase(client, harness, involvement: "harmed")
                let accused = try await Self.newCase(client, harness, involvement: "was_accused_or_harmed_others")
                #expect(try await client.json("/api/v1/cases/\(harmed.id)/links", .post, token: token, body: ["case": accused.id]).status == .ok)
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for id in [harmed.id, accused.id, harmed.id, accused.id] {
                        group.addTask {
                            try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: ["practitioner": "p@example.org"]).status
                        }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .conflict }.count == 2, "\(statuses)")
                let given = [try await Self.assignee(harness, harmed.id), try await Self.assignee(harness, accused.id)].compactMap { $0 }
                #expect(given.count == 1, "only one side went to the worker")
            }
        }
    }

    @Test(arguments: [
        ("self", 422, "same_case"), ("RS-2222-2222", 422, "unknown_value"), ("not a reference CANARY", 422, "unknown_value"),
        ("", 422, "required"),
    ] as [(String, Int, String)])
    func aBadLinkIsRefusedAndChangesNothing(other: String, status: Int, code: String) async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let one = try await Self.newCase(client, harness, involvement: "harmed")
            let response = try await client.json("/api/v1/cases/\(one.id)/links", .post, token: token,
                                                 body: ["case": other == "self" ? one.reference : other])
            #expect(response.status.code == status)
            let fields = (response.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
            #expect(fields.contains { $0["field"] == "case" && $0["code"] == code }, "\(fields)")
            #expect(!response.text.contains("CANARY"))
        }
        #expect(try await Self.links(harness) == 0)
    }

    @Test func linkingTwiceIsRefusedAndOnlyLeadsLink() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let practitioner = try await harness.addStaff("p@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let a = try await Self.newCase(client, harness, involvement: "harmed")
            let b = try await Self.newCase(client, harness, involvement: "more_than_one")
            #expect(try await client.json("/api/v1/cases/\(a.id)/links", .post, token: token, body: ["case": b.id]).status == .ok)
            let again = try await client.json("/api/v1/cases/\(b.id)/links", .post, token: token, body: ["case": a.id])
            #expect(again.status == .conflict && again.errorCode == "already_linked")
            // The practitioner works `a` but not `b`: they see that a linked case exists, not which.
            #expect(try await client.json("/api/v1/cases/\(a.id)/assign", .post, token: token, body: ["practitioner": "p@example.org"]).status == .ok)
            let mine = try await client.signIn(practitioner)
            let refused = try await client.json("/api/v1/cases/\(a.id)/links", .post, token: mine, body: ["case": b.id])
            #expect(refused.status == .forbidden)
            let detail = try await client.json("/api/v1/cases/\(a.id)", .get, token: mine)
            let linked = try #require(detail.json?["linked_cases"] as? [[String: Any]])
            #expect(linked.count == 1 && linked[0]["reference"] == nil && linked[0]["id"] == nil)
            #expect(!detail.text.contains(b.reference) && !detail.text.contains(b.id))
        }
        #expect(try await Self.links(harness) == 1)
        let audits = try await harness.database.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.link'")!
        }
        #expect(audits == 2, "one audit row on each case's side")
    }
}
