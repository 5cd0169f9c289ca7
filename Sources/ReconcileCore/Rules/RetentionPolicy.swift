import Foundation

/// How long personal data is kept (SPEC "Reliability and security"), from `policies/retention.json`, so a
/// lead or the partner's data-protection officer can change it without a code change.
///
/// ```json
/// { "erasure_cooling_off_days": 14, "closed_case_retention_months": 24 }
/// ```
/// A key left out keeps its default; an unknown key, a value of the wrong type or out of range is refused
/// with a message naming the key, so a typo never silently keeps data longer (or shorter) than meant.
public struct RetentionPolicy: Sendable, Equatable, Codable {
    /// Days between a family's erasure request and its being carried out; the family may cancel meanwhile.
    /// 0 carries the request out at the next retention run.
    public var erasureCoolingOffDays: Int = 14
    /// Calendar months after closure at which a case's personal data is crypto-shredded.
    public var closedCaseRetentionMonths: Int = 24

    public static let erasureCoolingOffDaysRange = 0...90
    public static let closedCaseRetentionMonthsRange = 1...240

    public init() {}

    public init(erasureCoolingOffDays: Int, closedCaseRetentionMonths: Int) {
        self.erasureCoolingOffDays = erasureCoolingOffDays
        self.closedCaseRetentionMonths = closedCaseRetentionMonths
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case erasureCoolingOffDays = "erasure_cooling_off_days"
        case closedCaseRetentionMonths = "closed_case_retention_months"
    }

    public init(from decoder: any Decoder) throws {
        if let unknown = try decoder.unknownKeys(known: CodingKeys.allCases.map(\.rawValue)).first {
            throw RetentionPolicyError("unknown key \"\(unknown)\" (known: \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func whole(_ key: CodingKeys) throws -> Int? {
            guard c.contains(key) else { return nil }
            // Booleans and fractions are refused: JSONDecoder would turn `true` or `14.0` into a number.
            if (try? c.decode(Bool.self, forKey: key)) != nil {
                throw RetentionPolicyError("\(key.rawValue) must be a whole number")
            }
            guard let value = try? c.decode(Int.self, forKey: key) else {
                throw RetentionPolicyError("\(key.rawValue) must be a whole number")
            }
            return value
        }
        if let days = try whole(.erasureCoolingOffDays) { erasureCoolingOffDays = days }
        if let months = try whole(.closedCaseRetentionMonths) { closedCaseRetentionMonths = months }
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(erasureCoolingOffDays, forKey: .erasureCoolingOffDays)
        try c.encode(closedCaseRetentionMonths, forKey: .closedCaseRetentionMonths)
    }

    /// Refuses values outside the allowed ranges, naming the key.
    public func validate() throws {
        let days = Self.erasureCoolingOffDaysRange, months = Self.closedCaseRetentionMonthsRange
        guard days.contains(erasureCoolingOffDays) else {
            throw RetentionPolicyError("\(CodingKeys.erasureCoolingOffDays.rawValue) must be \(days.lowerBound)–\(days.upperBound)")
        }
        guard months.contains(closedCaseRetentionMonths) else {
            throw RetentionPolicyError(
                "\(CodingKeys.closedCaseRetentionMonths.rawValue) must be \(months.lowerBound)–\(months.upperBound)")
        }
    }

    /// Reads and validates the policy file. Errors start with the file name and name the key at fault.
    public static func load(from url: URL) throws -> RetentionPolicy {
        let source = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RetentionPolicyError("\(source): cannot be read")
        }
        do {
            return try JSONDecoder().decode(RetentionPolicy.self, from: data)
        } catch let error as RetentionPolicyError {
            throw RetentionPolicyError("\(source): \(error.description)")
        } catch {
            throw RetentionPolicyError("\(source): not a JSON object of retention settings")
        }
    }

    /// The moment a closed case becomes due for erasure: `closedCaseRetentionMonths` calendar months after
    /// it closed (UTC calendar; a month-end closure falls due at the last day of the shorter month).
    public func closedCaseErasureDue(closedAt: Date) -> Date {
        Self.utcCalendar.date(byAdding: .month, value: closedCaseRetentionMonths, to: closedAt)
            ?? closedAt.addingTimeInterval(Double(closedCaseRetentionMonths) * 31 * 86_400)
    }

    /// The latest closure time whose case is due for erasure at `now`.
    public func closedBefore(_ now: Date) -> Date {
        Self.utcCalendar.date(byAdding: .month, value: -closedCaseRetentionMonths, to: now)
            ?? now.addingTimeInterval(-Double(closedCaseRetentionMonths) * 31 * 86_400)
    }

    /// When an erasure requested at `requestedAt` is carried out.
    public func erasureDue(requestedAt: Date) -> Date {
        requestedAt.addingTimeInterval(Double(erasureCoolingOffDays) * 86_400)
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}

/// A problem with the retention policy file, naming the key so it can be fixed by hand.
public struct RetentionPolicyError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
