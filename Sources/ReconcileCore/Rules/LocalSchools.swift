import Foundation

/// `policies/schools.json`: the local schools whose names are screened out of lessons-learned themes (a
/// small area's school, with a quarter and a type of harm, can point to one family).
///
/// ```json
/// { "schools": ["Meole Brace School", "Thomas Telford School"] }
/// ```
public enum LocalSchools {
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    private struct File: Decodable {
        let schools: [String]
        init(from decoder: any Decoder) throws {
            if let unknown = try decoder.unknownKeys(known: ["schools"]).first {
                throw Problem(description: "unknown key \"\(unknown)\" (known: schools)")
            }
            schools = try decoder.container(keyedBy: AnyCodingKey.self).decode([String].self, forKey: AnyCodingKey(stringValue: "schools"))
        }
    }

    /// The school names; a missing file is an empty list (nothing extra screened), a malformed one an error.
    public static func load(from url: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        do {
            let names = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).schools
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard names.allSatisfy({ !$0.isEmpty && !FreeText.hasForbiddenCharacters($0, multiline: false) }) else {
                throw Problem(description: "every school name must be non-empty text without control characters")
            }
            return names
        } catch let problem as Problem {
            throw Problem(description: "\(url.lastPathComponent): \(problem.description)")
        } catch {
            throw Problem(description: "\(url.lastPathComponent): not a JSON object {\"schools\": [names]}")
        }
    }
}
