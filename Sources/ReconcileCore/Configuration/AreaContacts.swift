import Foundation

/// Where a family turns when a child is at risk now, for one council area (`policies/areas.json`): the
/// children's services front door and its out-of-hours line. Shown on every public page beside 999, because
/// this service is not an emergency service.
public struct AreaContact: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let childrensServices: String
    public let outOfHours: String
    /// False until the partner has rung the number and checked it; the pages say so beside an unconfirmed one.
    public let confirmed: Bool

    public init(id: String, name: String, childrensServices: String, outOfHours: String, confirmed: Bool) {
        (self.id, self.name, self.childrensServices, self.outOfHours, self.confirmed) = (id, name, childrensServices, outOfHours, confirmed)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, confirmed
        case childrensServices = "childrens_services"
        case outOfHours = "out_of_hours"
    }
}

/// Every configured council area's contacts, in file order. A file that leaves an area out, names one that is
/// not configured, or holds a number that is not a UK phone number stops the start: a family must never
/// be shown a wrong or missing number for where they live.
public struct AreaContacts: Sendable, Equatable {
    public let areas: [AreaContact]

    /// No area numbers (tests and tools that show no public page); pages still say 999.
    public init() { areas = [] }

    public init(areas: [AreaContact], councilAreas: [String]) throws(DirectoryError) {
        for area in areas {
            guard councilAreas.contains(area.id) else { throw DirectoryError("areas.json: \(area.id) is not a configured council area") }
            for number in [area.childrensServices, area.outOfHours] where !Self.isPhoneNumber(number) {
                throw DirectoryError("areas.json: \(area.id) has a number that is not a UK phone number (digits and spaces, 10 or 11 digits, starting 0)")
            }
        }
        for id in councilAreas where areas.filter({ $0.id == id }).count != 1 {
            throw DirectoryError("areas.json: council area \(id) needs exactly one entry")
        }
        self.areas = areas
    }

    static func isPhoneNumber(_ text: String) -> Bool {
        let digits = text.filter(\.isNumber)
        return text.allSatisfy { $0.isNumber || $0 == " " } && digits.hasPrefix("0") && (10...11).contains(digits.count)
    }

    public var unconfirmed: [AreaContact] { areas.filter { !$0.confirmed } }

    public static func load(from file: URL, councilAreas: [String]) throws -> AreaContacts {
        struct File: Decodable { let areas: [AreaContact] }
        let decoded = try JSONDecoder().decode(File.self, from: Data(contentsOf: file))
        return try AreaContacts(areas: decoded.areas, councilAreas: councilAreas)
    }
}
