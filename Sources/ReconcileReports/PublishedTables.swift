import ReconcileCore

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
