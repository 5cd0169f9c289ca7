import GRDB

/// Reading a fetched row without trapping. GRDB's `row["column"] as T` ends the whole process when the value is
/// NULL or of another type; one unexpected row would then take the service away from every family and worker at
/// once. These throw `StoreError.integrity` instead, which a request answers as a 500 and a service logs and survives.
/// The error names the column only: GRDB's own decoding error carries the row's values, which must not reach a log.
/// Store code reads rows only through these (a test scans the sources for the subscript).
extension Row {
    /// The value of `column`; ask for an optional type where the column may be NULL.
    func value<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        do { return try decode(Value.self, forColumn: column) } catch {
            throw StoreError.integrity("column \(column) could not be read as \(Value.self)")
        }
    }

    /// The value of the column at `index` (for `SELECT a, b` without names).
    func value<Value: DatabaseValueConvertible>(at index: Int, as type: Value.Type = Value.self) throws -> Value {
        guard index >= 0, index < count else { throw StoreError.integrity("column \(index) is not in the row") }
        do { return try decode(Value.self, atIndex: index) } catch {
            throw StoreError.integrity("column \(index) could not be read as \(Value.self)")
        }
    }

    /// Whether `column` holds a value (NOT NULL); never traps, a missing column reads as NULL.
    func holdsValue(_ column: String) -> Bool {
        ((try? decode(DatabaseValue.self, forColumn: column)) ?? .null) != .null
    }
}
