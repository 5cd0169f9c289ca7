import Foundation
import GRDB

/// Revocable API tokens for council officers' scripts (SPEC: "or with a revocable API token"). A token
/// stands for one council account and reaches only what that account may (released reports for its area).
/// Like session tokens, only a keyed hash is stored; the token itself is shown once, by `token add`.
public struct CouncilTokenIssued: Sendable {
    public let id: String
    public let token: String
}

public enum CouncilTokenError: Error, Equatable, CustomStringConvertible {
    case notACouncilAccount, noSuchToken

    public var description: String {
        switch self {
        case .notACouncilAccount: "tokens are only for enabled council accounts"
        case .noSuchToken: "there is no active token with that id"
        }
    }
}

extension StaffStore {
    public func addCouncilToken(email: String, now: Date = Date()) async throws -> CouncilTokenIssued {
        guard let email = StaffPolicy.normaliseEmail(email) else { throw CouncilTokenError.notACouncilAccount }
        let token = StaffSecrets.newToken()
        let hash = try StaffSecrets.tokenHash(token, keys: keys)
        let id = UUID().uuidString.lowercased()
        try await writer.write { db in
            guard let row = try StaffRow.fetch(db, email: email), row.role == .council, row.disabledAt == nil else {
                throw CouncilTokenError.notACouncilAccount
            }
            try db.execute(sql: "INSERT INTO council_token (id, account_id, token_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, row.id, hash, now])
            try AppDatabase.appendAudit(db, AuditEntry(actor: "cli", action: .councilTokenAdd, detail: "token=\(id)"), at: now, keys: keys)
        }
        return CouncilTokenIssued(id: id, token: token)
    }

    public func revokeCouncilToken(id: String, now: Date = Date()) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE council_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, id])
            guard db.changesCount == 1 else { throw CouncilTokenError.noSuchToken }
            try AppDatabase.appendAudit(db, AuditEntry(actor: "cli", action: .councilTokenRevoke, detail: "token=\(id)"), at: now, keys: keys)
        }
    }

    /// The council account a token stands for; nil when unknown, revoked, or the account is disabled.
    public func councilTokenAccount(token: String) async throws -> StaffAccount? {
        guard StaffSecrets.isPlausibleToken(token) else { return nil }
        let hash = try StaffSecrets.tokenHash(token, keys: keys)
        return try await reader.read { db in
            guard let accountID = try String.fetchOne(db, sql: "SELECT account_id FROM council_token WHERE token_hash = ? AND revoked_at IS NULL",
                                                      arguments: [hash]),
                  let row = try StaffRow.fetch(db, id: accountID), row.role == .council, row.disabledAt == nil else { return nil }
            return row.account
        }
    }
}
