import Foundation
import ReconcileCore
import ReconcileReports
import Testing
@testable import ReconcileStore

/// Themes are screened word by word against the area's personal values and the local schools.
@Suite struct ThemeScreeningTests {
    typealias H = ReportHarness

    @Test func everyWordOfTheAreasValuesAndSchoolsIsScreenedOnWordBoundaries() async throws {
        let h = try H()
        try await h.newCase("2025-05-02T10:00:00Z", name: "Ann Smith", email: "a.kowalczyk99@example.org", phone: "07700 900 481",
                      address: "14 Larkspur Road\nLudlow\nSY8 1AA")
        try await h.newCase("2025-05-02T10:00:00Z", area: "herefordshire", name: "Bea Jones", email: "bea@example.org")
        let themes: [(String, Bool)] = [
            ("The Smith family felt unheard", true),
            ("SMITH'S mother asked for evening calls", true),
            ("A parent called Ann rang twice", true),
            ("Kowalczyk is not a word anyone uses by chance", true),
            ("Families on Larkspur said the same", true),
            ("Pupils at meole BRACE described a culture of silence", true),
            ("Pupils at MeoleBrace described it too", true),
            ("Someone near sy8 1aa felt unheard", true),
            ("Call 07700 900481 was mentioned", true),
            ("Smithfield families wanted answers", false),
            ("Families wanted to be heard the same week", false),
            ("Ludlow families said the school road was unsafe", false),
            ("Jones is a name held only in another area", false),
            ("A nearby academy and its primary school", false),
        ]
        let holding = try await h.stores.reports.themesHoldingPersonalValues(themes.map(\.0), councilArea: "shropshire",
                                                                 schoolNames: ["Meole Brace School"])
        for (index, (text, refused)) in themes.enumerated() {
            #expect(holding.contains(index) == refused, "\(text)")
        }
    }

    @Test func theShippedSchoolListLoadsAndAMalformedOneIsRefused() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../policies/schools.json")
        let names = try LocalSchools.load(from: shipped)
        #expect(!names.isEmpty)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try LocalSchools.load(from: dir.appendingPathComponent("none.json")) == [])
        for bad in [#"{"schools": ["A"], "extra": 1}"#, #"{"schools": "A"}"#, #"{"schools": ["\u202eA"]}"#, "[]"] {
            let file = dir.appendingPathComponent("schools.json")
            try Data(bad.utf8).write(to: file)
            #expect(throws: LocalSchools.Problem.self, "\(bad)") { try LocalSchools.load(from: file) }
        }
    }
}
