import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer
@testable import ReconcileStore

/// A practitioner learns nothing about cases that are not theirs; failures on pages are logged like the API's.
@Suite struct UniformAnswersTests {
    @Test func aPractitionerGetsOne404ForMissingErasedAndNotTheirs() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let (leadToken, patToken) = (try await client.signIn(lead), try await client.signIn(pat))
            let notTheirs = try await client.newCase(harness)
            let erased = try await client.newCase(harness)
            _ = try await client.json("/api/v1/cases/\(erased)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
            try await harness.database.writer.write { db in
                try db.execute(sql: "UPDATE referral_case SET erased_at = ? WHERE id = ?", arguments: [Date(), erased])
            }
            var answers: [String] = []
            for id in [UUID().uuidString.lowercased(), notTheirs, erased] {
                for suffix in ["", "/timeline"] {
                    let r = try await client.json("/api/v1/cases/\(id)\(suffix)", .get, token: patToken)
                    #expect(r.status == .notFound, "\(id)\(suffix)")
                    answers.append(r.text)
                }
                let act = try await client.json("/api/v1/cases/\(id)/messages", .post, token: patToken, body: ["body": "hello"])
                #expect(act.status == .notFound)
                answers.append(act.text)
            }
            #expect(Set(answers).count == 1, "one and the same answer: \(Set(answers))")
            let leadSees = try await client.json("/api/v1/cases/\(erased)", .get, token: leadToken)
            #expect(leadSees.status == .gone, "a lead still learns that a case was erased")
        }
    }

    @Test func aCaseIsNamedOnlyByItsOwnIdNotItsReferenceNorAnotherSpelling() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(lead)
            let id = try await client.newCase(harness)
            let reference = try #require(try await client.json("/api/v1/cases/\(id)", .get, token: token).json?["reference"] as? String)
            func events() async throws -> Int {
                try await harness.database.reader.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event WHERE case_id = ?", arguments: [id]) ?? -1
                }
            }
            let eventsBefore = try await events()
            for other in [id.uppercased(), reference, " \(id)", id + "0", String(id.dropLast())] {
                let path = other.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? other
                let read = try await client.json("/api/v1/cases/\(path)", .get, token: token)
                let act = try await client.json("/api/v1/cases/\(path)/messages", .post, token: token, body: ["body": "hello"])
                #expect(read.status == .notFound && act.status == .notFound, "\(other)")
                #expect(!read.text.contains(reference) && !act.text.contains(reference))
            }
            #expect(try await events() == eventsBefore, "nothing was written to the case under another name")
        }
    }

    @Test func duplicateOfIsShownOnlyWhenTheViewerMayOpenThatCase() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let (leadToken, patToken) = (try await client.signIn(lead), try await client.signIn(pat))
            for canary in ["A", "B"] {
                let r = try await client.refer(Sample.json(Sample.referral(canary: canary, contact: ["email": "same@example.org"])))
                #expect(r.status == .created)
            }
            let rows = try await harness.database.reader.read { db in try CaseRecord.order(CaseRecord.Columns.receivedAt).fetchAll(db) }
            let (first, second) = (rows[0].id.rawValue, rows[1].id.rawValue)
            #expect(rows[1].duplicateOf?.rawValue == first)
            _ = try await client.json("/api/v1/cases/\(second)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
            let asLead = try await client.json("/api/v1/cases/\(second)", .get, token: leadToken)
            #expect(asLead.json?["duplicate_of"] as? String == first)
            let asPractitioner = try await client.json("/api/v1/cases/\(second)", .get, token: patToken)
            #expect(asPractitioner.status == .ok && asPractitioner.json?["duplicate_of"] == nil && !asPractitioner.text.contains(first))
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pat, codeAt: Date().addingTimeInterval(30))
            let page = try await browser.get("/staff/cases/\(second)")
            #expect(page.status == .ok && !page.text.contains(first) && !page.text.contains("Possible duplicate"))
            // Once the first case is theirs too, they may see the link.
            _ = try await client.json("/api/v1/cases/\(first)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
            let now = try await client.json("/api/v1/cases/\(second)", .get, token: patToken)
            #expect(now.json?["duplicate_of"] as? String == first)
        }
    }

    @Test func aFailureOnAStaffPageIsLoggedWithItsRequestIDAndNothingPersonal() async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let id = try await client.newCase(harness, canary: canary)
            // A ciphertext that no longer opens: the page cannot be built, a 500 the log must explain.
            try await harness.database.writer.write { db in
                try db.execute(sql: "UPDATE referral_case SET contact_name = X'00112233' WHERE id = ?", arguments: [id])
            }
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(lead)
            let page = try await browser.get("/staff/cases/\(id)")
            #expect(page.status == .internalServerError && page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
        let failures = harness.logs.text.split(separator: "\n").filter { $0.contains("request failed") }
        #expect(failures.count == 1)
        #expect(failures.first?.contains("request.id") == true && failures.first?.contains("error.type") == true)
        #expect(!harness.logs.text.contains(canary))
    }
}
