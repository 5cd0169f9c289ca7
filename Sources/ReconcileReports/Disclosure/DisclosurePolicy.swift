import Foundation
import ReconcileCore

/// How the quarterly statistics are protected before a council sees them (SPEC "Quarterly feedback to the
/// council"), from `policies/disclosure.json`, so the partner can follow its council's statistical
/// practice without a code change.
///
/// ```json
/// { "threshold": 4, "marker": "c", "rounding_base": null, "minimum_base_for_percent": 10, "minimum_range": 2 }
/// ```
/// `"preset"` starts from a named convention, which the other keys then adjust:
/// - `gss` (the default): counts 1–4 shown as the marker, no rounding (Government Statistical Service practice);
/// - `opensafely`: counts 1–7 suppressed, every other count and total rounded to the nearest 5.
/// The linked audit reads a rounded figure as the interval of counts that round to it.
///
/// A key left out keeps its preset's value; an unknown key, a value of the wrong type or out of range is refused
/// with a message naming the key, so a typo never silently weakens the protection.
public struct DisclosurePolicy: Sendable, Equatable, Codable {
    /// Counts 1...threshold are suppressed (the GSS convention is 1–4). 0 is shown: it discloses no one.
    public var threshold: Int = 4
    /// What a suppressed count is shown as, in every format (JSON string, CSV, HTML).
    public var marker: String = "c"
    /// When set (e.g. 5), shown counts and totals are rounded to the nearest multiple, halves up.
    public var roundingBase: Int? = nil
    /// No percentage is given on a base smaller than this (nor on a suppressed base).
    public var minimumBaseForPercent: Int = 10
    /// Local school names screened out of themes before a release; from `policies/schools.json`
    /// (`LocalSchools`), not from disclosure.json.
    public var localSchoolNames: [String] = []
    /// A release goes out only when every suppressed count keeps at least this many possible values given
    /// everything published for the area's year (`DisclosureAudit`); 2 = never pinned to one value.
    public var minimumRange: Int = 2

    public static let thresholdRange = 1...99
    public static let roundingBaseRange = 2...100
    public static let minimumBaseForPercentRange = 1...100_000
    public static let minimumRangeRange = 2...100
    public static let markerMaximumLength = 8

    public init() {}

    /// The named starting points `"preset"` accepts.
    public static let presets: [String: DisclosurePolicy] = {
        var opensafely = DisclosurePolicy()
        opensafely.threshold = 7
        opensafely.roundingBase = 5
        return ["gss": DisclosurePolicy(), "opensafely": opensafely]
    }()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case threshold, marker
        case roundingBase = "rounding_base"
        case minimumBaseForPercent = "minimum_base_for_percent"
        case minimumRange = "minimum_range"
        case preset
    }

    public init(from decoder: any Decoder) throws {
        let known = CodingKeys.allCases.map(\.rawValue)
        if let unknown = try decoder.unknownKeys(known: known).first {
            throw DisclosurePolicyError("unknown key \"\(unknown)\" (known: \(known.joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.preset) {
            let names = Self.presets.keys.sorted()
            guard let name = try? c.decode(String.self, forKey: .preset), let preset = Self.presets[name] else {
                throw DisclosurePolicyError("preset must be one of \(names.joined(separator: ", "))")
            }
            self = preset
        }
        func whole(_ key: CodingKeys, _ rule: String) throws -> Int? {
            guard c.contains(key) else { return nil }
            // Booleans are refused: JSONDecoder would not, for every platform, keep `true` out of an Int.
            if (try? c.decode(Bool.self, forKey: key)) != nil { throw DisclosurePolicyError("\(key.rawValue) must be \(rule)") }
            guard let value = try? c.decode(Int.self, forKey: key) else {
                throw DisclosurePolicyError("\(key.rawValue) must be \(rule)")
            }
            return value
        }
        if let value = try whole(.threshold, Self.thresholdRule) { threshold = value }
        if c.contains(.marker) {
            guard let value = try? c.decode(String.self, forKey: .marker) else {
                throw DisclosurePolicyError("marker must be \(Self.markerRule)")
            }
            marker = value
        }
        if c.contains(.roundingBase) {
            if try c.decodeNil(forKey: .roundingBase) { roundingBase = nil }
            else { roundingBase = try whole(.roundingBase, Self.roundingBaseRule) }
        }
        if let value = try whole(.minimumBaseForPercent, Self.minimumBaseRule) { minimumBaseForPercent = value }
        if let value = try whole(.minimumRange, Self.minimumRangeRule) { minimumRange = value }
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(marker, forKey: .marker)
        if let roundingBase { try c.encode(roundingBase, forKey: .roundingBase) } else { try c.encodeNil(forKey: .roundingBase) }
        try c.encode(minimumBaseForPercent, forKey: .minimumBaseForPercent)
        try c.encode(minimumRange, forKey: .minimumRange)
    }

    private static let thresholdRule = "a whole number from \(thresholdRange.lowerBound) to \(thresholdRange.upperBound)"
    private static let markerRule =
        "text of 1 to \(markerMaximumLength) characters that is not a number and has no spaces at either end or control characters"
    private static let roundingBaseRule =
        "null (no rounding) or a whole number from \(roundingBaseRange.lowerBound) to \(roundingBaseRange.upperBound)"
    private static let minimumBaseRule =
        "a whole number from \(minimumBaseForPercentRange.lowerBound) to \(minimumBaseForPercentRange.upperBound)"
    private static let minimumRangeRule =
        "a whole number of possible values from \(minimumRangeRange.lowerBound) to \(minimumRangeRange.upperBound)"

    /// Refuses values that would make the protection meaningless or the marker mistakable for a count,
    /// naming the key.
    public func validate() throws(DisclosurePolicyError) {
        guard Self.thresholdRange.contains(threshold) else {
            throw DisclosurePolicyError("\(CodingKeys.threshold.rawValue) must be \(Self.thresholdRule)")
        }
        guard Self.isAcceptableMarker(marker) else {
            throw DisclosurePolicyError("\(CodingKeys.marker.rawValue) must be \(Self.markerRule)")
        }
        if let roundingBase, !Self.roundingBaseRange.contains(roundingBase) {
            throw DisclosurePolicyError("\(CodingKeys.roundingBase.rawValue) must be \(Self.roundingBaseRule)")
        }
        guard Self.minimumBaseForPercentRange.contains(minimumBaseForPercent) else {
            throw DisclosurePolicyError("\(CodingKeys.minimumBaseForPercent.rawValue) must be \(Self.minimumBaseRule)")
        }
        guard Self.minimumRangeRange.contains(minimumRange) else {
            throw DisclosurePolicyError("\(CodingKeys.minimumRange.rawValue) must be \(Self.minimumRangeRule)")
        }
    }

    /// A marker must read as "not a number" to anyone, and to any spreadsheet: "1e3", "nan", "inf" and "0x1"
    /// all parse as numbers and are refused.
    private static func isAcceptableMarker(_ marker: String) -> Bool {
        guard !marker.isEmpty, marker.count <= markerMaximumLength,
              marker.trimmingCharacters(in: .whitespacesAndNewlines) == marker,
              !marker.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else { return false }
        return Double(marker) == nil && Int(marker) == nil
    }

    /// Reads and validates the policy file. Errors start with the file name and name the key at fault.
    public static func load(from url: URL) throws -> DisclosurePolicy {
        let source = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DisclosurePolicyError("\(source): cannot be read")
        }
        do {
            return try JSONDecoder().decode(DisclosurePolicy.self, from: data)
        } catch let error as DisclosurePolicyError {
            throw DisclosurePolicyError("\(source): \(error.description)")
        } catch {
            throw DisclosurePolicyError("\(source): not a JSON object of disclosure settings")
        }
    }
}

/// A problem with the disclosure policy file, naming the key so it can be fixed by hand.
public struct DisclosurePolicyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
