import Foundation
import Testing
@testable import ReconcileReports

/// `policies/disclosure.json`'s `"preset"`: a named convention that the file's other keys then adjust.
@Suite struct DisclosurePresetTests {
    func load(_ json: String) throws -> DisclosurePolicy {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("disclosure-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try DisclosurePolicy.load(from: url)
    }

    @Test func bothPresetsDecode() throws {
        let gss = try load(#"{"preset": "gss"}"#)
        #expect(gss == DisclosurePolicy() && gss.threshold == 4 && gss.roundingBase == nil)
        let opensafely = try load(#"{"preset": "opensafely"}"#)
        #expect(opensafely.threshold == 7 && opensafely.roundingBase == 5 && opensafely.marker == "c" && opensafely.minimumRange == 2)
    }

    @Test func keysBesideAPresetAdjustIt() throws {
        let stricter = try load(#"{"preset": "opensafely", "threshold": 9, "minimum_range": 3}"#)
        #expect(stricter.threshold == 9 && stricter.roundingBase == 5 && stricter.minimumRange == 3)
        let unrounded = try load(#"{"preset": "opensafely", "rounding_base": null}"#)
        #expect(unrounded.threshold == 7 && unrounded.roundingBase == nil)
    }

    @Test(arguments: [#"{"preset": "ons"}"#, #"{"preset": "GSS"}"#, #"{"preset": 1}"#, #"{"preset": null}"#, #"{"preset": ["gss"]}"#])
    func anUnknownPresetIsRefusedNamingTheChoices(json: String) throws {
        do {
            _ = try load(json)
            Issue.record("\(json) was accepted")
        } catch let error as DisclosurePolicyError {
            #expect(error.description.hasSuffix("preset must be one of gss, opensafely"), "\(error.description)")
        }
    }
}
