import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// Finding a family: by reference, exact email or phone, or part of a name; never another practitioner's family.
@Suite struct SearchTests {
    /// Two families: `mine` assigned to the practitioner, `theirs` to nobody. Each has its own name, email and phone.
    struct World {
        let mine: (id: String, reference: String, canary: String)
        let theirs: (id: String, reference: String, canary: String)
        let practitioner, lead: String
        let pat: TestStaff
    }

    static func world(_ harness: Harness, _ client: some TestClientProtocol) async throws -> World {
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        func refer(_ canary: String, phone: String) async throws -> (String, String, String) {
            let response = try await client.refer(Sample.json(Sample.referral(canary: canary, contact: ["name": "Zoë \(canary) Ashby", "phone": phone])))
            let reference = try require_(response.json?["reference"] as? String, "reference")
            let id = try await harness.database.reader.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM referral_case WHERE reference = ?", arguments: [reference])
            }
            return (try require_(id), reference, canary)
        }
        let mine = try await refer(Sample.canary(), phone: "07700 900111")
        let theirs = try await refer(Sample.canary(), phone: "07700 900222")
        let leadToken = try await client.signIn(lead)
        let assigned = try await client.json("/api/v1/cases/\(mine.0)/assign", .post, token: leadToken, body: ["practitioner": pat.email])
        #expect(assigned.status == .ok)
        // The practitioner's API code now, the browser's (in a test that opens pages) the next step's: a code works once.
        return World(mine: mine, theirs: theirs, practitioner: try await client.signIn(pat),
                     lead: try await client.signIn(lead, at: Date().addingTimeInterval(30)), pat: pat)
    }

    static func search(_ client: some TestClientProtocol, _ q: String, token: String) async throws -> TestResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return try await client.json("/api/v1/search?q=\(q.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")", .get, token: token)
    }

    static func references(_ response: TestResponse) -> [String] {
        ((response.json?["results"] as? [[String: Any]]) ?? []).compactMap { $0["reference"] as? String }
    }

    @Test func aPractitionerFindsTheirFamilyEveryWayAndAnotherFamilyNoWay() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let w = try await Self.world(harness, client)
            let mineCompact = w.mine.reference.lowercased().replacingOccurrences(of: "-", with: "")
            let ways: [(String, String, String)] = [
                (mineCompact, "rs \(w.theirs.reference.dropFirst(3).lowercased().replacingOccurrences(of: "-", with: " "))", "reference"),
                ("  \(w.mine.canary.uppercased())@EXAMPLE.ORG ", "\(w.theirs.canary.lowercased())@example.org", "email"),
                ("+44 7700 900111", "+44 7700-900222", "phone"),
                ("zoe \(w.mine.canary.lowercased())", "ZOË \(w.theirs.canary)", "name"),
            ]
            for (findsMine, findsTheirs, way) in ways {
                let mine = try await Self.search(client, findsMine, token: w.practitioner)
                #expect(mine.status == .ok)
                #expect(mine.json?["way"] as? String == way)
                #expect(Self.references(mine) == [w.mine.reference], "\(way)")
                let names = ((mine.json?["results"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
                #expect(names == ["Zoë \(w.mine.canary) Ashby"])
                // The adversary: the other family exists (a lead finds it) but the practitioner learns nothing of it.
                let theirs = try await Self.search(client, findsTheirs, token: w.practitioner)
                #expect(theirs.status == .ok && Self.references(theirs).isEmpty, "\(way) leaked another family")
                #expect(!theirs.text.contains(w.theirs.canary) && !theirs.text.contains(w.theirs.reference))
                #expect(Self.references(try await Self.search(client, findsTheirs, token: w.lead)) == [w.theirs.reference], "\(way)")
            }
            // A shared surname: the practitioner sees only their own; a lead sees both, newest first.
            #expect(Self.references(try await Self.search(client, "ashby", token: w.practitioner)) == [w.mine.reference])
            #expect(Self.references(try await Self.search(client, "ashby", token: w.lead)) == [w.theirs.reference, w.mine.reference])
            // Contact details are exact: part of an email or phone finds nothing.
            #expect(Self.references(try await Self.search(client, "\(w.mine.canary.lowercased())@example", token: w.lead)).isEmpty)
            #expect(Self.references(try await Self.search(client, "07700 90011", token: w.lead)).isEmpty)

            // Each search wrote one audit row with the way and count; no term reached the audit log or a log line.
            let audit = try await harness.database.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT actor, action, case_id, detail FROM audit_log WHERE action = 'case.search'").map { "\($0)" }
            }
            #expect(audit.count == 16)
            #expect(audit.contains { $0.contains("way=name results=2") })
            for canary in [w.mine.canary, w.theirs.canary] {
                #expect(!audit.joined().lowercased().contains(canary.lowercased()))
                #expect(!harness.logs.text.lowercased().contains(canary.lowercased()))
            }
            #expect(!harness.logs.text.contains("900111") && !harness.logs.text.contains("900222"))
        }
    }

    @Test func adminAndCouncilAreRefusedAndNothingIsAudited() async throws {
        let harness = try Harness()
        let admin = try await harness.addStaff("admin@example.org", role: .admin)
        let officer = try await harness.addStaff("officer@example.org", role: .council, area: "shropshire")
        try await harness.app().test(.router) { client in
            for member in [admin, officer] {
                let response = try await Self.search(client, "RS-AAAA-AAAA", token: try await client.signIn(member))
                #expect(response.status == .forbidden)
            }
            #expect(try await Self.search(client, "RS-AAAA-AAAA", token: "not-a-token").status == .unauthorized)
            let rows = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.search'")
            }
            #expect(rows == 0)
        }
    }

    @Test func badTermsAreRefusedNamingTheFieldNeverTheTerm() async throws {
        let harness = try Harness()
        let pat = try await harness.addStaff("pat@example.org", role: .practitioner)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(pat)
            for (q, code) in [("", "required"), ("   ", "required"), ("x", "too_short"), ("Zoe\u{7}CANARYBELL", "invalid_characters"),
                              ("Ann\u{202E}CANARYBIDI", "invalid_characters"), (String(repeating: "CANARYLONG", count: 21), "too_long")] {
                let response = try await Self.search(client, q, token: token)
                #expect(response.status == .unprocessableContent, "\(code)")
                let error = response.json?["error"] as? [String: Any]
                #expect(error?["code"] as? String == code)
                #expect(((error?["fields"] as? [[String: String]])?.first?["field"]) == "q")
                #expect(!response.text.contains("CANARY"))
            }
            let twice = try await client.json("/api/v1/search?q=ann&q=bob", .get, token: token)
            #expect(twice.status == .unprocessableContent)
            let missing = try await client.json("/api/v1/search", .get, token: token)
            #expect(missing.status == .unprocessableContent)
            let rows = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.search'")
            }
            #expect(rows == 0)
        }
    }

    @Test func thePageSearchesByPostAndAnswersInPlace() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let w = try await Self.world(harness, client)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(w.pat, codeAt: Date().addingTimeInterval(30))
            let cases = try await browser.get("/staff/cases")
            #expect(cases.text.contains("action=\"/staff/search\""))  // the box on every staff page
            let found = try await browser.post("/staff/search", [("q", "zoe \(w.mine.canary)")])
            #expect(found.status == .ok && found.headers[.location] == nil)
            #expect(found.text.contains(w.mine.reference) && found.text.contains("/staff/cases/\(w.mine.id)"))
            let none = try await browser.post("/staff/search", [("q", "\(w.theirs.canary)@example.org")])
            #expect(none.status == .ok && none.text.contains("No case you may open matches."))
            #expect(!none.text.contains(w.theirs.reference))
            let bad = try await browser.post("/staff/search", [("q", "")])
            #expect(bad.status == .unprocessableContent && bad.text.contains("There is a problem"))
            // Without the form's token nothing is searched.
            let forged = try await browser.post("/staff/search", [("q", "ashby")], token: "forged")
            #expect(forged.status == .forbidden)
            let rows = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.search'")
            }
            #expect(rows == 2)
            #expect(!harness.logs.text.lowercased().contains(w.mine.canary.lowercased()))
        }
    }

    /// A name search reads only open cases, for a practitioner as for a lead (it opens every candidate's name); a closed
    /// case is still found by its reference.
    @Test func aNameFindsOpenCasesAndAReferenceFindsAClosedOne() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let w = try await Self.world(harness, client)
            let name = "zoe \(w.mine.canary.lowercased())"
            #expect(Self.references(try await Self.search(client, name, token: w.practitioner)) == [w.mine.reference])
            #expect(try await client.json("/api/v1/cases/\(w.mine.id)/close", .post, token: w.lead, body: ["reason": "withdrawn"]).status == .ok)
            for token in [w.practitioner, w.lead] {
                #expect(Self.references(try await Self.search(client, name, token: token)).isEmpty)
                #expect(Self.references(try await Self.search(client, w.mine.reference, token: token)) == [w.mine.reference])
            }
        }
    }

    @Test func twentySearchesAtOnceEachAuditedOnce() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let w = try await Self.world(harness, client)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<20 {
                    group.addTask { try await Self.search(client, i.isMultiple(of: 2) ? "ashby" : w.mine.reference, token: w.lead).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            // The pool is bounded: a search it has no room for is refused at once (503), never queued without end.
            let ok = statuses.filter { $0.code == 200 }.count
            #expect(statuses.allSatisfy { $0.code == 200 || $0.code == 503 }, "\(statuses)")
            #expect(ok >= 1)
            let rows = try await harness.database.reader.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE action = 'case.search'")
            }
            #expect(rows == ok)
            #expect(try await harness.stores.audit.verifyAuditChain().isIntact)
        }
    }
}
