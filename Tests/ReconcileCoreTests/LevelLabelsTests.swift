import Foundation
import Testing
@testable import ReconcileCore

/// `policies/levels.json` as a partner's administrator edits it: every area needs its four labels, a typo stops
/// the start with a line naming it.
@Suite struct LevelLabelsTests {
    static let areas = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]
    static var shipped: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("policies/levels.json")
    }

    func load(_ json: String) throws -> LevelLabels {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("levels-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try LevelLabels.load(from: file, councilAreas: Self.areas)
    }

    static func file(herefordshire: String = #"{"1": "a", "2": "b", "3": "c", "4": "d"}"#, from: Int = 4) -> String {
        let others = areas.dropFirst().map { #""\#($0)": {"labels": {"1": "a", "2": "b", "3": "c", "4": "d"}, "confirmed": true}"# }
        return #"{"consider_safeguarding_from": \#(from), "areas": {"herefordshire": {"labels": \#(herefordshire), "confirmed": true}, \#(others.joined(separator: ", "))}}"#
    }

    @Test func theShippedFileSpeaksEachAreasWordsAndPromptsAtLevelFour() throws {
        let levels = try LevelLabels.load(from: Self.shipped, councilAreas: Self.areas)
        #expect(levels.label(.acuteOrSpecialist, in: "herefordshire") == "Statutory social care")
        #expect(levels.promptsSafeguarding(.acuteOrSpecialist) && !levels.promptsSafeguarding(.complex))
        #expect(levels.unconfirmed == Self.areas, "nothing is confirmed until the partner checks it")
        #expect(LevelLabels().label(.additional, in: "herefordshire") == "Additional", "no file: the generic words")
    }

    @Test func aFileThatLeavesSomethingOutOrNamesSomethingUnknownIsRefusedNamingIt() throws {
        #expect(try load(Self.file()).label(.universal, in: "herefordshire") == "a")
        #expect(try load(Self.file(from: 3)).promptsSafeguarding(.complex))
        let bad: [(String, String)] = [
            (Self.file(herefordshire: #"{"1": "a", "2": "b", "3": "c"}"#), "level 4"),
            (Self.file(herefordshire: #"{"1": "a", "2": "b", "3": "c", "4": "  "}"#), "level 4"),
            (Self.file(herefordshire: #"{"1": "a", "2": "b", "3": "c", "4": "d", "5": "e"}"#), "\"5\""),
            (Self.file(from: 7), "consider_safeguarding_from"),
            (Self.file().replacingOccurrences(of: "\"worcestershire\"", with: "\"worcester\""), "worcester"),
        ]
        for (json, named) in bad {
            #expect { try load(json) } throws: { ($0 as? DirectoryError)?.description.contains(named) == true }
        }
        #expect(throws: (any Error).self) { try load("{}") }
    }
}
