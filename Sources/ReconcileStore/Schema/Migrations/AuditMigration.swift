import GRDB

extension AppDatabase {
    /// Migration "v3-audit-log", registered in `Migrations.swift`. Like every migration it is frozen once
    /// shipped: it names tables in SQL and never refers to app types.
    ///
    /// - `audit_log` has no foreign key to `referral_case`: the record of who did what outlives erasure
    ///   of the case it concerns. It holds ids, action names and codes, never personal values.
    /// - Triggers refuse every UPDATE and DELETE on `audit_log` (and INSERT OR REPLACE over an existing row), so no code path of the service (or a
    ///   mistaken manual query) can rewrite history. Someone holding the file can drop the triggers;
    ///   the hash chain, checked by `reconcile check`, is what catches that.
    /// - `audit_head` is a single row (id 1) naming the last row and its hash, MACed with the audit
    ///   key and written in the same transaction as each append. A chain alone cannot show that its
    ///   newest rows were cut off; the head can. It only ever moves forward.
    static func migrateV3AuditLog(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at DATETIME NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                case_id TEXT,
                detail TEXT,
                prev_hash BLOB NOT NULL,
                hash BLOB NOT NULL
            );
            CREATE INDEX audit_log_case ON audit_log(case_id) WHERE case_id IS NOT NULL;
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
            -- INSERT OR REPLACE deletes the old row without firing delete triggers; refuse it up front.
            CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
            WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

            CREATE TABLE audit_head (
                id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                last_seq INTEGER NOT NULL,
                last_hash BLOB NOT NULL,
                mac BLOB NOT NULL
            );
            CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
            WHEN NEW.last_seq <= OLD.last_seq
            BEGIN SELECT RAISE(ABORT, 'audit head only moves forward'); END;
            CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
            CREATE TRIGGER audit_head_no_replace BEFORE INSERT ON audit_head
            WHEN EXISTS (SELECT 1 FROM audit_head)
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
            """)
    }
}
