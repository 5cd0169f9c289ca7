import Foundation
import GRDB
import ReconcileCore

/// One round of offers of help (a council letter, a leaflet through schools, a campaign).
public struct OfferRound: Sendable, Equatable {
    public let id: String
    public let councilArea: String
    /// `YYYY-MM-DD` (Europe/London).
    public let offeredOn: String
    public let channel: OfferChannel
    public let offersMade: Int
    public let label: String?
    public let createdAt: Date
}

public enum OfferRoundError: Error, Equatable {
    case unknownCouncilArea
    /// Not a real `YYYY-MM-DD` date, or in the future.
    case invalidDate
    /// Fewer than 1 or more than 10,000,000 offers.
    case invalidCount
    case labelTooLong, labelInvalidCharacters
}

extension AppDatabase {
    public static let offerLabelLimit = 200

    /// Offers made in [start, end) by channel (London dates, as listening sessions are counted).
    static func offersByChannel(_ db: Database, councilArea: String, start: Date, end: Date) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT channel, SUM(offers_made) FROM offer_round WHERE council_area = ? AND offered_on >= ? AND offered_on < ? GROUP BY 1
            """, arguments: [councilArea, WorkingDays.londonDate(start), WorkingDays.londonDate(end)]) {
            result[(try row.value(at: 0))] = try row.value(at: 1)
        }
        return result
    }
}

extension ReportStore {
    /// A lead records a round of offers. Audited in the same transaction.
    public func addOfferRound(councilArea: String, offeredOn: String, channel: OfferChannel, offersMade: Int, label: String?,
                              councilAreas: [String], by actor: StaffActor, now: Date = Date()) async throws -> OfferRound {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        guard councilAreas.contains(councilArea) else { throw OfferRoundError.unknownCouncilArea }
        guard AppDatabase.isPastOrPresentDate(offeredOn, now: now) else { throw OfferRoundError.invalidDate }
        guard (1...10_000_000).contains(offersMade) else { throw OfferRoundError.invalidCount }
        let label = label?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if let label {
            guard !FreeText.isTooLong(label, max: AppDatabase.offerLabelLimit) else { throw OfferRoundError.labelTooLong }
            guard !FreeText.hasForbiddenCharacters(label, multiline: false) else { throw OfferRoundError.labelInvalidCharacters }
        }
        let round = OfferRound(id: AppDatabase.newID(), councilArea: councilArea, offeredOn: offeredOn, channel: channel, offersMade: offersMade,
                               label: label, createdAt: now)
        try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO offer_round (id, council_area, offered_on, channel, offers_made, label, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [round.id, councilArea, offeredOn, channel.rawValue, offersMade, label, now, actor.id])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .offerRoundAdd,
                                                detail: "area=\(councilArea),channel=\(channel.rawValue),offers=\(offersMade)"),
                                 at: now, keys: keys)
        }
        return round
    }

    /// Every round of an area, newest first.
    public func offerRounds(councilArea: String) async throws -> [OfferRound] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM offer_round WHERE council_area = ? ORDER BY offered_on DESC, created_at DESC",
                             arguments: [councilArea]).compactMap { row in
                guard let channel = OfferChannel(rawValue: try row.value("channel")) else { return nil }
                return OfferRound(id: try row.value("id"), councilArea: try row.value("council_area"), offeredOn: try row.value("offered_on"), channel: channel,
                                  offersMade: try row.value("offers_made"), label: try row.value("label"), createdAt: try row.value("created_at"))
            }
        }
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
