import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

@Suite struct AuditLogTests {
    let keys = KeyRing.ephemeral()
    let start = Date(timeIntervalSince1970: 1_780_000_000.123)

    /// Entries of several shapes: with and without case id and detail.
    func entry(_ i: Int) -> AuditEntry {
        switch i % 4 {
        case 0: AuditEntry(actor: "staff-\(i % 3)", action: AuditAction("case.read"), caseID: CaseID("case-\(i % 5)"))
        case 1: AuditEntry(actor: "staff-\(i % 3)", action: AuditAction("case.acknowledge"), caseID: CaseID("case-\(i % 5)"), detail: "method=phone")
        case 2: AuditEntry(actor: "system", action: AuditAction("retention.run"), detail: "shredded=\(i)")
        default: AuditEntry(actor: "family:case-\(i % 5)", action: AuditAction("portal.export"))
        }
    }

    func database(rows: Int) throws -> AppDatabase {
        let db = try AppDatabase.inMemory()
        try append(rows, to: db)
        return db
    }

    func append(_ count: Int, to db: AppDatabase, from first: Int = 0) throws {
        try db.writer.write { conn in
            for i in first..<(first + count) {
                try AppDatabase.appendAudit(conn, entry(i), at: start.addingTimeInterval(Double(i)), keys: keys)
            }
        }
    }

    /// What someone holding only the database file can do: drop the triggers and write plain SQL.
    func tamper(_ db: AppDatabase, _ sql: String, arguments: StatementArguments = []) throws {
        try db.writer.write { conn in
            try conn.execute(sql: """
                DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_replace;
                DROP TRIGGER audit_head_forward_only; DROP TRIGGER audit_head_no_delete; DROP TRIGGER audit_head_no_replace;
                """)
            try conn.execute(sql: sql, arguments: arguments)
        }
    }

    func hash(of seq: Int, in db: AppDatabase) throws -> Data {
        try db.reader.read { try Data.fetchOne($0, sql: "SELECT hash FROM audit_log WHERE seq = ?", arguments: [seq])! }
    }

    // MARK: - Clean chains

    /// The names made from the vocabulary (a case step or piece of work, a family's complaint or voice) are all ones the
    /// log accepts, and no two acts share one: an event added to `CaseEvent` cannot produce an unwritable audit row.
    @Test func everyGeneratedActionIsAValidDistinctName() throws {
        let generated = CaseEvent.allCases.map(AuditAction.caseEvent) + ComplaintKind.allCases.map(AuditAction.portal)
            + [CaseEvent.voiceOffered, .voiceWithdrawn, .voiceEditAccepted].map(AuditAction.portalVoice)
        for action in generated { try AuditEntry(actor: "staff-1", action: action).validate() }
        #expect(Set(generated).count == generated.count)
        #expect(throws: AuditLogError.self) { try AuditEntry(actor: "staff-1", action: AuditAction("Case.Read")).validate() }
    }

    @Test func manyRowsVerifyClean() async throws {
        let db = try database(rows: 1000)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == AuditChainReport(rows: 1000, firstBadRow: nil, reason: nil))
        let seqs = try await db.reader.read { try Int64.fetchAll($0, sql: "SELECT seq FROM audit_log ORDER BY seq") }
        #expect(seqs == Array(1...1000))
        let first = try await db.reader.read { try Data.fetchOne($0, sql: "SELECT prev_hash FROM audit_log WHERE seq = 1") }
        #expect(first == Data(count: 32), "the first row chains to 32 zero bytes")
    }

    @Test func anEmptyLogVerifies() async throws {
        let db = try AppDatabase.inMemory()
        let report = try await AuditStore(db, keys).verifyAuditChain()
        #expect(report.isIntact)
        #expect(report.rows == 0)
    }

    @Test func aFileDatabaseVerifiesAcrossReopening() async throws {
        let dir = try TemporaryDirectory()
        do {
            let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
            try append(25, to: db)
        }
        let reopened = try AppDatabase.open(dataDirectory: dir.url, migrate: false)
        #expect(try await AuditStore(reopened, keys).verifyAuditChain().rows == 25)
        try append(5, to: reopened, from: 25)
        #expect(try await AuditStore(reopened, keys).verifyAuditChain() == .intact(30))
        withExtendedLifetime(dir) {}
    }

    @Test func anotherKeyCannotVerifyOrForgeTheChain() async throws {
        let db = try database(rows: 3)
        let report = try await AuditStore(db, KeyRing.ephemeral()).verifyAuditChain()
        #expect(report.firstBadRow == 1)
        #expect(report.reason == "hash does not match its contents")
    }

    @Test func caseTimelineListsItsRowsInOrder() throws {
        let db = try database(rows: 40)
        let rows = try AuditStore(db, keys).auditEntries(caseID: CaseID("case-1"))
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0.caseId == CaseID("case-1") })
        #expect(rows.map(\.seq) == rows.map(\.seq).sorted())
        let firstRow = try #require(rows.first)
        #expect(firstRow.seq == 2)
        #expect(firstRow.action == "case.acknowledge")
        #expect(firstRow.detail == "method=phone")
        #expect(abs(firstRow.at.timeIntervalSince(start.addingTimeInterval(1))) < 0.0006)
        #expect(try AuditStore(db, keys).auditEntries(caseID: CaseID("no-such-case")).isEmpty)
    }

    @Test func auditRowsOutliveTheCaseTheyConcern() async throws {
        let db = try AppDatabase.inMemory()
        let record = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h",
                                       receivedAt: Date())
        try await db.writer.write { conn in
            try AppDatabase.appendAudit(conn, AuditEntry(actor: "staff-1", action: AuditAction("case.read"), caseID: record.id), at: Date(), keys: keys)
            try conn.execute(sql: "DELETE FROM referral_case WHERE id = ?", arguments: [record.id])
        }
        #expect(try AuditStore(db, keys).auditEntries(caseID: record.id).count == 1)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .intact(1))
    }

    // MARK: - The triggers

    @Test func updateAndDeleteAreRefusedBySQLite() async throws {
        let db = try database(rows: 5)
        for sql in ["UPDATE audit_log SET action = 'case.other' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 5",
                    "DELETE FROM audit_log", "DELETE FROM audit_head",
                    "UPDATE audit_head SET last_seq = 4",
                    // REPLACE deletes without firing delete triggers; the insert trigger catches it.
                    "INSERT OR REPLACE INTO audit_log (seq, at, actor, action, prev_hash, hash) SELECT seq, at, actor, 'case.other', prev_hash, hash FROM audit_log WHERE seq = 2",
                    "REPLACE INTO audit_head (id, last_seq, last_hash, mac) SELECT 1, 4, last_hash, mac FROM audit_head"] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") { try db.writer.write { try $0.execute(sql: sql) } }
            #expect(error?.message?.contains("append-only") == true || error?.message?.contains("only moves forward") == true,
                    "\(sql): \(error?.message ?? "")")
        }
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .intact(5))
    }

    // MARK: - Tampering by someone with the file

    @Test func alteredActionIsDetected() async throws {
        let db = try database(rows: 10)
        #expect(try await db.reader.read { try String.fetchOne($0, sql: "SELECT action FROM audit_log WHERE seq = 7") } == "retention.run")
        try tamper(db, "UPDATE audit_log SET action = 'case.read' WHERE seq = 7")
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(6, at: 7, "hash does not match its contents"))
    }

    @Test func alteredDetailIsDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, "UPDATE audit_log SET detail = 'method=email' WHERE seq = 6")
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(5, at: 6, "hash does not match its contents"))
        let db2 = try database(rows: 10)
        try tamper(db2, "UPDATE audit_log SET detail = NULL WHERE seq = 3")
        #expect(try await AuditStore(db2, keys).verifyAuditChain().firstBadRow == 3)
    }

    @Test(arguments: ["at = '2020-01-01 00:00:00.000'", "actor = 'staff-9'", "case_id = 'case-9'", "case_id = NULL",
                      "prev_hash = zeroblob(32)", "hash = zeroblob(32)", "actor = 42", "hash = 'text'"])
    func anyAlteredColumnIsDetected(change: String) async throws {
        let db = try database(rows: 8)
        try tamper(db, "UPDATE audit_log SET \(change) WHERE seq = 5")
        let report = try await AuditStore(db, keys).verifyAuditChain()
        #expect(report.firstBadRow == 5, "\(change): \(report)")
        #expect(report.rows == 4)
    }

    @Test func aRowRemovedFromTheMiddleIsDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, "DELETE FROM audit_log WHERE seq = 7")
        #expect(try await AuditStore(db, keys).verifyAuditChain()
                == .broken(6, at: 8, "previous hash does not match row 6 (a row is missing)"))
    }

    @Test func theFirstRowRemovedIsDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, "DELETE FROM audit_log WHERE seq = 1")
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(0, at: 2, "the log starts at row 2 (earlier rows are missing)"))
    }

    @Test func theLastRowRemovedIsDetectedThroughTheHead() async throws {
        let db = try database(rows: 10)
        try tamper(db, "DELETE FROM audit_log WHERE seq = 10")
        let report = try await AuditStore(db, keys).verifyAuditChain()
        #expect(report.firstBadRow == 10)
        #expect(report.rows == 9)
        #expect(report.reason?.contains("rows removed from the end") == true)
    }

    @Test func truncationWithTheHeadPointedBackIsDetected() async throws {
        let db = try database(rows: 10)
        let ninth = try hash(of: 9, in: db)
        try tamper(db, "DELETE FROM audit_log WHERE seq = 10; UPDATE audit_head SET last_seq = 9, last_hash = ?",
                   arguments: [ninth])
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(9, at: 9, "the audit head was altered (its MAC does not match)"))
    }

    @Test func swappedRowContentsAreDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, """
            CREATE TEMP TABLE swap AS SELECT * FROM audit_log WHERE seq IN (3, 4);
            UPDATE audit_log SET
                at = (SELECT at FROM swap WHERE swap.seq = 7 - audit_log.seq),
                actor = (SELECT actor FROM swap WHERE swap.seq = 7 - audit_log.seq),
                action = (SELECT action FROM swap WHERE swap.seq = 7 - audit_log.seq),
                case_id = (SELECT case_id FROM swap WHERE swap.seq = 7 - audit_log.seq),
                detail = (SELECT detail FROM swap WHERE swap.seq = 7 - audit_log.seq)
            WHERE seq IN (3, 4);
            """)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(2, at: 3, "hash does not match its contents"))
    }

    @Test func reorderedRowsAreDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, """
            UPDATE audit_log SET seq = -1 WHERE seq = 3;
            UPDATE audit_log SET seq = 3 WHERE seq = 4;
            UPDATE audit_log SET seq = 4 WHERE seq = -1;
            """)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(2, at: 3, "hash does not match its contents"))
    }

    @Test func aForgedRowIsDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, """
            INSERT INTO audit_log (seq, at, actor, action, case_id, detail, prev_hash, hash)
            SELECT 11, at, actor, 'case.read', case_id, NULL, hash, randomblob(32) FROM audit_log WHERE seq = 10
            """)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(10, at: 11, "hash does not match its contents"))
    }

    @Test func aCopiedRowIsDetected() async throws {
        let db = try database(rows: 10)
        // A genuine row replayed later in the chain: its hash covers its original seq and predecessor.
        try tamper(db, """
            INSERT INTO audit_log (seq, at, actor, action, case_id, detail, prev_hash, hash)
            SELECT 11, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log WHERE seq = 4
            """)
        #expect(try await AuditStore(db, keys).verifyAuditChain().firstBadRow == 11)
    }

    @Test func anAlteredHeadIsDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, "UPDATE audit_head SET last_hash = ?", arguments: [try hash(of: 9, in: db)])
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(10, at: 10, "the audit head was altered (its MAC does not match)"))

        let db2 = try database(rows: 10)
        try tamper(db2, "UPDATE audit_head SET last_seq = 12")
        #expect(try await AuditStore(db2, keys).verifyAuditChain().firstBadRow == 10)
    }

    @Test func aDeletedHeadIsDetected() async throws {
        let db = try database(rows: 10)
        try tamper(db, "DELETE FROM audit_head")
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(10, at: 10, "the audit head is missing"))
    }

    @Test func anEmptiedLogIsDetectedByTheSequenceCounter() async throws {
        let db = try database(rows: 10)
        try tamper(db, "DELETE FROM audit_log; DELETE FROM audit_head")
        let report = try await AuditStore(db, keys).verifyAuditChain()
        #expect(report.firstBadRow == 1)
        #expect(report.reason?.contains("rows up to 10 were written") == true)
    }

    @Test func appendingAfterTamperingKeepsTheEvidence() async throws {
        // Removing the newest row and letting the service carry on must not heal the chain.
        let db = try database(rows: 10)
        try tamper(db, "DELETE FROM audit_log WHERE seq = 10")
        try append(3, to: db, from: 10)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .broken(9, at: 11, "previous hash does not match row 9 (a row is missing)"))

        let db2 = try database(rows: 10)
        try tamper(db2, "DELETE FROM audit_head")
        try append(1, to: db2, from: 10)
        #expect(try await AuditStore(db2, keys).verifyAuditChain() == .broken(10, at: 11, "previous hash does not match row 10"))
    }

    // MARK: - Atomicity, concurrency, refusals

    struct Abort: Error {}

    @Test func aRolledBackActionLeavesNoAuditRow() async throws {
        let db = try database(rows: 3)
        #expect(throws: Abort.self) {
            try db.writer.write { conn in
                _ = try AppDatabase.insertCase(conn, Fixtures.referral(), reference: Fixtures.reference(),
                                               passphraseHash: "h", receivedAt: Date(), keys: keys)
                try AppDatabase.appendAudit(conn, AuditEntry(actor: "staff-1", action: AuditAction("case.create")), at: Date(), keys: keys)
                throw Abort()
            }
        }
        #expect(try await IntakeStore(db, keys).caseCount() == 0)
        #expect(try await db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit_log") } == 3)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .intact(3))
        // The next append continues the chain from row 3.
        try append(1, to: db, from: 3)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .intact(4))
    }

    @Test func aRolledBackFirstAppendLeavesNoHead() async throws {
        let db = try AppDatabase.inMemory()
        #expect(throws: Abort.self) {
            try db.writer.write { conn in
                try AppDatabase.appendAudit(conn, AuditEntry(actor: "system", action: AuditAction("case.read")), at: Date(), keys: keys)
                throw Abort()
            }
        }
        #expect(try await db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit_head") } == 0)
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .intact(0))
    }

    @Test func concurrentAppendsMakeOneValidChain() async throws {
        let dir = try TemporaryDirectory()
        let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        let keys = self.keys
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    try await AuditStore(db, keys).recordAudit(AuditEntry(actor: "staff-\(i)", action: AuditAction("case.read"), caseID: CaseID("case-\(i)")))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await AuditStore(db, keys).verifyAuditChain() == .intact(50))
        let actors = try await db.reader.read { try String.fetchAll($0, sql: "SELECT actor FROM audit_log") }
        #expect(Set(actors).count == 50)
        withExtendedLifetime(dir) {}
    }

    @Test(arguments: [
        AuditEntry(actor: "", action: AuditAction("case.read")),
        AuditEntry(actor: "staff-1", action: AuditAction("Case Read")),
        AuditEntry(actor: "staff-1", action: AuditAction("case.read"), detail: "emailed ann@example.org"),
        AuditEntry(actor: "staff-1", action: AuditAction("case.read"), detail: "line\nbreak"),
        AuditEntry(actor: "staff-1", action: AuditAction("case.read"), detail: String(repeating: "x", count: 1001)),
        AuditEntry(actor: "staff-1", action: AuditAction("case.read"), caseID: CaseID("")),
    ])
    func malformedEntriesAreRefusedAndWriteNothing(entry: AuditEntry) async throws {
        let db = try AppDatabase.inMemory()
        await #expect(throws: AuditLogError.self) { try await AuditStore(db, keys).recordAudit(entry) }
        let count = try await db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM audit_log") }
        #expect(count == 0)
    }

    // MARK: - The encoding, pinned

    @Test func timestampsAreWholeMillisecondsUTC() throws {
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 1.2344)) == "1970-01-01 00:00:01.234")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 1.2346)) == "1970-01-01 00:00:01.235")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 59.9996)) == "1970-01-01 00:01:00.000")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: -0.001)) == "1969-12-31 23:59:59.999")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29 00:00:00.000")
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: 4_102_444_799.5)) == "2099-12-31 23:59:59.500")
        // Agrees with Foundation on many instants, and GRDB decodes the text back to the same millisecond.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        for _ in 0..<500 {
            let ms = Int64.random(in: 0..<4_102_444_800_000)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = AuditChain.timestamp(date)
            #expect((formatter.date(from: text)!.timeIntervalSince1970 * 1000).rounded() == Double(ms), "\(text)")
            let decoded = try #require(Date.fromDatabaseValue(text.databaseValue))
            #expect(AuditChain.timestamp(decoded) == text)
        }
    }

    @Test func rowEncodingIsLengthPrefixed() {
        let message = AuditChain.rowMessage(seq: 258, at: "2026-01-02 03:04:05.006", actor: "s1", action: "a.b",
                                            caseID: nil, detail: "d", prevHash: [0xAA, 0xBB])
        var expected: [UInt8] = [0, 0, 0, 22] + Array("reconcile/audit-log/v1".utf8)
        expected += [0, 0, 0, 0, 0, 0, 1, 2]
        expected += [0, 0, 0, 23] + Array("2026-01-02 03:04:05.006".utf8)
        expected += [0, 0, 0, 2] + Array("s1".utf8)
        expected += [0, 0, 0, 3] + Array("a.b".utf8)
        expected += [0]                                      // case id absent
        expected += [1, 0, 0, 0, 1] + Array("d".utf8)        // detail present
        expected += [0, 0, 0, 2, 0xAA, 0xBB]
        #expect(message == expected)
        // Moving bytes between adjacent fields changes the encoding.
        let shifted = AuditChain.rowMessage(seq: 258, at: "2026-01-02 03:04:05.006", actor: "s", action: "1a.b",
                                            caseID: nil, detail: "d", prevHash: [0xAA, 0xBB])
        #expect(shifted != message)
        #expect(AuditChain.rowMessage(seq: 1, at: "t", actor: "a", action: "b", caseID: nil, detail: nil, prevHash: [])
                != AuditChain.rowMessage(seq: 1, at: "t", actor: "a", action: "b", caseID: CaseID(""), detail: nil, prevHash: []))
    }
}
