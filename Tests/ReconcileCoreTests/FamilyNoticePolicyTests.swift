import Foundation
import ReconcileCore
import Testing

/// `policies/notifications.json` as an operator might get it wrong: its words go into mail headers.
@Suite struct FamilyNoticePolicyTests {
    static func load(_ json: String) throws -> FamilyNoticePolicy {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("notifications-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try FamilyNoticePolicy.load(from: url)
    }

    @Test func theShippedShapeNamesOnlyTheServiceAndLeavesTheRestToTheCatalogue() throws {
        let policy = try Self.load(#"{"family_notice": {"service_name": "The family service"}}"#)
        #expect(policy.serviceName == "The family service" && policy.senderName == nil && policy.subject == nil)
        let replaced = try Self.load(#"{"family_notice": {"sender_name": "Messages", "subject": "News for you"}}"#)
        #expect(replaced.senderName == "Messages" && replaced.subject == "News for you" && replaced.serviceName == FamilyNoticePolicy().serviceName)
    }

    /// A line break would start another header (a Bcc to anyone); an empty or huge value is a mistake.
    @Test(arguments: [#""sender_name": "Notices\r\nBcc: someone@example.org""#, #""subject": "Hello\nthere""#,
                      #""service_name": """#, #""subject": "\#(String(repeating: "x", count: 121))""#, #""sender_name": "a\u007f""#])
    func aValueThatCouldBreakAHeaderIsRefused(entry: String) {
        #expect(throws: (any Error).self) { try Self.load(#"{"family_notice": {\#(entry)}}"#) }
    }
}
