import Foundation

/// `policies/notifications.json`: how the family's notice looks. Neutral by default: the sender name and subject
/// say nothing of what the service is, since a family member's inbox may be read by someone else.
public struct FamilyNoticePolicy: Sendable, Equatable {
    /// The From display name when the family has not agreed to the service being named, and the subject: the
    /// message catalogue's words in each language, unless these replace them (in English only: they are one language).
    public var senderName: String? = nil
    public var subject: String? = nil
    /// Used as the display name, and in the body, only for a family who agreed the service may be named.
    public var serviceName = "The reconciliation service"

    public init() {}

    private struct File: Decodable {
        struct Notice: Decodable { let sender_name: String?; let subject: String?; let service_name: String? }
        let family_notice: Notice
    }

    public static func load(from url: URL) throws -> FamilyNoticePolicy {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: try Data(contentsOf: url)) } catch {
            throw DirectoryError("\(url.lastPathComponent): needs {\"family_notice\": {\"service_name\"}} (and optionally \"sender_name\", \"subject\")")
        }
        /// Each goes into a mail header: one line of printable text, nothing that could start another header.
        func header(_ name: String, _ value: String?) throws -> String? {
            guard let value else { return nil }
            guard !value.isEmpty, value.count <= 120, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw DirectoryError("\(url.lastPathComponent): family_notice.\(name) must be one line of 1–120 printable characters")
            }
            return value
        }
        var policy = FamilyNoticePolicy()
        policy.senderName = try header("sender_name", file.family_notice.sender_name)
        policy.subject = try header("subject", file.family_notice.subject)
        if let name = try header("service_name", file.family_notice.service_name) { policy.serviceName = name }
        return policy
    }
}
