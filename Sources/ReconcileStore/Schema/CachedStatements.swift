import GRDB

/// Statements kept compiled in the connection's cache. GRDB's `execute(sql:)` and `fetchOne(db, sql:)` parse,
/// plan and authorize their SQL again on every call; the statements that every referral (or every request) runs
/// go through these instead. Only for fixed SQL text: the cache is keyed by it.
extension Database {
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func fetchOneCached<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _: Value.Type, sql: String, arguments: StatementArguments = StatementArguments()
    ) throws -> Value? {
        try Value.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchRowCached(sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchRowsCached(sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}
