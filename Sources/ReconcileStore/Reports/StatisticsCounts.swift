import Foundation
import GRDB
import ReconcileCore

/// What the quarterly report counts of one council area's referrals over a period [start, end), read from the
/// plain statistical columns only (nothing is decrypted). Only cases whose family consented to anonymised
/// statistics are counted, except in `notConsented`. Each table maps every code of its fixed list to a count.
public struct ReferralCounts: Sendable, Equatable {
    /// Consented referrals received in the period, and the others.
    public var received = 0, notConsented = 0
    /// Consented referrals received in the period that a lead closed as a duplicate of the family's other referral:
    /// they are in none of the counts below (the family is counted once), only here.
    public var closedAsDuplicates = 0
    /// Single-select answers of the referrals received (each adds up to `received`).
    public var byReferrerRole: [String: Int] = [:], bySetting: [String: Int] = [:], byWhen: [String: Int] = [:]
    /// Multi-select answers of the referrals received (a referral counts once in each category it chose).
    public var byHarm: [String: Int] = [:], byToldBefore: [String: Int] = [:], byWishes: [String: Int] = [:]
    /// The intake questions. Single-select, each adding up to `received`: a referral from before the
    /// question was asked, or one that left it unanswered, counts as `IntakeTables.notRecorded`.
    public var byInvolvement: [String: Int] = [:], byAgeBand: [String: Int] = [:], byHeardFrom: [String: Int] = [:]
    public var byChannel: [String: Int] = [:], byChildSex: [String: Int] = [:], bySpecialNeeds: [String: Int] = [:]
    /// Multi-select and optional: the categories may add up to less than `received`, or more.
    public var byPattern: [String: Int] = [:]
    /// The language the referral was made in; single-select, `not_recorded` from before.
    public var byLanguage: [String: Int] = [:]
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
    /// Everything the report counts of the area's case rows (the referral tables, closures, open at end, and
    /// the acknowledgement times) in ONE pass over the area's index `referral_case_area_received`. Each pass
    /// re-reads every row from the table (the index holds only the area and date), so one pass instead of
    /// three is what keeps a report near the cost of reading the rows once (Benchmarks/README.md).
    ///
    /// SQLite compares the timestamps (as text, exactly as the earlier `SUM(…)` queries did) and turns each
    /// single-select code into its position in the fixed list, so Swift reads only integers, with no
    /// per-row allocation, and counts them. Rows that count for nothing are skipped in SQLite.
    static func caseCounts(_ db: Database, councilArea area: String, start: Date,
                           end: Date) throws -> (referrals: ReferralCounts, acknowledgements: [AcknowledgementTimes]) {
        let roles = codes(ReferrerRole.self), settings = codes(ReconcileCore.Setting.self), whens = codes(HowLongAgo.self)
        let harms = codes(Harm.self), told = codes(ToldBefore.self), wishes = codes(Wish.self)
        let reasons = codes(CloseReason.self)
        let optional = IntakeTables.notRecorded
        let involvements = codes(Involvement.self) + [optional], ages = codes(AgeBand.self) + [optional]
        let heard = codes(HeardFrom.self) + [optional], channels = codes(ReferralChannel.self)
        let sexes = codes(ChildSex.self) + [optional], specialNeeds = codes(SpecialNeeds.self) + [optional]
        let patterns = codes(IncidentPattern.self), languages = codes(FamilyLanguage.self) + [optional]
        // ?1 area, ?2 start, ?3 end.
        let inPeriod = "(received_at >= ?2 AND received_at < ?3)"
        let openAtEnd = "(received_at < ?3 AND (closed_at IS NULL OR closed_at >= ?3))"
        let closedInPeriod = "(closed_at >= ?2 AND closed_at < ?3)"
        let acknowledgedInPeriod = "(acknowledged_at >= ?2 AND acknowledged_at < ?3)"
        func position(_ column: String, _ values: [String]) -> String {
            "CASE \(column) " + values.enumerated().map { "WHEN '\($0.element)' THEN \($0.offset)" }.joined(separator: " ") + " END"
        }
        /// Like `position`, with NULL (not asked, or not answered) as the list's last entry, "not recorded".
        func answered(_ column: String, _ values: [String]) -> String {
            "COALESCE(\(position(column, values.dropLast().map { $0 })), \(values.count - 1))"
        }
        let statement = try db.cachedStatement(sql: """
            SELECT \(inPeriod), consent_statistics = 1, \(openAtEnd),
                CASE WHEN \(closedInPeriod) THEN \(position("close_reason", reasons)) END,
                \(position("referrer_role", roles)), \(position("setting", settings)), \(position("when_ago", whens)),
                harm_bits, told_before_bits, wishes_bits, \(acknowledgedInPeriod),
                CASE WHEN \(acknowledgedInPeriod) THEN CAST(strftime('%s', received_at) AS INTEGER) END,
                CASE WHEN \(acknowledgedInPeriod) THEN CAST(strftime('%s', acknowledged_at) AS INTEGER) END,
                \(answered("involvement", involvements)), \(answered("age_band", ages)), \(answered("heard_from", heard)),
                \(position("channel", channels)), \(answered("child_sex", sexes)), \(answered("special_needs", specialNeeds)),
                pattern_bits, \(answered("language", languages)), closed_as_duplicate_of IS NOT NULL
            FROM referral_case
            WHERE council_area = ?1
              AND (\(inPeriod) OR (consent_statistics = 1 AND (\(openAtEnd) OR \(closedInPeriod) OR \(acknowledgedInPeriod))))
            """)

        var received = 0, notConsented = 0, open = 0, bitsMissing = 0, duplicates = 0
        var byRole = [Int](repeating: 0, count: roles.count), bySetting = [Int](repeating: 0, count: settings.count)
        var byWhen = [Int](repeating: 0, count: whens.count), byReason = [Int](repeating: 0, count: reasons.count)
        var byHarm = [Int](repeating: 0, count: harms.count), byTold = [Int](repeating: 0, count: told.count)
        var byWish = [Int](repeating: 0, count: wishes.count)
        var byInvolvement = [Int](repeating: 0, count: involvements.count), byAge = [Int](repeating: 0, count: ages.count)
        var byHeard = [Int](repeating: 0, count: heard.count), byChannel = [Int](repeating: 0, count: channels.count)
        var bySex = [Int](repeating: 0, count: sexes.count), bySpecialNeeds = [Int](repeating: 0, count: specialNeeds.count)
        var byPattern = [Int](repeating: 0, count: patterns.count), byLanguage = [Int](repeating: 0, count: languages.count)
        var acknowledgements: [AcknowledgementTimes] = []
        /// Adds one to each category whose bit is set (bits beyond the list are not categories).
        func addBits(_ bits: Int64, to counts: inout [Int]) {
            var rest = bits
            while rest != 0 {
                let bit = rest.trailingZeroBitCount
                if bit < counts.count { counts[bit] += 1 } else { break }
                rest &= rest - 1
            }
        }
        func add(_ index: Int64?, to counts: inout [Int]) {
            if let index { counts[Int(index)] += 1 }
        }

        let rows = try Row.fetchCursor(statement, arguments: [area, start, end])
        while let row = try rows.next() {
            let consented: Bool = try row.value(at: 1)
            if (try row.value(at: 0, as: Bool.self)) {
                let harm: Int64? = try row.value(at: 7), toldBefore: Int64? = try row.value(at: 8), wish: Int64? = try row.value(at: 9)
                guard let harm, let toldBefore, let wish else { bitsMissing += 1; continue }
                guard consented else { notConsented += 1; continue }
                if try row.value(at: 21, as: Bool.self) { duplicates += 1; continue }
                received += 1
                add(try row.value(at: 4), to: &byRole)
                add(try row.value(at: 5), to: &bySetting)
                add(try row.value(at: 6), to: &byWhen)
                addBits(harm, to: &byHarm)
                addBits(toldBefore, to: &byTold)
                addBits(wish, to: &byWish)
                add(try row.value(at: 13), to: &byInvolvement)
                add(try row.value(at: 14), to: &byAge)
                add(try row.value(at: 15), to: &byHeard)
                add(try row.value(at: 16), to: &byChannel)
                add(try row.value(at: 17), to: &bySex)
                add(try row.value(at: 18), to: &bySpecialNeeds)
                addBits(try row.value(at: 19), to: &byPattern)
                add(try row.value(at: 20), to: &byLanguage)
            }
            guard consented else { continue }
            // A duplicate's family is counted by its other referral (a duplicate is closed, and has no close reason).
            if (try row.value(at: 2, as: Bool.self)), !(try row.value(at: 21, as: Bool.self)) { open += 1 }
            add(try row.value(at: 3), to: &byReason)
            if (try row.value(at: 10, as: Bool?.self)) == true {  // NULL when not acknowledged
                guard let received: Int64 = try row.value(at: 11), let acknowledged: Int64 = (try row.value(at: 12)) else {
                    throw StoreError.integrity("a case's received or acknowledged time is not a timestamp")
                }
                acknowledgements.append(AcknowledgementTimes(received: received, acknowledged: acknowledged))
            }
        }
        // A writer that forgot the bit sets would otherwise make every category undercount in silence.
        if bitsMissing > 0 {
            throw StoreError.integrity("some multi-select answers are not stored as bit sets; run `reconcile migrate`")
        }

        var counts = ReferralCounts()
        counts.received = received
        counts.notConsented = notConsented
        counts.closedAsDuplicates = duplicates
        counts.openAtEnd = open
        counts.byReferrerRole = table(roles, byRole)
        counts.bySetting = table(settings, bySetting)
        counts.byWhen = table(whens, byWhen)
        counts.byHarm = table(harms, byHarm)
        counts.byToldBefore = table(told, byTold)
        counts.byWishes = table(wishes, byWish)
        counts.closedByReason = table(reasons, byReason)
        counts.byInvolvement = table(involvements, byInvolvement)
        counts.byAgeBand = table(ages, byAge)
        counts.byHeardFrom = table(heard, byHeard)
        counts.byChannel = table(channels, byChannel)
        counts.byChildSex = table(sexes, bySex)
        counts.bySpecialNeeds = table(specialNeeds, bySpecialNeeds)
        counts.byPattern = table(patterns, byPattern)
        counts.byLanguage = table(languages, byLanguage)
        return (counts, acknowledgements)
    }

    /// `codes[i]` → `counts[i]`, every code present.
    fileprivate static func table(_ codes: [String], _ counts: [Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(codes, counts).map { ($0, $1) })
    }
}

extension AppDatabase {
    /// Counts each case's first assessment, if it was made in [start, end), by level and by need.
    public static func firstAssessmentCounts(_ db: Database, councilArea area: String, start: Date, end: Date) throws -> FirstAssessmentCounts {
        let levels = LevelOfNeed.allCases.map { String($0.rawValue) }, needs = codes(Need.self)
        let columns = ["COUNT(*)", bitsMissing(["a.needs_bits"])]
            + levels.map { "SUM(a.level_of_need = \($0))" } + needs.indices.map { "SUM(a.needs_bits & \(1 << $0) != 0)" }
        // Assessments first, then each one's case (see `activityCounts` for why `CROSS JOIN`).
        guard let row = try Row.fetchOne(db, sql: """
            SELECT \(columns.joined(separator: ", ")) FROM assessment a CROSS JOIN referral_case c ON c.id = a.case_id
            WHERE c.council_area = ? AND c.consent_statistics = 1
              AND a.rowid = (SELECT f.rowid FROM assessment f WHERE f.case_id = a.case_id ORDER BY f.assessed_at, f.rowid LIMIT 1)
              AND a.assessed_at >= ? AND a.assessed_at < ?
            """, arguments: [area, start, end]) else { return FirstAssessmentCounts() }
        try requireBits(row, at: 1)
        var counts = FirstAssessmentCounts()
        counts.assessed = try count(row, 0)
        counts.byLevel = try counted(levels, row, from: 2)
        counts.byNeed = try counted(needs, row, from: 2 + levels.count)
        return counts
    }

    /// A SUM column (NULL when no row matched).
    fileprivate static func count(_ row: Row, _ index: Int) throws -> Int { try row.value(at: index, as: Int?.self) ?? 0 }

    /// `codes[i]` → the count in column `first + i`.
    fileprivate static func counted(_ codes: [String], _ row: Row, from first: Int) throws -> [String: Int] {
        try Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($0.element, try count(row, first + $0.offset)) })
    }

    /// The codes of a fixed list, checked to be plain words before they are written into SQL.
    fileprivate static func codes<T: FixedList>(_: T.Type) -> [String] {
        T.allCases.map { code in
            // A hyphen is safe in a quoted SQL literal too (`en-easy`); a quote or a backslash never gets this far.
            precondition(code.rawValue.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") },
                         "a code must be a plain word")
            return code.rawValue
        }
    }

    /// Counts rows whose bit sets are missing: a writer that forgot them would otherwise make every category
    /// undercount in silence.
    fileprivate static func bitsMissing(_ columns: [String]) -> String {
        "SUM(" + columns.map { "\($0) IS NULL" }.joined(separator: " OR ") + ")"
    }

    fileprivate static func requireBits(_ row: Row, at index: Int) throws {
        if try count(row, index) > 0 {
            throw StoreError.integrity("some multi-select answers are not stored as bit sets; run `reconcile migrate`")
        }
    }
}
