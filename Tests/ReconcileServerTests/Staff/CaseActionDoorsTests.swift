import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer

/// The API and the staff pages are two doors to the same case steps. Tried as a practitioner who types
/// badly, or a script that posts forms by hand: each bad input is refused by both doors in the same way,
/// naming the same field, and changes nothing; a good input is stored the same whichever door it came by.
@Suite struct CaseActionDoorsTests {
    /// A bad input for one step: the JSON body and the form fields that say the same thing, and the field
    /// both doors must name.
    struct BadInput: Sendable, CustomTestStringConvertible {
        let path: String
        let json: [String: any Sendable]
        let form: [(String, String)]
        let field: String
        var testDescription: String { "\(path) \(field)" }
    }

    static let nul = "\u{0}"
    static let badInputs: [BadInput] = [
        BadInput(path: "acknowledge", json: [:], form: [], field: "method"),
        BadInput(path: "acknowledge", json: ["method": "fax"], form: [("method", "fax")], field: "method"),
        BadInput(path: "listening-sessions", json: ["date": "2026-01-05", "duration_minutes": "forty", "modality": "phone"],
                 form: [("date", "2026-01-05"), ("duration_minutes", "forty"), ("modality", "phone")], field: "duration_minutes"),
        BadInput(path: "listening-sessions", json: ["duration_minutes": 40, "modality": "phone"],
                 form: [("date", ""), ("duration_minutes", "40"), ("modality", "phone")], field: "date"),
        BadInput(path: "listening-sessions", json: ["date": "2026-01-05", "duration_minutes": 40, "modality": "carrier_pigeon"],
                 form: [("date", "2026-01-05"), ("duration_minutes", "40"), ("modality", "carrier_pigeon")], field: "modality"),
        BadInput(path: "assessment", json: ["level_of_need": 7, "needs": ["counselling"]],
                 form: [("level_of_need", "7"), ("needs", "counselling")], field: "level_of_need"),
        BadInput(path: "assessment", json: ["level_of_need": 2, "needs": [String]()], form: [("level_of_need", "2")], field: "needs"),
        BadInput(path: "assessment", json: ["level_of_need": 2, "needs": ["bogus"]],
                 form: [("level_of_need", "2"), ("needs", "bogus")], field: "needs"),
        BadInput(path: "signposts", json: ["service": "no-such-service", "need": "counselling"],
                 form: [("service", "no-such-service"), ("need", "counselling")], field: "service"),
        BadInput(path: "safeguarding", json: [:], form: [("parents_informed", "true")], field: "routes"),
        BadInput(path: "safeguarding", json: ["routes": ["social_care", "the_press"], "parents_informed": true],
                 form: [("routes", "social_care"), ("routes", "the_press"), ("parents_informed", "true")], field: "routes"),
        BadInput(path: "safeguarding", json: ["routes": ["police"]], form: [("routes", "police")], field: "parents_informed"),
        BadInput(path: "safeguarding", json: ["routes": ["lado"], "parents_informed": false], form: [("routes", "lado"), ("parents_informed", "false")],
                 field: "parents_not_informed_reason"),
        BadInput(path: "safeguarding", json: ["routes": ["police"], "parents_informed": true, "area_referred_to": "mars"],
                 form: [("routes", "police"), ("parents_informed", "true"), ("area_referred_to", "mars")], field: "area_referred_to"),
        BadInput(path: "messages", json: ["body": "   "], form: [("body", "   ")], field: "body"),
        BadInput(path: "close", json: ["reason": "bored"], form: [("reason", "bored")], field: "reason"),
        // Refused by the store inside its transaction, after the lifecycle allowed the step: the same for both doors.
        BadInput(path: "acknowledge", json: ["method": "phone", "note": "rang\(nul)mum"], form: [("method", "phone"), ("note", "rang\(nul)mum")],
                 field: "note"),
        BadInput(path: "assign", json: ["practitioner": " "], form: [("practitioner", " ")], field: "practitioner"),
    ]

    @Test(arguments: badInputs)
    func aBadInputIsRefusedAlikeByBothDoorsAndChangesNothing(_ bad: BadInput) async throws {
        let harness = try Harness()
        let apiLead = try await harness.addStaff("api-lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(apiLead)
            var browser = PageBrowser(client: client)
            #expect(try await browser.signIn(pageLead).status == .seeOther)
            let id = try await client.newCase(harness)
            let before = try await Self.events(client, id, token)

            let api = try await client.json("/api/v1/cases/\(id)/\(bad.path)", .post, token: token, body: bad.json)
            _ = try await browser.get("/staff/cases/\(id)")
            let page = try await browser.post("/staff/cases/\(id)/\(bad.path)", bad.form)

            #expect(api.status == .unprocessableContent)
            let fields = (api.json?["error"] as? [String: Any])?["fields"] as? [[String: Any]]
            #expect(fields?.first?["field"] as? String == bad.field)
            // The page says the same: the same status and the same field named in its message.
            #expect(page.status == api.status)
            #expect(page.text.contains("\(bad.field):"), "the page does not name \(bad.field)")
            #expect(try await Self.events(client, id, token) == before)
        }
    }

    @Test func aNoteIsStoredAlikeWhicheverDoorItCameBy() async throws {
        let harness = try Harness()
        let apiLead = try await harness.addStaff("api-lead@example.org", role: .lead)
        let pageLead = try await harness.addStaff("page-lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let token = try await client.signIn(apiLead)
            var browser = PageBrowser(client: client)
            _ = try await browser.signIn(pageLead)
            let (viaAPI, viaPage) = (try await client.newCase(harness), try await client.newCase(harness))
            let note = "  rang mum,\r\n all fine  "
            let api = try await client.json("/api/v1/cases/\(viaAPI)/acknowledge", .post, token: token, body: ["method": "phone", "note": note])
            #expect(api.status == .ok && api.json?["stage"] as? String == "acknowledged")
            _ = try await browser.get("/staff/cases/\(viaPage)")
            let page = try await browser.post("/staff/cases/\(viaPage)/acknowledge", [("method", "phone"), ("note", note)])
            #expect(page.status == .seeOther)
            let notes = try await [viaAPI, viaPage].asyncMap { id in
                let timeline = try await client.json("/api/v1/cases/\(id)/timeline", .get, token: token)
                return ((timeline.json?["events"] as? [[String: Any]])?.last?["note"] as? String)
            }
            #expect(notes[0] != nil && notes[0] == notes[1])
            #expect(notes[0]?.hasPrefix("rang mum") == true && notes[0]?.hasSuffix("all fine") == true)
        }
    }

    @Test func aRoleThatMayNotTakeAStepIsRefusedBeforeItsFieldsAreRead() async throws {
        let harness = try Harness()
        let practitioner = try await harness.addStaff("practitioner@example.org", role: .practitioner)
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let leadToken = try await client.signIn(lead)
            let id = try await client.newCase(harness)
            _ = try await client.json("/api/v1/cases/\(id)/assign", .post, token: leadToken, body: ["practitioner": practitioner.email])
            let token = try await client.signIn(practitioner)
            // Assigning is for leads: an empty or unknown field does not tell a practitioner what the step takes.
            for body: [String: Any] in [[:], ["practitioner": ""], ["nonsense": 1]] {
                let r = try await client.json("/api/v1/cases/\(id)/assign", .post, token: token, body: body)
                #expect(r.status == .forbidden)
            }
        }
    }

    static func events(_ client: some TestClientProtocol, _ id: String, _ token: String) async throws -> Int {
        let timeline = try await client.json("/api/v1/cases/\(id)/timeline", .get, token: token)
        return try #require((timeline.json?["events"] as? [Any])?.count)
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
