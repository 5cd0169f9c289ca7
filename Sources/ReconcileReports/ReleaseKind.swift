/// What a release published, table by table (rebuilt from the ledger's cells for a correction, which keeps
/// suppressed what the quarter's earlier releases suppressed).
public struct PublishedTables: Sendable, Equatable {
    /// The quarter the release is of (for a year to date, its last quarter).
    public let quarter: String
    public let tables: [ProtectedTable]

    public init(quarter: String, tables: [ProtectedTable]) {
        self.quarter = quarter
        self.tables = tables
    }
}

/// A quarter's first release; a correction of a quarter already released (it replaces the quarter); or a
/// year to date (the sum of the financial year's quarters up to the one named).
public enum ReleaseKind: String, Sendable, Codable, CaseIterable {
    case quarter, correction, yearToDate = "year_to_date"
}
