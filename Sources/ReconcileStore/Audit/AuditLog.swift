import Foundation
import GRDB
import Sodium
import ReconcileCore

// The audit log: an append-only, hash-chained record of staff access and actions.
//
// Each row's `hash` is a keyed BLAKE2b-256 over a canonical encoding of its own fields and the previous
// row's hash (see `AuditChain.rowMessage`); the first row's previous hash is 32 zero bytes. The key is a
// subkey of the index key (`crypto_kdf`, context "auditlog", id 1), held in the key directory, never in
// the database.
//
// Why keyed: with a plain hash, anyone holding only the database file (a stolen backup, a disk image, a
// careless admin with sqlite3) could drop the triggers, edit or delete rows and recompute every hash
// after the edit, leaving a chain that checks out. Without the key they cannot produce a valid hash,
// so any such edit shows up in `reconcile check`.
//
// Threat model limit: whoever holds the key — the running server, or anyone who can read the key
// directory — can rewrite the chain and the head consistently. The chain does not defend against a
// compromised server or key holder; keeping the key directory apart from the database and backups
// does part of that work, and exporting the head (`audit_head.last_hash`) somewhere else from time to
// time would let an operator notice a wholesale rewrite or a rollback to an old copy of the file.
// Further limits, by design:
// - Removing the newest rows is caught through `audit_head` (last seq and hash, MACed with the same key,
//   written in the same transaction as each row). Restoring an older database file as a whole (older
//   rows, older head, older MAC) cannot be told apart from that older state: it is a rollback, not a
//   forgery. An attacker who rewrites `audit_head` with the key is out of scope as above.
// - Emptying the log and its head together is caught only through SQLite's own `sqlite_sequence`
//   counter, which an attacker with the file can also reset; treat that as a speed bump, not a proof.

/// One audited action, as the caller describes it.
///
/// - `actor`: a staff account id, `"system"` or `"family:<case id>"` — an id, never a name or email.
/// - `action`: what was done, from the catalogue in `AuditAction` (a dotted name such as `case.read`).
/// - `caseID`: the case concerned, if any.
/// - `detail`: **never personal values.** Only ids, stage names, codes and counts
///   (`"stage=received->acknowledged"`, `"method=phone"`). The log is kept after a case is erased and is
///   stored in plain, so anything personal written here would survive crypto-shredding. Values containing
///   `@` (an email address) or control characters are refused as a guard, not a guarantee.
public struct AuditEntry: Sendable, Equatable {
    public var actor: String
    public var action: AuditAction
    public var caseID: CaseID?
    public var detail: String?

    public init(actor: String, action: AuditAction, caseID: CaseID? = nil, detail: String? = nil) {
        self.actor = actor
        self.action = action
        self.caseID = caseID
        self.detail = detail
    }

    static let maxActorLength = 128, maxActionLength = 64, maxCaseIDLength = 64, maxDetailLength = 1000

    func validate() throws {
        func plain(_ value: String, _ field: String, max: Int) throws {
            guard !value.isEmpty, value.utf8.count <= max else {
                throw AuditLogError.invalidEntry("\(field) must be 1 to \(max) bytes")
            }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw AuditLogError.invalidEntry("\(field) contains control characters")
            }
        }
        try plain(actor, "actor", max: Self.maxActorLength)
        try plain(action.name, "action", max: Self.maxActionLength)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-".unicodeScalars)
        guard action.name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw AuditLogError.invalidEntry("action must be lower-case letters, digits and . _ -")
        }
        if let caseID { try plain(caseID.rawValue, "case id", max: Self.maxCaseIDLength) }
        if let detail {
            try plain(detail, "detail", max: Self.maxDetailLength)
            guard !detail.contains("@") else {
                throw AuditLogError.invalidEntry("detail looks like it holds an email address; audit details hold ids and codes only")
            }
        }
    }
}

/// An audit entry refused before it reached the database. Messages name the field, never its value.
public enum AuditLogError: Error, Equatable, CustomStringConvertible {
    case invalidEntry(String)

    public var description: String {
        switch self {
        case .invalidEntry(let why): "audit entry refused: \(why)"
        }
    }
}

/// One row of `audit_log`, for timelines. Fetch-only on purpose: rows are written by `appendAudit` and
/// never updated, so this type does not offer `insert`/`update`/`delete`.
public struct AuditRecord: Codable, Sendable, Equatable, FetchableRecord, TableRecord {
    public static let databaseTableName = "audit_log"

    public var seq: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var caseId: CaseID?
    public var detail: String?
    public var prevHash: Data
    public var hash: Data

    public enum Columns {
        public static let seq = Column("seq")
        public static let caseId = Column("case_id")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

/// The outcome of `verifyAuditChain`. `rows` counts the rows verified before the first problem (all rows
/// when intact); `firstBadRow` is the `seq` where verification failed and `reason` says why, in words that
/// name rows and never contents.
public struct AuditChainReport: Sendable, Equatable, CustomStringConvertible {
    public let rows: Int
    public let firstBadRow: Int64?
    public let reason: String?

    public var isIntact: Bool { firstBadRow == nil }

    public var description: String {
        if let firstBadRow, let reason { return "row \(firstBadRow): \(reason)" }
        return "\(rows) rows verified"
    }

    static func intact(_ rows: Int) -> AuditChainReport { AuditChainReport(rows: rows, firstBadRow: nil, reason: nil) }
    static func broken(_ rows: Int, at seq: Int64, _ reason: String) -> AuditChainReport {
        AuditChainReport(rows: rows, firstBadRow: seq, reason: reason)
    }
}

extension AppDatabase {
    /// Appends one audit row, chained to the last. Call it **inside the write transaction of the action it
    /// records**, so that the action and its audit row commit together or not at all. The write lock
    /// serialises appends, so concurrent callers always see each other's rows.
    static func appendAudit(_ db: Database, _ entry: AuditEntry, at: Date, keys: KeyRing) throws {
        try entry.validate()
        let key = try AuditChain.key(keys)
        // Chain to the head, not to whatever row happens to be last: if rows were removed from the end, the
        // next row still names the missing row's hash and the gap stays visible. With no head yet (a fresh
        // log, or a deleted head) the new row starts from the genesis value.
        let head = try Row.fetchOne(db, sql: "SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
        let headSeq = try head.flatMap { Int64.fromDatabaseValue(try $0.value("last_seq")) } ?? 0
        let prevHash = try head.flatMap { Data.fromDatabaseValue(try $0.value("last_hash")) }.map { [UInt8]($0) } ?? AuditChain.genesis
        let maxSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") ?? 0
        let seq = max(headSeq, maxSeq) + 1
        let stamp = AuditChain.timestamp(at)
        let hash = try AuditChain.rowHash(key: key, seq: seq, at: stamp, actor: entry.actor, action: entry.action.name,
                                          caseID: entry.caseID, detail: entry.detail, prevHash: prevHash)
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor, action, case_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, stamp, entry.actor, entry.action.name, entry.caseID, entry.detail, Data(prevHash), Data(hash)])
        let mac = try AuditChain.headMAC(key: key, lastSeq: seq, lastHash: hash)
        if head == nil {
            try db.execute(sql: "INSERT INTO audit_head (id, last_seq, last_hash, mac) VALUES (1, ?, ?, ?)",
                           arguments: [seq, Data(hash), Data(mac)])
        } else {
            try db.execute(sql: "UPDATE audit_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1",
                           arguments: [seq, Data(hash), Data(mac)])
        }
    }

    /// NULL → `.some(nil)`, text → `.some(text)`, anything else → `nil` (malformed).
    fileprivate static func optionalText(_ value: DatabaseValue) -> String?? {
        if value.isNull { return .some(nil) }
        return String.fromDatabaseValue(value).map { .some($0) }
    }

    /// Only a BLOB counts as a hash; text that happens to decode as bytes does not.
    fileprivate static func blob(_ value: DatabaseValue) -> Data? {
        if case .blob(let data) = value.storage { return data }
        return nil
    }
}

extension AuditStore {
    /// Records one audit entry in its own transaction, committed before this returns. Prefer calling
    /// `appendAudit` inside the action's own transaction where there is one.
    public func recordAudit(_ entry: AuditEntry, at: Date = Date()) async throws {
        try await writer.write { db in try AppDatabase.appendAudit(db, entry, at: at, keys: keys) }
    }

    /// A case's audit rows, oldest first (for its timeline). Rows stay after the case is erased.
    func auditEntries(caseID: CaseID) throws -> [AuditRecord] {
        try reader.read { db in
            try AuditRecord.filter(AuditRecord.Columns.caseId == caseID).order(AuditRecord.Columns.seq).fetchAll(db)
        }
    }

    /// Walks the whole chain in `seq` order with a cursor (one row in memory at a time), inside one read
    /// transaction so concurrent appends do not disturb it. Detects a row whose contents were altered, a
    /// row removed from the middle or the start, rows reordered or moved to another `seq`, forged rows,
    /// the newest rows removed (through `audit_head`), and an altered or deleted head.
    public func verifyAuditChain() async throws -> AuditChainReport {
        let key = try AuditChain.key(keys)
        return try await reader.read { db in
            var rows = 0
            var lastSeq: Int64 = 0
            var lastHash = AuditChain.genesis
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log ORDER BY seq
                """)
            while let row = try cursor.next() {
                let seq: Int64 = (try row.value("seq"))  // INTEGER PRIMARY KEY: always an integer
                guard let at = String.fromDatabaseValue(try row.value("at")),
                      let actor = String.fromDatabaseValue(try row.value("actor")),
                      let action = String.fromDatabaseValue(try row.value("action")),
                      let caseID = AppDatabase.optionalText(try row.value("case_id")),
                      let detail = AppDatabase.optionalText(try row.value("detail")),
                      let prevData = AppDatabase.blob(try row.value("prev_hash")),
                      let hashData = AppDatabase.blob(try row.value("hash")) else {
                    return .broken(rows, at: seq, "a column holds a value of the wrong type")
                }
                let prevHash = [UInt8](prevData), storedHash = [UInt8](hashData)
                let expected = try AuditChain.rowHash(key: key, seq: seq, at: at, actor: actor, action: action,
                                                      caseID: caseID.map { CaseID($0) }, detail: detail, prevHash: prevHash)
                guard Sodium.constantTimeEquals(expected, storedHash) else {
                    return .broken(rows, at: seq, "hash does not match its contents")
                }
                guard Sodium.constantTimeEquals(prevHash, lastHash) else {
                    let reason: String
                    switch (lastSeq, seq == lastSeq + 1) {
                    case (0, true): reason = "previous hash is not the start of the chain"
                    case (0, false): reason = "the log starts at row \(seq) (earlier rows are missing)"
                    case (_, true): reason = "previous hash does not match row \(lastSeq)"
                    case (_, false): reason = "previous hash does not match row \(lastSeq) (a row is missing)"
                    }
                    return .broken(rows, at: seq, reason)
                }
                // With the key's hash over `seq` and a matching link, a gap means a forgery with the key.
                guard seq == lastSeq + 1 else { return .broken(rows, at: seq, "seq gap after row \(lastSeq)") }
                rows += 1
                lastSeq = seq
                lastHash = storedHash
            }

            // SQLite's own high-water mark: rows once written, even if every row and the head were deleted.
            let highWater = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'") ?? 0
            guard let head = try Row.fetchOne(db, sql: "SELECT last_seq, last_hash, mac FROM audit_head WHERE id = 1") else {
                if lastSeq == 0, highWater == 0 { return .intact(0) }
                if lastSeq == 0 {
                    return .broken(rows, at: 1, "the log is empty but rows up to \(highWater) were written (log and head removed)")
                }
                return .broken(rows, at: lastSeq, "the audit head is missing")
            }
            guard let headSeq = Int64.fromDatabaseValue(try head.value("last_seq")),
                  let headHash = AppDatabase.blob(try head.value("last_hash")).map({ [UInt8]($0) }),
                  let headMAC = AppDatabase.blob(try head.value("mac")).map({ [UInt8]($0) }) else {
                return .broken(rows, at: max(lastSeq, 1), "the audit head holds a value of the wrong type")
            }
            let expectedMAC = try AuditChain.headMAC(key: key, lastSeq: headSeq, lastHash: headHash)
            guard Sodium.constantTimeEquals(expectedMAC, headMAC) else {
                return .broken(rows, at: max(lastSeq, 1), "the audit head was altered (its MAC does not match)")
            }
            if headSeq > lastSeq {
                return .broken(rows, at: lastSeq + 1,
                               "missing: the head records row \(headSeq) but the log ends at row \(lastSeq) (rows removed from the end)")
            }
            if headSeq < lastSeq {
                return .broken(rows, at: headSeq + 1, "beyond the audit head, which records row \(headSeq)")
            }
            guard Sodium.constantTimeEquals(headHash, lastHash) else {
                return .broken(rows, at: lastSeq, "hash does not match the audit head")
            }
            if highWater > lastSeq {
                return .broken(rows, at: lastSeq + 1,
                               "missing: rows up to \(highWater) were written but the log ends at row \(lastSeq)")
            }
            return .intact(rows)
        }
    }
}
