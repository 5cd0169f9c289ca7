/// Any key of a JSON object. Policy and settings decoders use it to refuse keys they do not know: a misspelt
/// key would otherwise be ignored and the default it meant to change silently kept.
public struct AnyCodingKey: CodingKey {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension Decoder {
    /// The object's keys that are not in `known`, sorted.
    public func unknownKeys(known: some Sequence<String>) throws -> [String] {
        let known = Set(known)
        return try container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
    }
}
