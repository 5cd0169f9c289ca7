import Foundation
import Testing
@testable import ReconcileCore

/// `policies/recording.json` as a partner's administrator would edit it: a typo must stop the service with a
/// line naming it, never silently require nothing.
@Suite struct RecordingPolicyTests {
    static var shipped: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("policies/recording.json")
    }

    func load(_ json: String) throws -> RecordingPolicy {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("recording-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try RecordingPolicy.load(from: file)
    }

    @Test func theShippedFileIsTheDefaultTheReviewAskedFor() throws {
        let policy = try RecordingPolicy.load(from: Self.shipped)
        #expect(policy == RecordingPolicy())
        #expect(policy.requires("advice_given", on: .listeningSession))
        #expect(policy.requires("reason", on: .close))
        #expect(!policy.requires("actions_agreed", on: .listeningSession))
    }

    @Test func aTypoInAStepOrAFieldIsRefusedNamingIt() throws {
        #expect { try load(#"{"required": {"listening_sesion": ["advice_given"]}}"#) } throws: {
            ($0 as? DirectoryError)?.description.contains("listening_sesion") == true
        }
        #expect { try load(#"{"required": {"listening_session": ["advise_given"]}}"#) } throws: {
            ($0 as? DirectoryError)?.description.contains("advise_given") == true
        }
        // A reason is something a session does not take.
        #expect(throws: DirectoryError.self) { try load(#"{"required": {"listening_session": ["reason"]}}"#) }
        #expect(throws: (any Error).self) { try load(#"{"required": ["advice_given"]}"#) }
        #expect(throws: (any Error).self) { try load("") }
    }

    @Test func anEmptyPolicyRequiresNothing() throws {
        let policy = try load(#"{"required": {}}"#)
        for step in RecordingPolicy.Step.allCases {
            for field in RecordingPolicy.fields[step]! { #expect(!policy.requires(field, on: step)) }
        }
    }
}
