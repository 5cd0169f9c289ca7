import Foundation

/// Which children the service is for (`policies/intake.json`), and where to send a family it is not for.
/// The guidance says children who harmed and children who saw it are owed support too, so the shipped file
/// offers the service to every answer; a partner that cannot support, say, a child who harmed others removes
/// that answer, and such a referral is then answered kindly with `elsewhere` and nothing is stored.
public struct IntakePolicy: Sendable, Equatable {
    /// Somewhere else to turn, shown to a family the service is not for.
    public struct Elsewhere: Sendable, Equatable, Codable {
        public let name: String
        public let detail: String
        public init(name: String, detail: String) { (self.name, self.detail) = (name, detail) }
    }

    public let offeredTo: Set<Involvement>
    public let elsewhere: [Elsewhere]

    /// Every child; national helplines for anyone turned away.
    public init() {
        offeredTo = Set(Involvement.allCases)
        elsewhere = Self.nationalHelplines
    }

    public init(offeredTo: Set<Involvement>, elsewhere: [Elsewhere]) throws(DirectoryError) {
        // A family who would rather not say who the child is must never be turned away for it.
        guard offeredTo.contains(.preferNotToSay) else {
            throw DirectoryError("intake.json: offered_to must include prefer_not_to_say (a family is never turned away for not saying)")
        }
        guard offeredTo.count == Involvement.allCases.count || !elsewhere.isEmpty else {
            throw DirectoryError("intake.json: elsewhere must name somewhere to turn when offered_to leaves anyone out")
        }
        self.offeredTo = offeredTo
        self.elsewhere = elsewhere
    }

    public static let nationalHelplines = [
        Elsewhere(name: "Childline", detail: "Free and confidential for anyone under 19: 0800 1111, or childline.org.uk."),
        Elsewhere(name: "NSPCC helpline", detail: "For adults worried about a child: 0808 800 5000, or help@nspcc.org.uk."),
        Elsewhere(name: "Stop It Now", detail: "For families worried about a child's sexual behaviour: 0808 1000 900."),
    ]

    public static func load(from file: URL) throws -> IntakePolicy {
        struct File: Decodable { let offered_to: [String]; let elsewhere: [Elsewhere] }
        let decoded = try JSONDecoder().decode(File.self, from: Data(contentsOf: file))
        var offered = Set<Involvement>()
        for code in decoded.offered_to {
            guard let involvement = Involvement(rawValue: code) else {
                throw DirectoryError("intake.json: offered_to has \(code), which is not an involvement (use \(Involvement.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            offered.insert(involvement)
        }
        return try IntakePolicy(offeredTo: offered, elsewhere: decoded.elsewhere)
    }
}
