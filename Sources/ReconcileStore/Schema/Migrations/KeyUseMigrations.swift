import Foundation
import GRDB

extension AppDatabase {
    /// v10: what issue "web hardening" asked of keys and of the passphrase kept for a resent form.
    /// - `idempotency_key.passphrase` may be cleared before the row goes: a resent form shows the passphrase
    ///   only until `passphrase_until` (minutes), while the row still recognises the resend for 24 hours and
    ///   answers "already received" rather than storing the referral twice.
    /// - `referral_case.contact_index_version`: 1 for blind indexes under the index key itself, 2 for those
    ///   under its `contacts` subkey. Rows are moved to 2 by `upgradeContactIndexes` (it needs the keys, which
    ///   migrations never hold); new rows are 2 by the column default.
    /// - `key_state`: the master key version the database has been rotated to, so a running service that
    ///   meets a newer one reloads its key directory before wrapping a new case key.
    static func migrateV10KeyUses(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE idempotency_key_v10 (
                key_hash BLOB PRIMARY KEY NOT NULL,
                request_hash BLOB NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                passphrase BLOB,
                passphrase_until DATETIME NOT NULL,
                created_at DATETIME NOT NULL
            );
            INSERT INTO idempotency_key_v10 (key_hash, request_hash, case_id, passphrase, passphrase_until, created_at)
                SELECT key_hash, request_hash, case_id, passphrase, strftime('%Y-%m-%d %H:%M:%f', created_at, '+1 day'), created_at
                FROM idempotency_key;
            DROP TABLE idempotency_key;
            ALTER TABLE idempotency_key_v10 RENAME TO idempotency_key;
            CREATE INDEX idempotency_key_created ON idempotency_key(created_at);
            CREATE INDEX idempotency_key_passphrase_until ON idempotency_key(passphrase_until) WHERE passphrase IS NOT NULL;

            ALTER TABLE referral_case ADD COLUMN contact_index_version INTEGER NOT NULL DEFAULT 2;
            UPDATE referral_case SET contact_index_version = 1 WHERE email_index IS NOT NULL OR phone_index IS NOT NULL;
            CREATE INDEX referral_case_contact_index_v1 ON referral_case(id) WHERE contact_index_version = 1;

            CREATE TABLE key_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                master_version INTEGER NOT NULL
            );
            INSERT INTO key_state (id, master_version) VALUES (1, COALESCE((SELECT MAX(master_key_version) FROM case_key), 1));
            """)
    }

    /// The master key version the database was last rotated to.
    static func rotatedMasterVersion(_ db: Database) throws -> Int {
        try db.fetchOneCached(Int.self, sql: "SELECT master_version FROM key_state WHERE id = 1") ?? 1
    }
}
