import Foundation
import Testing
@testable import ReconcileCore

@Suite struct ServiceDirectoryTests {
    static let shipped = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/services.json")

    static let westMercia = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]

    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("services-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A valid entry as JSON, with one field replaced or removed, for building bad files.
    func entry(_ id: String, replacing field: String? = nil, with value: String? = nil) -> String {
        var fields: [(String, String)] = [
            ("id", "\"\(id)\""), ("name", "\"A service\""), ("description", "\"What it does.\""),
            ("needs", "[\"counselling\"]"), ("areas", "[\"national\"]"), ("how_to_reach", "\"To be confirmed by the partner.\""),
        ]
        if let field {
            fields.removeAll { $0.0 == field }
            if let value { fields.append((field, value)) }
        }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    func load(_ entries: [String]) throws -> ServiceDirectory {
        try ServiceDirectory.load(from: write(#"{"services": ["# + entries.joined(separator: ", ") + "]}"),
                                  councilAreas: Self.westMercia)
    }

    // MARK: The shipped directory

    @Test func shippedDirectoryLoadsWithTheDefaultAreas() throws {
        let directory = try ServiceDirectory.load(from: Self.shipped, councilAreas: Settings().areas.councilAreas)
        #expect(directory.services.count >= 15)
        for id in ["rape_crisis", "the_survivors_trust", "west_mercia_rasasc", "nspcc", "barnardos", "victim_support",
                   "stop_it_now", "anti_bullying_alliance", "brook", "uk_safer_internet_centre",
                   "internet_watch_foundation", "ceop", "parentzone", "independent_legal_advice"] {
            #expect(directory.service(id: id) != nil, "missing \(id)")
        }
    }

    @Test func shippedDirectoryHasNoContactDetailsYet() throws {
        let directory = try ServiceDirectory.load(from: Self.shipped, councilAreas: Self.westMercia)
        for service in directory.services {
            #expect(service.howToReach == "To be confirmed by the partner.", "\(service.id)")
            #expect(!service.description.isEmpty, "\(service.id)")
            let text = service.description + service.name
            #expect(!text.contains("http") && !text.contains("www.") && !text.contains("@"), "\(service.id)")
            #expect(text.range(of: #"\d{4}"#, options: .regularExpression) == nil, "\(service.id) looks like it has a number")
        }
    }

    @Test func everyNeedCanBeSignpostedInEveryShippedArea() throws {
        let directory = try ServiceDirectory.load(from: Self.shipped, councilAreas: Self.westMercia)
        for area in Self.westMercia {
            let met = Set(directory.services(for: area).flatMap(\.needs))
            #expect(met == Set(Need.allCases), "\(area) lacks \(Set(Need.allCases).subtracting(met))")
            // Local services are part of each area's list: its specialist centre and its own CAMHS.
            #expect(directory.services(for: area).contains { $0.id == "west_mercia_rasasc" })
            #expect(directory.services(for: area).contains { $0.id == "camhs_\(area)" })
        }
    }

    // MARK: Lookups

    @Test func servicesForAnAreaAreTheNationalOnesAndItsOwn() throws {
        let directory = try load([
            entry("national_one"),
            entry("shropshire_only", replacing: "areas", with: #"["shropshire"]"#),
            entry("two_areas", replacing: "areas", with: #"["herefordshire", "worcestershire"]"#),
        ])
        #expect(directory.services(for: "shropshire").map(\.id) == ["national_one", "shropshire_only"])
        #expect(directory.services(for: "worcestershire").map(\.id) == ["national_one", "two_areas"])
        #expect(directory.services(for: "elsewhere").map(\.id) == ["national_one"])
        #expect(directory.service(id: "two_areas")?.areas == ["herefordshire", "worcestershire"])
        #expect(directory.service(id: "absent") == nil)
    }

    @Test func serviceJSONUsesSnakeCaseKeys() throws {
        let service = Service(id: "x", name: "X", description: "d", needs: [.onlineSafety], areas: ["national"],
                              howToReach: "h")
        let json = try #require(String(data: try JSONEncoder().encode(service), encoding: .utf8))
        #expect(json.contains(#""how_to_reach":"h""#))
        #expect(json.contains(#""needs":["online_safety"]"#))
        #expect(try JSONDecoder().decode(Service.self, from: Data(json.utf8)) == service)
    }

    // MARK: Validation: each rule refuses a bad file and names the entry

    @Test(arguments: [
        ("Bad_Id", "service \"Bad_Id\": id must be lower_snake_case"),
        ("two__underscores", "service \"two__underscores\": id must be lower_snake_case"),
        ("9lives", "service \"9lives\": id must be lower_snake_case"),
        ("has space", "service \"has space\": id must be lower_snake_case"),
    ])
    func idsMustBeLowerSnakeCase(id: String, expected: String) throws {
        try expectRefusal([entry("fine"), entry(id)], containing: expected)
    }

    @Test func idsMustBeUnique() throws {
        try expectRefusal([entry("nspcc"), entry("brook"), entry("nspcc")],
                          containing: "service \"nspcc\": id is used by an earlier entry")
    }

    @Test func nameMustNotBeEmpty() throws {
        try expectRefusal([entry("fine"), entry("blank_name", replacing: "name", with: #""   ""#)],
                          containing: "service \"blank_name\": name is empty")
    }

    @Test func needsMustBeKnown() throws {
        try expectRefusal([entry("misspelt", replacing: "needs", with: #"["counselling", "counseling"]"#)],
                          containing: "service \"misspelt\": need \"counseling\" is not one of")
    }

    @Test func needsMustNotBeEmpty() throws {
        try expectRefusal([entry("no_needs", replacing: "needs", with: "[]")], containing: "service \"no_needs\": needs is empty")
    }

    @Test func areasMustBeNationalOrConfigured() throws {
        try expectRefusal([entry("far_away", replacing: "areas", with: #"["shropshire", "cornwall"]"#)],
                          containing: "service \"far_away\": area \"cornwall\" is neither")
        try expectRefusal([entry("no_areas", replacing: "areas", with: "[]")], containing: "service \"no_areas\": areas is empty")
    }

    @Test func anAreaValidForOneDeploymentIsRefusedByAnother() throws {
        let url = try write(#"{"services": ["# + entry("local", replacing: "areas", with: #"["shropshire"]"#) + "]}")
        #expect(throws: Never.self) { try ServiceDirectory.load(from: url, councilAreas: ["shropshire"]) }
        #expect(throws: DirectoryError.self) { try ServiceDirectory.load(from: url, councilAreas: ["cornwall"]) }
    }

    @Test(arguments: ["name", "description", "needs", "areas", "how_to_reach"])
    func missingFieldsAreNamed(field: String) throws {
        try expectRefusal([entry("incomplete", replacing: field)], containing: "service \"incomplete\": \(field) is missing")
    }

    @Test func misspeltFieldIsRefused() throws {
        let bad = entry("typo").replacingOccurrences(of: "}", with: #", "how_to_reahc": "x"}"#)
        try expectRefusal([bad], containing: "service \"typo\": unknown field \"how_to_reahc\"")
    }

    @Test func wrongTypeIsNamed() throws {
        try expectRefusal([entry("wrong", replacing: "needs", with: #""counselling""#)],
                          containing: "service \"wrong\": a field has the wrong type")
    }

    @Test func entryWithoutAnIdIsNamedByPosition() throws {
        try expectRefusal([entry("first"), entry("ignored", replacing: "id")], containing: "service number 2 (no id): id is missing")
    }

    @Test(arguments: [#"{"service": []}"#, #"[]"#, "not json"])
    func wrongFileShapeIsRefused(json: String) throws {
        let url = try write(json)
        #expect(throws: DirectoryError.self) { try ServiceDirectory.load(from: url, councilAreas: Self.westMercia) }
    }

    @Test func missingFileIsRefused() {
        #expect(throws: DirectoryError("services.json: cannot be read")) {
            try ServiceDirectory.load(from: URL(fileURLWithPath: "/nonexistent/services.json"), councilAreas: Self.westMercia)
        }
    }

    func expectRefusal(_ entries: [String], containing expected: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        do {
            let directory = try load(entries)
            Issue.record("expected a refusal, loaded \(directory.services.count) services", sourceLocation: sourceLocation)
        } catch let error as DirectoryError {
            #expect(error.description.contains(expected), "got: \(error.description)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("services-"), "errors start with the file name", sourceLocation: sourceLocation)
        }
    }
}
