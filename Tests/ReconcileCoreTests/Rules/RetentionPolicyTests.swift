import Foundation
import Testing
@testable import ReconcileCore

@Suite struct RetentionPolicyTests {
    static let shipped = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/retention.json")

    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func refusal(_ json: String) throws -> String? {
        let url = try write(json)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try RetentionPolicy.load(from: url)
            return nil
        } catch let error as RetentionPolicyError {
            return error.description
        }
    }

    @Test func theShippedPolicyIsTheDefault() throws {
        let policy = try RetentionPolicy.load(from: Self.shipped)
        #expect(policy == RetentionPolicy())
        #expect(policy.erasureCoolingOffDays == 14 && policy.closedCaseRetentionMonths == 24)
    }

    @Test func valuesAreReadAndMissingKeysKeepTheirDefault() throws {
        let both = try RetentionPolicy.load(from: write(#"{"erasure_cooling_off_days": 0, "closed_case_retention_months": 240}"#))
        #expect(both == RetentionPolicy(erasureCoolingOffDays: 0, closedCaseRetentionMonths: 240))
        let one = try RetentionPolicy.load(from: write(#"{"closed_case_retention_months": 36}"#))
        #expect(one == RetentionPolicy(erasureCoolingOffDays: 14, closedCaseRetentionMonths: 36))
        #expect(try RetentionPolicy.load(from: write("{}")) == RetentionPolicy())
    }

    @Test func badFilesAreRefusedNamingTheKey() throws {
        let cases: [(String, String)] = [
            (#"{"erasure_cooling_off_day": 14}"#, "unknown key \"erasure_cooling_off_day\""),
            (#"{"erasure_cooling_off_days": 91}"#, "erasure_cooling_off_days must be 0–90"),
            (#"{"erasure_cooling_off_days": -1}"#, "erasure_cooling_off_days must be 0–90"),
            (#"{"closed_case_retention_months": 0}"#, "closed_case_retention_months must be 1–240"),
            (#"{"closed_case_retention_months": 241}"#, "closed_case_retention_months must be 1–240"),
            (#"{"closed_case_retention_months": "24"}"#, "closed_case_retention_months must be a whole number"),
            (#"{"closed_case_retention_months": true}"#, "closed_case_retention_months must be a whole number"),
            (#"{"erasure_cooling_off_days": 1.5}"#, "erasure_cooling_off_days must be a whole number"),
            (#"{"erasure_cooling_off_days": null}"#, "erasure_cooling_off_days must be a whole number"),
        ]
        for (json, expected) in cases {
            let message = try refusal(json)
            #expect(message?.hasPrefix("retention-") == true, "errors start with the file name: \(message ?? "accepted")")
            #expect(message?.contains(expected) == true, "\(json) → \(message ?? "accepted")")
        }
        #expect(try refusal("[1, 2]")?.contains("not a JSON object") == true)
        #expect(try refusal("not json")?.contains("not a JSON object") == true)
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).json")
        #expect(throws: RetentionPolicyError.self) { _ = try RetentionPolicy.load(from: missing) }
    }

    @Test func encodingUsesTheFileKeysAndRoundTrips() throws {
        let policy = RetentionPolicy(erasureCoolingOffDays: 7, closedCaseRetentionMonths: 12)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(policy), as: UTF8.self)
        #expect(json == #"{"closed_case_retention_months":12,"erasure_cooling_off_days":7}"#)
        #expect(try JSONDecoder().decode(RetentionPolicy.self, from: Data(json.utf8)) == policy)
    }

    @Test func dueDates() {
        let iso = ISO8601DateFormatter()
        let policy = RetentionPolicy()
        let requested = iso.date(from: "2026-03-11T12:00:00Z")!
        #expect(policy.erasureDue(requestedAt: requested) == iso.date(from: "2026-03-25T12:00:00Z")!)
        #expect(policy.closedBefore(iso.date(from: "2026-03-11T12:00:00Z")!) == iso.date(from: "2024-03-11T12:00:00Z")!)
        #expect(policy.closedCaseErasureDue(closedAt: iso.date(from: "2024-02-29T08:00:00Z")!) == iso.date(from: "2026-02-28T08:00:00Z")!)
    }
}

@Suite struct StageTextTests {
    @Test func receivedReassures() {
        #expect(StageText.forFamily(.received, closeReason: nil)
                == "We have your message safely. Someone from the partner organisation will be in touch soon.")
    }

    @Test func everyStageAndReasonHasPlainWordsWithoutCodes() {
        var texts: [String] = Stage.allCases.filter { $0 != .closed }.map { StageText.forFamily($0, closeReason: nil) }
        texts += CloseReason.allCases.map { StageText.forFamily(.closed, closeReason: $0) }
        texts.append(StageText.forFamily(.closed, closeReason: nil))
        // Service jargon a parent should not have to decode (plain words such as "listening" are fine).
        let codes = ["acknowledged", "assessed", "signposted", "no_contact", "safeguarding", "escalat", "practitioner",
                     "triage", "level of need", "stage"]
        for text in texts {
            #expect(!text.isEmpty && text.hasSuffix("."), "\(text)")
            #expect(!text.contains("_"), "no internal codes: \(text)")
            for code in codes { #expect(!text.lowercased().contains(code), "\(text) contains \(code)") }
        }
        #expect(Set(texts.dropLast()).count == texts.count - 1, "each stage and reason says something of its own")
        // A closed case always tells the family they can still write.
        for reason in CloseReason.allCases {
            #expect(StageText.forFamily(.closed, closeReason: reason).contains("message"))
        }
    }
}
