import Foundation

/// The partner's words for each coded experience theme (`policies/themes.json`). Every code of
/// `ExperienceTheme` needs exactly one label, so a practitioner is never offered a theme without words for it.
public struct ThemeLabels: Sendable, Equatable {
    public let labels: [ExperienceTheme: String]

    public init() {
        labels = [
            .contactWithOtherChildContinued: "Contact with the other child went on", .schoolsResponse: "The school's response",
            .informationSharedBetweenSettings: "Information shared between settings", .movingSchoolOrCounty: "Moving school or county",
            .waiting: "Waiting", .beingBelieved: "Being believed",
        ]
    }

    public init(labels: [ExperienceTheme: String]) throws(DirectoryError) {
        for theme in ExperienceTheme.allCases where (labels[theme] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw DirectoryError("themes.json: \(theme.rawValue) needs a label")
        }
        self.labels = labels
    }

    public func label(_ theme: ExperienceTheme) -> String { labels[theme] ?? theme.rawValue }

    public static func load(from file: URL) throws -> ThemeLabels {
        struct File: Decodable { struct Theme: Decodable { let code, label: String }; let themes: [Theme] }
        var labels: [ExperienceTheme: String] = [:]
        for entry in try JSONDecoder().decode(File.self, from: Data(contentsOf: file)).themes {
            guard let theme = ExperienceTheme(rawValue: entry.code) else {
                throw DirectoryError("themes.json: \(entry.code) is not a theme (use \(ExperienceTheme.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard labels[theme] == nil else { throw DirectoryError("themes.json: \(entry.code) is listed twice") }
            labels[theme] = entry.label
        }
        return try ThemeLabels(labels: labels)
    }
}
