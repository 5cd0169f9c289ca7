import Foundation
import GRDB

// The release ledger (migration "v7-reports"): every released report's exact bytes and Ed25519 signature, and
// every cell it published (NULL = suppressed or withheld), so later releases can be checked against what is
// already public. Triggers refuse UPDATE and DELETE on both tables; this file only ever inserts and reads.

/// One released report, as listed for the council (no document bytes).
public struct ReleaseSummary: Sendable, Equatable {
    public let id: String
    public let quarter: String
    public let councilArea: String
    /// "quarter", "correction" or "year_to_date".
    public let kind: String
    public let releasedAt: Date

    public init(id: String, quarter: String, councilArea: String, kind: String, releasedAt: Date) {
        self.id = id
        self.quarter = quarter
        self.councilArea = councilArea
        self.kind = kind
        self.releasedAt = releasedAt
    }
}

/// One released report with the exact bytes that were signed and the detached signature (base64).
public struct ReleasedReport: Sendable, Equatable {
    public let id: String
    public let quarter: String
    public let councilArea: String
    public let kind: String
    public let releasedAt: Date
    public let document: [UInt8]
    public let signature: String

    public init(id: String, quarter: String, councilArea: String, kind: String, releasedAt: Date, document: [UInt8],
                signature: String) {
        self.id = id
        self.quarter = quarter
        self.councilArea = councilArea
        self.kind = kind
        self.releasedAt = releasedAt
        self.document = document
        self.signature = signature
    }
}

/// One published cell: a table's category (or `"total"`), or a figure (table `"figures"`).
/// `value` is nil when the cell was suppressed or withheld. Counts are whole numbers; a figure such as a
/// median or a percentage may have a fraction.
public struct LedgerCell: Sendable, Equatable {
    public let table: String
    public let category: String
    public let value: Double?

    public init(table: String, category: String, value: Double?) {
        self.table = table
        self.category = category
        self.value = value
    }
}

/// An earlier release with its cells, for checking a new release against what is already public.
public struct LedgerRelease: Sendable, Equatable {
    public let summary: ReleaseSummary
    public let cells: [LedgerCell]
    /// The signed document exactly as released: what a reader holds, policy included.
    public let document: [UInt8]
}

/// What `recordRelease` stores.
public struct NewRelease: Sendable {
    public let quarter: String
    public let councilArea: String
    public let kind: String
    public let releasedBy: String
    public let releasedAt: Date
    public let document: [UInt8]
    public let signature: [UInt8]
    public let cells: [LedgerCell]
    /// Statements in families' own words the document carries: each must still be approved when the release is stored.
    public var voiceIDs: [String] = []

    public init(quarter: String, councilArea: String, kind: String, releasedBy: String, releasedAt: Date,
                document: [UInt8], signature: [UInt8], cells: [LedgerCell], voiceIDs: [String] = []) {
        self.voiceIDs = voiceIDs
        self.quarter = quarter
        self.councilArea = councilArea
        self.kind = kind
        self.releasedBy = releasedBy
        self.releasedAt = releasedAt
        self.document = document
        self.signature = signature
        self.cells = cells
    }
}

/// One row of `report_release`, every column.
struct ReportReleaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "report_release"
    var id: String
    var quarter: String
    var councilArea: String
    var kind: String
    var releasedAt: Date
    var releasedBy: String
    var document: Data
    var signature: Data

    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var summary: ReleaseSummary {
        ReleaseSummary(id: id, quarter: quarter, councilArea: councilArea, kind: kind, releasedAt: releasedAt)
    }

    var released: ReleasedReport {
        ReleasedReport(id: id, quarter: quarter, councilArea: councilArea, kind: kind, releasedAt: releasedAt,
                       document: [UInt8](document), signature: signature.base64EncodedString())
    }
}

/// One row of `release_cell` as read back (written with `storedValue`, so whole numbers stay INTEGER).
private struct ReleaseCellRow: Decodable, FetchableRecord {
    var tableName: String
    var category: String
    var value: Double?

    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

extension AppDatabase {
    static func ledgerReleases(_ db: Database, councilArea: String) throws -> [LedgerRelease] {
        let releases = try ReportReleaseRecord.fetchAll(db, sql: """
            SELECT * FROM report_release WHERE council_area = ? ORDER BY released_at, rowid
            """, arguments: [councilArea])
        return try releases.map { release in
            let cells = try ReleaseCellRow.fetchAll(db, sql: """
                SELECT table_name, category, value FROM release_cell WHERE release_id = ? ORDER BY table_name, category
                """, arguments: [release.id]).map { LedgerCell(table: $0.tableName, category: $0.category, value: $0.value) }
            return LedgerRelease(summary: release.summary, cells: cells, document: [UInt8](release.document))
        }
    }

    /// Whole numbers are stored as INTEGER, anything else as REAL, NULL as NULL.
    fileprivate static func storedValue(_ value: Double?) -> DatabaseValue {
        guard let value else { return .null }
        if value.rounded() == value, abs(value) < 9e15 { return Int64(value).databaseValue }
        return value.databaseValue
    }
}

extension ReportStore {
    /// Stores a release, every one of its cells and an audit row "report.release", in ONE transaction.
    ///
    /// `check` runs inside that transaction, first, with every earlier release of the same council area (oldest
    /// first); if it throws, nothing is stored and the error is rethrown. Because the write lock is held, two
    /// releases racing for the same quarter cannot both pass a check that looks for an earlier one.
    /// Returns the new release's id.
    public func recordRelease(_ release: NewRelease,
                              check: @Sendable ([LedgerRelease]) throws -> Void) async throws -> String {
        let id = AppDatabase.newID()
        try await writer.write { db in
            try check(try AppDatabase.ledgerReleases(db, councilArea: release.councilArea))
            try ReportReleaseRecord(id: id, quarter: release.quarter, councilArea: release.councilArea, kind: release.kind,
                                    releasedAt: release.releasedAt, releasedBy: release.releasedBy,
                                    document: Data(release.document), signature: Data(release.signature)).insert(db)
            let insert = try db.makeStatement(sql: """
                INSERT INTO release_cell (release_id, table_name, category, value) VALUES (?, ?, ?, ?)
                """)
            for cell in release.cells {
                try insert.execute(arguments: [id, cell.table, cell.category, AppDatabase.storedValue(cell.value)])
            }
            try AppDatabase.markVoicesReleased(db, ids: release.voiceIDs, releaseID: id, quarter: release.quarter)
            try AppDatabase.appendAudit(db, AuditEntry(
                actor: release.releasedBy, action: .reportRelease,
                detail: "release=\(id),quarter=\(release.quarter),area=\(release.councilArea),kind=\(release.kind),cells=\(release.cells.count)"),
                at: release.releasedAt, keys: keys)
        }
        return id
    }

    /// Every release of a council area with its cells, oldest first.
    public func ledgerReleases(councilArea: String) async throws -> [LedgerRelease] {
        try await reader.read { db in try AppDatabase.ledgerReleases(db, councilArea: councilArea) }
    }

    /// The releases of a council area, newest first.
    public func releasedReports(councilArea: String) async throws -> [ReleaseSummary] {
        try await reader.read { db in
            try ReportReleaseRecord.fetchAll(db, sql: """
                SELECT * FROM report_release WHERE council_area = ? ORDER BY released_at DESC, rowid DESC
                """, arguments: [councilArea]).map(\.summary)
        }
    }

    /// The report the council reads for a quarter. With no `kind`: the quarter's current figures, its latest
    /// correction if it has one, else its first release. With a kind ("quarter", "correction", "year_to_date"):
    /// the latest release of that kind (a quarter and a year to date are released once; corrections may be many).
    public func releasedReport(councilArea: String, quarter: String, kind: String? = nil) async throws -> ReleasedReport? {
        let kinds = kind.map { [$0] } ?? ["quarter", "correction"]
        return try await reader.read { db in
            try ReportReleaseRecord.fetchOne(db, sql: """
                SELECT * FROM report_release
                WHERE council_area = ? AND quarter = ? AND kind IN (\(databaseQuestionMarks(count: kinds.count)))
                ORDER BY released_at DESC, rowid DESC LIMIT 1
                """, arguments: StatementArguments([councilArea, quarter] + kinds))?.released
        }
    }

    /// One release by id, of any kind (a year-to-date release, an earlier version of a corrected quarter),
    /// only if it belongs to `councilArea`.
    public func releasedReport(id: String, councilArea: String) async throws -> ReleasedReport? {
        try await reader.read { db in
            try ReportReleaseRecord.fetchOne(db, sql: "SELECT * FROM report_release WHERE id = ? AND council_area = ?",
                                             arguments: [id, councilArea])?.released
        }
    }
}
