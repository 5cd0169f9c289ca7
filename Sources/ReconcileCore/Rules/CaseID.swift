/// A case's identifier, as the store mints it (a UUID string) and as it appears in `/cases/{id}` routes.
///
/// Typed so that a reference, a staff id, a family's session id or any other string cannot be passed where a case
/// is meant: every store call that reads or changes a case's records takes one, and the case key's associated data
/// is bound to its text. It encodes as that text (the standard library's coding of a `String`-backed
/// `RawRepresentable`), so JSON, pages and the database see the plain string.
public struct CaseID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The id named in a request (a path, a form): case ids are lower-case UUIDs, so anything else is no case at all
    /// and is refused before any query (and never echoed).
    public init?(parsing text: String) {
        guard Self.isLowerCaseUUID(text) else { return nil }
        self.init(text)
    }

    /// 8-4-4-4-12 lower-case hex digits, checked byte by byte: Foundation's `UUID(uuidString:)` stops reading at a
    /// NUL, so it takes "<uuid>\0" as a UUID.
    public static func isLowerCaseUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        return bytes.enumerated().allSatisfy { i, byte in
            switch (i, byte) {
            case (8, _), (13, _), (18, _), (23, _): byte == UInt8(ascii: "-")
            case (_, UInt8(ascii: "0")...UInt8(ascii: "9")), (_, UInt8(ascii: "a")...UInt8(ascii: "f")): true
            default: false
            }
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: CaseID, rhs: CaseID) -> Bool { lhs.rawValue < rhs.rawValue }
}
