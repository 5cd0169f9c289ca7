import Foundation

/// One organisation a family can be signposted to.
public struct Service: Codable, Sendable, Equatable, Identifiable {
    public let id: String
    public let name: String
    public let description: String
    public let needs: [Need]
    /// Council areas served, or `ServiceDirectory.national`.
    public let areas: [String]
    public let howToReach: String

    public init(id: String, name: String, description: String, needs: [Need], areas: [String], howToReach: String) {
        self.id = id
        self.name = name
        self.description = description
        self.needs = needs
        self.areas = areas
        self.howToReach = howToReach
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, needs, areas
        case howToReach = "how_to_reach"
    }
}

/// A problem with the directory file, naming the entry and what is wrong so a lead can fix it by hand.
public struct DirectoryError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The signposting directory (SPEC "The signposting directory"), kept in `policies/services.json`
/// so a lead can change it without a code change. Loaded once at start-up; a bad file stops the start.
public struct ServiceDirectory: Sendable, Equatable {
    /// The area value for a service open to families anywhere.
    public static let national = "national"

    /// In file order, which is the order pages list them.
    public let services: [Service]

    /// Validates `services` against the configured council areas.
    public init(services: [Service], councilAreas: [String]) throws(DirectoryError) {
        var seen: Set<String> = []
        for (index, service) in services.enumerated() {
            let entry = Self.entryName(id: service.id, index: index)
            guard service.id.range(of: "^[a-z][a-z0-9]*(_[a-z0-9]+)*$", options: .regularExpression) != nil,
                  service.id.count <= 64 else {
                throw DirectoryError("\(entry): id must be lower_snake_case (a–z, 0–9 and single underscores, at most 64 characters)")
            }
            guard seen.insert(service.id).inserted else {
                throw DirectoryError("\(entry): id is used by an earlier entry")
            }
            guard !service.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw DirectoryError("\(entry): name is empty")
            }
            guard !service.needs.isEmpty else { throw DirectoryError("\(entry): needs is empty") }
            guard !service.areas.isEmpty else { throw DirectoryError("\(entry): areas is empty") }
            for area in service.areas where area != Self.national && !councilAreas.contains(area) {
                throw DirectoryError(
                    "\(entry): area \"\(area)\" is neither \"\(Self.national)\" nor a configured council area")
            }
            guard !service.howToReach.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw DirectoryError("\(entry): how_to_reach is empty")
            }
        }
        self.services = services
    }

    /// Reads and validates the directory file `{ "services": [ … ] }`. Errors start with the file name.
    public static func load(from url: URL, councilAreas: [String]) throws -> ServiceDirectory {
        let source = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DirectoryError("\(source): cannot be read")
        }
        let file: FileShape
        do { file = try JSONDecoder().decode(FileShape.self, from: data) } catch let error as DirectoryError {
            throw DirectoryError("\(source): \(error.description)")
        } catch {
            throw DirectoryError("\(source): not a JSON object with a \"services\" list")
        }
        do {
            let services = try file.services.enumerated().map { index, raw throws(DirectoryError) in
                try raw.service(entry: entryName(id: raw.id, index: index))
            }
            return try ServiceDirectory(services: services, councilAreas: councilAreas)
        } catch {
            throw DirectoryError("\(source): \(error.description)")
        }
    }

    /// Services open to a family in `area`: the national ones and that area's own, in file order.
    public func services(for area: String) -> [Service] {
        services.filter { $0.areas.contains(Self.national) || $0.areas.contains(area) }
    }

    public func service(id: String) -> Service? {
        services.first { $0.id == id }
    }

    /// How errors name an entry: by id, or by position when the id is missing or blank.
    private static func entryName(id: String?, index: Int) -> String {
        if let id, !id.isEmpty { return "service \"\(id)\"" }
        return "service number \(index + 1) (no id)"
    }
}

// MARK: - The file as written

/// Entries are decoded loosely (every field optional, needs as strings) so that a missing field or an
/// unknown need is reported against the entry's id rather than as a bare decoding error.
private struct FileShape: Decodable {
    let services: [RawService]
}

private struct RawService: Decodable {
    let id: String?
    let name: String?
    let description: String?
    let needs: [String]?
    let areas: [String]?
    let howToReach: String?
    let unknownKeys: [String]

    private static let known = ["id", "name", "description", "needs", "areas", "how_to_reach"]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        func string(_ key: String) throws -> String? { try c.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: key)) }
        func list(_ key: String) throws -> [String]? { try c.decodeIfPresent([String].self, forKey: AnyCodingKey(stringValue: key)) }
        id = try? string("id")
        // Anything past the id that has the wrong JSON type is reported against the entry.
        let entry = id.map { "service \"\($0)\"" } ?? "a service"
        do {
            name = try string("name")
            description = try string("description")
            needs = try list("needs")
            areas = try list("areas")
            howToReach = try string("how_to_reach")
        } catch {
            throw DirectoryError("\(entry): a field has the wrong type (text, or a list of text, expected)")
        }
        // A misspelt key would otherwise be ignored silently, and the field it meant to set would look missing.
        unknownKeys = try decoder.unknownKeys(known: Self.known)
    }

    func service(entry: String) throws(DirectoryError) -> Service {
        if let key = unknownKeys.first { throw DirectoryError("\(entry): unknown field \"\(key)\"") }
        guard let id else { throw DirectoryError("\(entry): id is missing") }
        guard let name else { throw DirectoryError("\(entry): name is missing") }
        guard let description else { throw DirectoryError("\(entry): description is missing") }
        guard let needs else { throw DirectoryError("\(entry): needs is missing") }
        guard let areas else { throw DirectoryError("\(entry): areas is missing") }
        guard let howToReach else { throw DirectoryError("\(entry): how_to_reach is missing") }
        let known = try needs.map { raw throws(DirectoryError) in
            guard let need = Need(rawValue: raw) else {
                throw DirectoryError("\(entry): need \"\(raw)\" is not one of \(Need.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return need
        }
        return Service(id: id, name: name, description: description, needs: known, areas: areas, howToReach: howToReach)
    }
}
