import Foundation

/// Which practice-record fields a step must carry (`policies/recording.json`): the council's review asks that
/// records "indicate what advice was given and what actions were taken", and the guidance that decisions and
/// their reasons are recorded. A step sent without a required field is refused (422 naming it), nothing stored.
public struct RecordingPolicy: Sendable, Equatable {
    /// The steps that take practice-record fields, as `recording.json` names them.
    public enum Step: String, CaseIterable, Codable, Sendable {
        case listeningSession = "listening_session", assessment, signpost, close
    }

    /// The fields each step may be told to require.
    public static let fields: [Step: Set<String>] = [
        .listeningSession: ["advice_given", "actions_agreed"],
        .assessment: ["advice_given", "actions_agreed", "reason"],
        .signpost: ["advice_given", "actions_agreed", "reason"],
        .close: ["reason", "note", "summary"],
    ]

    public let required: [Step: Set<String>]
    /// The records check's monthly random sample: how many cases of each practitioner a lead audits (1 to 100).
    public var samplePerPractitioner = RecordingPolicy.defaultSamplePerPractitioner
    public static let defaultSamplePerPractitioner = 5
    public static let sampleSizes = 1...100

    /// The default: advice on every listening session, a reason on every closure.
    public init() { required = [.listeningSession: ["advice_given"], .close: ["reason"]] }

    public init(required: [Step: Set<String>]) throws(DirectoryError) {
        for (step, names) in required {
            for name in names where !(Self.fields[step] ?? []).contains(name) {
                throw DirectoryError("recording.json: \(step.rawValue) has no field \(name) (it takes \((Self.fields[step] ?? []).sorted().joined(separator: ", ")))")
            }
        }
        self.required = required
    }

    public func requires(_ field: String, on step: Step) -> Bool { required[step]?.contains(field) ?? false }

    public static func load(from file: URL) throws -> RecordingPolicy {
        struct File: Decodable {
            let required: [String: [String]]
            let samplePerPractitioner: Int?
            enum CodingKeys: String, CodingKey { case required, samplePerPractitioner = "sample_per_practitioner" }
        }
        let decoded = try JSONDecoder().decode(File.self, from: Data(contentsOf: file))
        var required: [Step: Set<String>] = [:]
        for (name, fields) in decoded.required {
            guard let step = Step(rawValue: name) else {
                throw DirectoryError("recording.json: no step \(name) (use \(Step.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            required[step] = Set(fields)
        }
        var policy = try RecordingPolicy(required: required)
        if let n = decoded.samplePerPractitioner {
            guard sampleSizes.contains(n) else {
                throw DirectoryError("recording.json: sample_per_practitioner must be \(sampleSizes.lowerBound) to \(sampleSizes.upperBound)")
            }
            policy.samplePerPractitioner = n
        }
        return policy
    }
}
