import Foundation
import Testing
@testable import ReconcileCore

@Suite struct SettingsTests {
    static let shipped = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/reconcile.json")

    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func shippedFileHoldsTheDocumentedDefaults() throws {
        let settings = try Settings.load(files: [Self.shipped], environment: [:])
        #expect(settings == Settings())
        #expect(settings.limits.intakePerMinute == 20)
        #expect(settings.areas.councilAreas == ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"])
        #expect(settings.workflow.acknowledgementWorkingDays == 2)
        #expect(settings.voices.minimumPerRelease == 3)
    }

    @Test func voicesMinimumIsReadFromFileAndEnvironmentAndBounded() throws {
        let file = try write(#"{"voices": {"minimum_per_release": 5}}"#)
        #expect(try Settings.load(files: [Self.shipped, file], environment: [:]).voices.minimumPerRelease == 5)
        #expect(try Settings.load(files: [Self.shipped], environment: ["RECONCILE_VOICES_MINIMUM_PER_RELEASE": "4"]).voices.minimumPerRelease == 4)
        for bad in [#"{"voices": {"minimum_per_release": 1}}"#, #"{"voices": {"minimum_per_release": 0}}"#, #"{"voices": {"minimum_per_releases": 3}}"#] {
            let file = try write(bad)
            #expect(throws: SettingsError.self) { try Settings.load(files: [file], environment: [:]) }
        }
    }

    @Test func laterSourcesOverrideEarlierOnes() throws {
        let file = try write(#"{"limits": {"intake_per_minute": 5}, "server": {"port": 9000}}"#)
        let settings = try Settings.load(
            files: [Self.shipped, file],
            environment: ["RECONCILE_LIMITS_INTAKE_PER_MINUTE": "0", "RECONCILE_AREAS_COUNCIL_AREAS": "north, south"])
        #expect(settings.limits.intakePerMinute == 0, "environment beats the --config file")
        #expect(settings.server.port == 9000, "the --config file beats the shipped file")
        #expect(settings.areas.councilAreas == ["north", "south"])
    }

    @Test(arguments: [
        #"{"limits": {"intake_per_minut": 5}}"#,       // typo
        #"{"limits": {"intake_per_minute": "5"}}"#,    // wrong type
        #"{"limits": {"intake_per_minute": true}}"#,   // boolean is not a number
        #"{"limits": {"intake_per_minute": 2.5}}"#,    // fraction
        #"{"limits": {"intake_per_minute": -1}}"#,     // negative
        #"{"reporting": {"quarter_start_month": 13}}"#,
        #"{"areas": {"council_areas": []}}"#,
        #"{"areas": {"council_areas": ["Bad Name"]}}"#,
        #"["not", "an", "object"]"#,
        "not json",
    ])
    func badSettingsAreRefusedWithAReason(json: String) throws {
        let file = try write(json)
        #expect(throws: SettingsError.self) { try Settings.load(files: [file], environment: [:]) }
    }

    @Test func badEnvironmentValueIsRefused() {
        #expect(throws: SettingsError("RECONCILE_LIMITS_INTAKE_PER_MINUTE must be a whole number")) {
            try Settings.load(files: [], environment: ["RECONCILE_LIMITS_INTAKE_PER_MINUTE": "many"])
        }
    }

    @Test func missingRequiredFileIsAnError() {
        #expect(throws: SettingsError.self) {
            try Settings.load(files: [URL(fileURLWithPath: "/nonexistent/reconcile.json")], environment: [:])
        }
    }
}

@Suite struct ContactNormaliserTests {
    @Test func emailsCompareWithoutCaseOrSpaces() {
        #expect(ContactNormaliser.email(" Ann@Example.ORG\n") == "ann@example.org")
    }

    @Test(arguments: ["07700 900123", "+44 7700 900123", "0044 7700-900-123", "(07700) 900 123"])
    func ukPhoneFormsNormaliseAlike(phone: String) {
        #expect(ContactNormaliser.phone(phone) == "07700900123")
    }
}
