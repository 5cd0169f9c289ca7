import Foundation
import GRDB
import ReconcileCore

/// A case id binds and reads as its text, so `case_id = ?` takes a `CaseID` and a column reads back into one.
extension CaseID: DatabaseValueConvertible, StatementColumnConvertible {
    public init(sqliteStatement: SQLiteStatement, index: CInt) {
        self.init(String(sqliteStatement: sqliteStatement, index: index))
    }

    /// A new case's id: a random UUID in lower case, as every case has had since the first migration.
    static func mint() -> CaseID { CaseID(UUID().uuidString.lowercased()) }
}
