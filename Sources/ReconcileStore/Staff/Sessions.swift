import Foundation
import GRDB

/// How long a session lasts: with whose session it is, the only thing staff and family sessions differ in.
public protocol SessionLifetime: Sendable {
    /// A session unused for longer than this has ended.
    var idle: TimeInterval { get }
    /// A session older than this has ended however busy it was.
    var absolute: TimeInterval { get }
}

extension StaffSessionPolicy: SessionLifetime {}
extension PortalSessionPolicy: SessionLifetime {}

/// One session mechanism for staff and families: a random token of which only a keyed hash is stored, an idle and
/// an absolute limit, `last_seen_at` moved at most about once a minute, and signing out as a revocation. `staff` and
/// `family` differ only in their table and whose session it is (the owner column).
struct SessionTable: Sendable {
    // Both names are the constants below, never input: they are the only text put into these statements.
    let table: String
    let owner: String

    static let staff = SessionTable(table: "staff_session", owner: "account_id")
    static let family = SessionTable(table: "portal_session", owner: "case_id")

    /// Inserts a new session for `ownerID`, first deleting that owner's sessions past their absolute lifetime (of
    /// no further use), inside the sign-in's transaction.
    func start(_ db: Database, tokenHash: Data, ownerID: String, lifetime: some SessionLifetime, now: Date) throws {
        try db.execute(sql: "DELETE FROM \(table) WHERE \(owner) = ? AND created_at < ?",
                       arguments: [ownerID, now.addingTimeInterval(-lifetime.absolute)])
        try db.execute(sql: "INSERT INTO \(table) (token_hash, \(owner), created_at, last_seen_at) VALUES (?, ?, ?, ?)",
                       arguments: [tokenHash, ownerID, now, now])
    }

    /// Whose live session `tokenHash` is, or nil if it is unknown, revoked, idle longer than `lifetime.idle`, older
    /// than `lifetime.absolute`, or `admit` no longer admits its owner (a disabled account, an erased case).
    /// Checked with a read; the write (an fsync) happens only when `last_seen_at` is worth moving, so ordinary
    /// traffic does not queue behind, or ahead of, durable referral commits.
    func live<Owner: Sendable>(tokenHash: Data, lifetime: some SessionLifetime, now: Date, in database: AppDatabase,
                               admit: @escaping @Sendable (Database, String) throws -> Owner?) async throws -> Owner? {
        let found = try await database.reader.read { db -> (owner: Owner, lastSeenAt: Date)? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(owner) AS owner, created_at, last_seen_at, revoked_at FROM \(table) WHERE token_hash = ?
                """, arguments: [tokenHash]) else { return nil }
            let createdAt: Date = try row.value("created_at"), lastSeenAt: Date = try row.value("last_seen_at")
            guard !row.holdsValue("revoked_at"),
                  now.timeIntervalSince(lastSeenAt) <= lifetime.idle,
                  now.timeIntervalSince(createdAt) <= lifetime.absolute,
                  let admitted = try admit(db, try row.value("owner")) else { return nil }
            return (admitted, lastSeenAt)
        }
        guard let found else { return nil }
        if now.timeIntervalSince(found.lastSeenAt) >= min(60, lifetime.idle / 10) {
            try await database.writer.write { db in
                try db.execute(sql: """
                    UPDATE \(table) SET last_seen_at = ? WHERE token_hash = ? AND revoked_at IS NULL AND last_seen_at < ?
                    """, arguments: [now, tokenHash, now])
            }
        }
        return found.owner
    }

    /// Ends the session (sets `revoked_at`) and says whose it was; nil, changing nothing, for an unknown or
    /// already ended token.
    func end(_ db: Database, tokenHash: Data, now: Date) throws -> String? {
        guard let ownerID = try String.fetchOne(db, sql: "SELECT \(owner) FROM \(table) WHERE token_hash = ? AND revoked_at IS NULL",
                                                arguments: [tokenHash]) else { return nil }
        try db.execute(sql: "UPDATE \(table) SET revoked_at = ? WHERE token_hash = ?", arguments: [now, tokenHash])
        return ownerID
    }
}
