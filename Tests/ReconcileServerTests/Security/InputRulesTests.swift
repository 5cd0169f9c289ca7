import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer
@testable import ReconcileStore

/// Strict input: one meaning per body, lengths that cannot be smuggled past, text that reads as it is.
@Suite struct InputRulesTests {
    static func fieldProblem(_ response: TestResponse) -> (field: String, code: String)? {
        let fields = (response.json?["error"] as? [String: Any])?["fields"] as? [[String: String]]
        return fields?.first.map { ($0["field"] ?? "", $0["code"] ?? "") }
    }

    @Test(arguments: [
        #"{"council_area":"shropshire","council_area":"worcestershire"}"#,
        #"{"contact":{"name":"A","name":"B"}}"#,
        #"{"story":"a","stor\u0079":"b"}"#,
        #"{"harm":[{"x":1,"x":2}]}"#,
    ])
    func aJSONKeyTwiceIsRefused(duplicate: String) async throws {
        let harness = try Harness()
        // The duplicate goes in front of an otherwise valid referral, so only the duplicate can be the reason.
        let valid = String(decoding: Sample.json(Sample.referral(canary: Sample.canary())).readableBytesView, as: UTF8.self)
        let body = "{" + duplicate.dropFirst().dropLast() + "," + valid.dropFirst()
        try await harness.app().test(.router) { client in
            let r = try await client.refer(ByteBuffer(string: body))
            #expect(r.status == .badRequest)
            #expect((r.json?["error"] as? [String: Any])?["code"] as? String == "duplicate_key")
            let login = try await client.execute(uri: "/api/v1/staff/session", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"email":"a@example.org","email":"b@example.org","password":"x","totp":"1"}"#))
            #expect(login.status == .badRequest)
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    /// Found by `scripts/fuzz` (FuzzJSONObject): a key written once plainly and once with an escape is one key.
    @Test(arguments: [#"{"a":1,"\u0061":2}"#, #"{"\u0061":1,"a":2}"#, #"{"x":{"ab":1,"a\u0062":2}}"#, #"{"\u00e9":1,"é":2}"#])
    func aKeyWrittenPlainlyAndEscapedIsOneKey(body: String) {
        #expect(JSONObjectBody.refusal(Array(body.utf8)) == "duplicate_key")
    }

    /// Found by `scripts/fuzz` (FuzzFormBody): "=" or "&" followed by a combining mark is one Swift Character, and a
    /// form body split by Characters lost its name/value boundary there.
    @Test func aFormBodySplitsOnBytesNotCharacters() throws {
        let body = FormBody(Array("re\tfee=\u{0652}la&harm=\u{0}b&harm=c&x&\u{0301}=y&z=1+2%2B3".utf8))
        #expect(body?.values == ["re\tfee": ["\u{0652}la"], "harm": ["\u{0}b", "c"], "x": [""], "\u{0301}": ["y"], "z": ["1 2+3"]])
        #expect(FormBody(Array("a=%FF".utf8)) == nil && FormBody([0x61, 0x3D, 0xFF]) == nil, "not UTF-8: refused")
    }

    /// Found by `scripts/fuzz` (FuzzJSONObject against an independent RFC 8259 reader): Foundation's decoder reads
    /// bytes that are not UTF-8 and a comma before a closing bracket; the service refuses both as invalid JSON.
    @Test(arguments: [[0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], Array(#"{"a":[1,]}"#.utf8), Array(#"{"a":1,}"#.utf8),
                      Array(#"{"a":{"b":[1 , ] }}"#.utf8), Array("{\"a\":[1,\n]}".utf8)])
    func lenientJSONIsRefused(body: [UInt8]) {
        #expect(throws: APIError.self) { try JSONObjectBody.decode(body) }
    }

    /// What the reader of our own refuses that Foundation's decoder read (numbers such as `2.` were still lenient):
    /// every number, string, escape and nesting outside RFC 8259 or beyond what the service reads is `invalid_json`.
    @Test(arguments: [#"{"a":2.}"#, #"{"a":.5}"#, #"{"a":01}"#, #"{"a":+1}"#, #"{"a":-}"#, #"{"a":1e}"#, #"{"a":1.e5}"#,
                      #"{"a":0x10}"#, #"{"a":NaN}"#, #"{"a":Infinity}"#, #"{"a":1e400}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
                      #"{"a":"\ud800"}"#, #"{"a":"\udc00x"}"#, #"{"a":"\ud800\u0041"}"#, "{\"a\":\"tab\there\"}", "{\"a\":\u{A0}1}",
                      #"{'a':1}"#, #"{a:1}"#, #"{"a":1"#, #"{"a" 1}"#, #"{"a":tru}"#, #"{"a":nul}"#, "", "{", "}"])
    func onlyStrictJSONIsRead(body: String) {
        #expect(JSONObjectBody.refusal(Array(body.utf8)) == "invalid_json", "\(body)")
    }

    @Test func escapesNestingAndEquivalentKeys() throws {
        let text = try JSONObjectBody.decode(Array(#"{"a":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","b":-0.5E+2,"c":0}"#.utf8))
        #expect(text == ["a": .string("café 😀 \"q\" \\ / \u{8}\u{C}\n\r\t"), "b": .number(-50), "c": .number(0)])
        let deep = { (levels: Int) in Array(("{\"a\":" + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1) + "}").utf8) }
        #expect(JSONObjectBody.refusal(deep(JSONReader.maximumDepth)) == nil)
        #expect(JSONObjectBody.refusal(deep(JSONReader.maximumDepth + 1)) == "invalid_json", "a bound, not the stack, stops nesting")
        #expect(JSONObjectBody.refusal(deep(100_000)) == "invalid_json")
        // Two keys Swift sees as one (precomposed and combining) would collapse into one dictionary entry: refused.
        #expect(JSONObjectBody.refusal(Array("{\"caf\u{E9}\":1,\"cafe\u{301}\":2}".utf8)) == "duplicate_key")

        // Found by scripts/fuzz: a key repeated before the body stops being JSON is invalid_json, as any reader says.
        #expect(JSONObjectBody.refusal(Array(#"{"s":"x","n":null,"s":"x","n"1.5e3}"#.utf8)) == "invalid_json")
    }

    @Test func commasAndBracketsInsideStringsAreText() throws {
        let body = #"{"a":",]","b":"\",}","c":[1, 2]}"#
        #expect(try JSONObjectBody.decode(Array(body.utf8))["b"] == .string("\",}"))
    }

    @Test func theSameKeyInDifferentObjectsIsFine() {
        #expect(JSONObjectBody.refusal(Array(#"{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":"\"a\":"}"#.utf8)) == nil)
        #expect(JSONObjectBody.refusal(Array(#"{"a":{"b":1,"c":{"d":2},"b":3}}"#.utf8)) == "duplicate_key")
    }

    /// Every kind of value is read as what it is, whatever the order the reader tries them in: a number is never a
    /// string or a yes/no, nested lists and objects keep their shape, and a bad value deep inside refuses the body.
    @Test func everyKindOfValueIsReadAsItself() throws {
        let body = #"{"s":"1","n":1,"x":-2.5e3,"b":true,"f":false,"z":null,"a":[1,"x",false,null,{"k":[[]]}],"o":{"p":{"q":"r"}},"e":[]}"#
        let value = try JSONObjectBody.decode(Array(body.utf8))
        #expect(value == ["s": .string("1"), "n": .number(1), "x": .number(-2500), "b": .bool(true), "f": .bool(false), "z": .null,
                          "a": .array([.number(1), .string("x"), .bool(false), .null, .object(["k": .array([.array([])])])]),
                          "o": .object(["p": .object(["q": .string("r")])]), "e": .array([])])
        for bad in [#"{"a":[{"b":[1e999]}]}"#, #"{"a":{"b":[tru]}}"#, "[1]", #""x""#, #"{"a":1} x"#] {
            #expect(throws: APIError.self, "\(bad)") { try JSONObjectBody.decode(Array(bad.utf8)) }
        }
    }

    @Test func lengthsCountScalarsNotGraphemes() async throws {
        let harness = try Harness()
        // One visible "character" carrying 150 combining accents is 151 scalars: over the 100 allowed for a name.
        let heavy = "e" + String(repeating: "\u{0301}", count: 150)
        #expect(heavy.count == 1)
        try await harness.app().test(.router) { client in
            let r = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), contact: ["name": heavy])))
            #expect(r.status == .unprocessableContent)
            #expect(Self.fieldProblem(r)?.field == "contact.name" && Self.fieldProblem(r)?.code == "too_long")
        }
        #expect(FreeText.isTooLong(String(repeating: "\u{0301}", count: 10_001), max: 10_000))
        #expect(!FreeText.isTooLong(String(repeating: "😀", count: 100), max: 100))
    }

    @Test func emailsAndNamesAreComposedBeforeTheBlindIndex() async throws {
        let harness = try Harness()
        let composed = "jos\u{00E9}@example.org", decomposed = "jose\u{0301}@example.org"
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        try await harness.app().test(.router) { client in
            for email in [composed, decomposed] {
                let r = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), contact: ["email": email, "phone": ""])))
                #expect(r.status == .created)
            }
        }
        let rows = try await harness.database.reader.read { db in try CaseRecord.order(CaseRecord.Columns.receivedAt).fetchAll(db) }
        try #require(rows.count == 2)
        #expect(rows[1].duplicateOf == rows[0].id, "the same address in two Unicode spellings is one person")
        let referral = try await harness.database.reader.read { db in
            try AppDatabase.decryptReferral(rows[1], cipher: try AppDatabase.caseCipher(db, caseID: rows[1].id, keys: harness.keys))
        }
        #expect(referral.contact.email.map { Array($0.utf8) } == Array(composed.utf8))
    }

    static let hidden = ["\u{202E}", "\u{2066}", "\u{200B}", "\u{0007}", "\u{2028}", "\u{FEFF}"]

    @Test(arguments: hidden)
    func controlAndBidiCharactersAreRefusedInEveryFreeText(character: String) async throws {
        let harness = try Harness()
        let lead = try await harness.addStaff("lead@example.org", role: .lead)
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness)
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            let token = try await client.signIn(lead)
            let text = "reads one way\(character) and another"
            let attempts: [(String, HTTPRequest.Method, String?, [String: Any], String)] = [
                ("/api/v1/cases/\(caseID)/acknowledge", .post, token, ["method": "phone", "note": text], "note"),
                ("/api/v1/cases/\(caseID)/messages", .post, token, ["body": text], "body"),
                ("/api/v1/themes", .post, token, ["quarter": "2025-Q1", "council_area": "shropshire", "text": text], "text"),
            ]
            for (uri, method, bearer, body, field) in attempts {
                let r = try await client.json(uri, method, token: bearer, body: body)
                #expect(r.status == .unprocessableContent, "\(uri)")
                #expect(Self.fieldProblem(r)?.field == field && Self.fieldProblem(r)?.code == "invalid_characters", "\(uri)")
            }
            let portal = try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase)
            let reply = try await client.json("/api/v1/portal/messages", .post, token: portal.json?["token"] as? String, body: ["body": text])
            #expect(reply.status == .unprocessableContent && Self.fieldProblem(reply)?.field == "body")
            // Line breaks and tabs are fine in notes.
            let fine = try await client.json("/api/v1/cases/\(caseID)/acknowledge", .post, token: token,
                                             body: ["method": "phone", "note": "line one\nline two\tend"])
            #expect(fine.status == .ok)
        }
        let kept = try await harness.database.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM case_message) + (SELECT COUNT(*) FROM lessons_theme)")!
        }
        #expect(kept == 0, "nothing refused was stored")
    }
}
