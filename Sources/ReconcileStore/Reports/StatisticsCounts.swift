import Foundation
import GRDB
import ReconcileCore

/// What the quarterly report counts of one council area's referrals over a period [start, end), read from the
/// plain statistical columns only (nothing is decrypted). Only cases whose family consented to anonymised
/// statistics are counted, except in `notConsented`. Each table maps every code of its fixed list to a count.
public struct ReferralCounts: Sendable, Equatable {
    /// Consented referrals received in the period, and the others.
    public var received = 0, notConsented = 0
    /// Single-select answers of the referrals received (each adds up to `received`).
    public var byReferrerRole: [String: Int] = [:], bySetting: [String: Int] = [:], byWhen: [String: Int] = [:]
    /// Multi-select answers of the referrals received (a referral counts once in each category it chose).
    public var byHarm: [String: Int] = [:], byToldBefore: [String: Int] = [:], byWishes: [String: Int] = [:]
    /// Consented cases closed in the period, by reason.
    public var closedByReason: [String: Int] = [:]
    /// Consented cases received before the period's end and not closed before it.
    public var openAtEnd = 0
}

/// Each case's first assessment made in the period (a revised assessment later does not count the case again).
public struct FirstAssessmentCounts: Sendable, Equatable {
    public var assessed = 0
    /// By level of need ("1"…"4"), and by need identified (multi-select).
    public var byLevel: [String: Int] = [:], byNeed: [String: Int] = [:]
}

/// One consented case acknowledged in the period: when it was received and acknowledged, in whole seconds
/// since 1970 (rounded down; the report's deadlines fall on whole seconds, so the comparison is exact).
public struct AcknowledgementTimes: Sendable, Equatable {
    public let received: Int64, acknowledged: Int64
}

extension AppDatabase {
    /// Everything the report counts of the area's referral rows, in two passes over the area's index
    /// `referral_case_area_received`: one over the period's referrals (every referral table), one over the
    /// area's cases (closures and open at end, which concern cases received in earlier periods too).
    public static func referralCounts(_ db: Database, councilArea area: String, start: Date, end: Date) throws -> ReferralCounts {
        // Counted as `SUM(condition)`: SQLite's comparisons are 0 or 1, so each column is one category's count.
        let consented = "consent_statistics = 1"
        let single: [(String, [String])] = [("referrer_role", codes(ReferrerRole.self)), ("setting", codes(ReconcileCore.Setting.self)),
                                            ("when_ago", codes(HowLongAgo.self))]
        let multi: [(String, [String])] = [("harm_bits", codes(Harm.self)), ("told_before_bits", codes(ToldBefore.self)),
                                           ("wishes_bits", codes(Wish.self))]
        var columns = ["SUM(\(consented))", "SUM(consent_statistics = 0)", bitsMissing(multi.map(\.0))]
        for (column, values) in single { columns += values.map { "SUM(\(consented) AND \(column) = '\($0)')" } }
        for (column, values) in multi { columns += values.indices.map { "SUM(\(consented) AND \(column) & \(1 << $0))" } }
        guard let row = try Row.fetchOne(db, sql: """
            SELECT \(columns.joined(separator: ", ")) FROM referral_case
            WHERE council_area = ? AND received_at >= ? AND received_at < ?
            """, arguments: [area, start, end]) else { return ReferralCounts() }
        try requireBits(row, at: 2)

        var counts = ReferralCounts()
        counts.received = count(row, 0)
        counts.notConsented = count(row, 1)
        var index = 3
        func table(_ values: [String]) -> [String: Int] {
            defer { index += values.count }
            return counted(values, row, from: index)
        }
        counts.byReferrerRole = table(single[0].1)
        counts.bySetting = table(single[1].1)
        counts.byWhen = table(single[2].1)
        counts.byHarm = table(multi[0].1)
        counts.byToldBefore = table(multi[1].1)
        counts.byWishes = table(multi[2].1)

        let reasons = codes(CloseReason.self)
        let stock = ["SUM(received_at < ?1 AND (closed_at IS NULL OR closed_at >= ?1))"]
            + reasons.map { "SUM(closed_at >= ?2 AND closed_at < ?1 AND close_reason = '\($0)')" }
        if let row = try Row.fetchOne(db, sql: """
            SELECT \(stock.joined(separator: ", ")) FROM referral_case WHERE council_area = ?3 AND \(consented)
            """, arguments: [end, start, area]) {
            counts.openAtEnd = count(row, 0)
            counts.closedByReason = counted(reasons, row, from: 1)
        }
        return counts
    }

    /// Counts each case's first assessment, if it was made in [start, end), by level and by need.
    public static func firstAssessmentCounts(_ db: Database, councilArea area: String, start: Date, end: Date) throws -> FirstAssessmentCounts {
        let levels = LevelOfNeed.allCases.map { String($0.rawValue) }, needs = codes(Need.self)
        let columns = ["COUNT(*)", bitsMissing(["a.needs_bits"])]
            + levels.map { "SUM(a.level_of_need = \($0))" } + needs.indices.map { "SUM(a.needs_bits & \(1 << $0) != 0)" }
        guard let row = try Row.fetchOne(db, sql: """
            SELECT \(columns.joined(separator: ", ")) FROM assessment a JOIN referral_case c ON c.id = a.case_id
            WHERE c.council_area = ? AND c.consent_statistics = 1
              AND a.rowid = (SELECT f.rowid FROM assessment f WHERE f.case_id = a.case_id ORDER BY f.assessed_at, f.rowid LIMIT 1)
              AND a.assessed_at >= ? AND a.assessed_at < ?
            """, arguments: [area, start, end]) else { return FirstAssessmentCounts() }
        try requireBits(row, at: 1)
        var counts = FirstAssessmentCounts()
        counts.assessed = count(row, 0)
        counts.byLevel = counted(levels, row, from: 2)
        counts.byNeed = counted(needs, row, from: 2 + levels.count)
        return counts
    }

    /// When each consented case acknowledged in [start, end) was received and acknowledged.
    public static func acknowledgementTimes(_ db: Database, councilArea area: String, start: Date, end: Date) throws -> [AcknowledgementTimes] {
        var times: [AcknowledgementTimes] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT CAST(strftime('%s', received_at) AS INTEGER), CAST(strftime('%s', acknowledged_at) AS INTEGER) FROM referral_case
            WHERE council_area = ? AND consent_statistics = 1 AND acknowledged_at >= ? AND acknowledged_at < ?
            """, arguments: [area, start, end])
        while let row = try rows.next() { times.append(AcknowledgementTimes(received: row[0], acknowledged: row[1])) }
        return times
    }

    /// A SUM column (NULL when no row matched).
    private static func count(_ row: Row, _ index: Int) -> Int { (row[index] as Int?) ?? 0 }

    /// `codes[i]` → the count in column `first + i`.
    private static func counted(_ codes: [String], _ row: Row, from first: Int) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($0.element, count(row, first + $0.offset)) })
    }

    /// The codes of a fixed list, checked to be plain words before they are written into SQL.
    private static func codes<T: FixedList>(_: T.Type) -> [String] {
        T.allCases.map { code in
            precondition(code.rawValue.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "a code must be a plain word")
            return code.rawValue
        }
    }

    /// Counts rows whose bit sets are missing: a writer that forgot them would otherwise make every category
    /// undercount in silence.
    private static func bitsMissing(_ columns: [String]) -> String {
        "SUM(" + columns.map { "\($0) IS NULL" }.joined(separator: " OR ") + ")"
    }

    private static func requireBits(_ row: Row, at index: Int) throws {
        if count(row, index) > 0 {
            throw StoreError.integrity("some multi-select answers are not stored as bit sets; run `reconcile migrate`")
        }
    }
}
