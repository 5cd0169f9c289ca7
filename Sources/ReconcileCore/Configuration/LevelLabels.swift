import Foundation

/// Each council area's own words for the four levels of need (`policies/levels.json`): practitioners assess in
/// the thresholds their area's children's services use (in Herefordshire's, level 4 is statutory social care),
/// and at or above `considerSafeguardingFrom` the case page asks them to consider a safeguarding escalation.
public struct LevelLabels: Sendable, Equatable {
    /// Area id → level → label. An area without an entry uses `LevelOfNeed.label`.
    public let areas: [String: [LevelOfNeed: String]]
    /// The lowest level at which the page prompts a safeguarding escalation.
    public let considerSafeguardingFrom: LevelOfNeed
    /// Areas whose labels the partner has not yet checked against the area's published thresholds.
    public let unconfirmed: [String]

    /// The generic labels for every area, and the prompt from level 4 (tests and tools that load no file).
    public init() { (areas, considerSafeguardingFrom, unconfirmed) = ([:], .acuteOrSpecialist, []) }

    public init(areas: [String: [LevelOfNeed: String]], considerSafeguardingFrom: LevelOfNeed, unconfirmed: [String],
                councilAreas: [String]) throws(DirectoryError) {
        for (area, labels) in areas {
            guard councilAreas.contains(area) else { throw DirectoryError("levels.json: \(area) is not a configured council area") }
            for level in LevelOfNeed.allCases {
                guard let label = labels[level], !label.trimmingCharacters(in: .whitespaces).isEmpty, label.count <= 80 else {
                    throw DirectoryError("levels.json: \(area) needs a label of 1 to 80 characters for level \(level.rawValue)")
                }
            }
        }
        for area in councilAreas where areas[area] == nil {
            throw DirectoryError("levels.json: council area \(area) needs its four labels")
        }
        (self.areas, self.considerSafeguardingFrom, self.unconfirmed) = (areas, considerSafeguardingFrom, unconfirmed)
    }

    /// The area's word for `level`, or the generic one.
    public func label(_ level: LevelOfNeed, in area: String) -> String { areas[area]?[level] ?? level.label }

    /// Whether an assessment at `level` should prompt the practitioner to consider a safeguarding escalation.
    public func promptsSafeguarding(_ level: LevelOfNeed) -> Bool { level.rawValue >= considerSafeguardingFrom.rawValue }

    public static func load(from file: URL, councilAreas: [String]) throws -> LevelLabels {
        struct Area: Decodable { let labels: [String: String]; let confirmed: Bool }
        struct File: Decodable {
            let considerSafeguardingFrom: Int
            let areas: [String: Area]
            enum CodingKeys: String, CodingKey { case considerSafeguardingFrom = "consider_safeguarding_from", areas }
        }
        let decoded = try JSONDecoder().decode(File.self, from: Data(contentsOf: file))
        guard let from = LevelOfNeed(rawValue: decoded.considerSafeguardingFrom) else {
            throw DirectoryError("levels.json: consider_safeguarding_from must be a level from 1 to 4")
        }
        var areas: [String: [LevelOfNeed: String]] = [:]
        for (id, area) in decoded.areas {
            var labels: [LevelOfNeed: String] = [:]
            for (key, label) in area.labels {
                guard let n = Int(key), let level = LevelOfNeed(rawValue: n) else {
                    throw DirectoryError("levels.json: \(id) has a label for \"\(key)\", which is not a level from 1 to 4")
                }
                labels[level] = label
            }
            areas[id] = labels
        }
        return try LevelLabels(areas: areas, considerSafeguardingFrom: from,
                               unconfirmed: decoded.areas.filter { !$0.value.confirmed }.keys.sorted(), councilAreas: councilAreas)
    }
}
