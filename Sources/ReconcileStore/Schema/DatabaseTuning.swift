import Foundation
import GRDB
import Synchronization

/// How a connection uses memory (`database.cache_mib`, `database.mmap_mib`), and, for the test suite, where to
/// write the statements it runs.
public struct DatabaseTuning: Sendable {
    public var cacheMiB: Int
    public var mmapMiB: Int
    /// Set by `serve` when `RECONCILE_SQL_TRACE` names a file: the suite then checks the plan of every statement
    /// the service ran (`Tests/system/check_query_plans.py`).
    public var statementTrace: StatementTrace?

    public init(cacheMiB: Int = 64, mmapMiB: Int = 256, statementTrace: StatementTrace? = nil) {
        (self.cacheMiB, self.mmapMiB, self.statementTrace) = (cacheMiB, mmapMiB, statementTrace)
    }
}

/// Appends each distinct statement's SQL once, one per line. Only the SQL text with its `?` placeholders: GRDB
/// reports statements without their bound values, so no personal value reaches the file.
public final class StatementTrace: Sendable {
    private let seen = Mutex<Set<String>>([])
    private let fd: Int32

    public init(path: String) throws {
        // O_APPEND: several processes of one test run write whole lines to the same file.
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.integrity("cannot open the statement trace \(path)") }
    }

    deinit { close(fd) }

    func record(_ event: Database.TraceEvent) {
        guard case .statement(let statement) = event else { return }
        let sql = statement.sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        // Statements inside triggers are reported as comments naming the trigger: their own SQL is in the schema.
        guard !sql.hasPrefix("--"), seen.withLock({ $0.insert(sql).inserted }) else { return }
        let line = Array((sql + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
