import GRDB

extension AppDatabase {
    /// Migration "v6-portal": the family's return visits, erasure requests and the lead's safeguarding hold.
    ///
    /// Portal tokens, like staff tokens, are stored only as keyed hashes. An erasure request waits out the
    /// cooling-off period (`policies/retention.json`) and is carried out by `reconcile retention run`
    /// unless cancelled or held; the hold lives on the case so retention of closed cases honours it too.
    static func migrateV6Portal(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE portal_session (
                token_hash BLOB PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                created_at DATETIME NOT NULL,
                last_seen_at DATETIME NOT NULL,
                revoked_at DATETIME
            );
            CREATE INDEX portal_session_case ON portal_session(case_id);

            CREATE TABLE erasure_request (
                case_id TEXT PRIMARY KEY NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                requested_at DATETIME NOT NULL,
                due_at DATETIME NOT NULL,
                cancelled_at DATETIME,
                carried_out_at DATETIME
            );
            CREATE INDEX erasure_request_due ON erasure_request(due_at) WHERE cancelled_at IS NULL AND carried_out_at IS NULL;

            ALTER TABLE referral_case ADD COLUMN safeguarding_hold_at DATETIME;
            ALTER TABLE referral_case ADD COLUMN safeguarding_hold_by TEXT;
            """)
    }

    /// Migration "v7-reports": lessons-learned themes, the release ledger, and council API tokens.
    ///
    /// A released report is immutable: its exact bytes and Ed25519 signature, and every published cell
    /// (NULL value = suppressed), so later releases can be checked against what is already public.
    /// Triggers refuse UPDATE and DELETE on both ledger tables.
    static func migrateV7Reports(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE lessons_theme (
                id TEXT PRIMARY KEY NOT NULL,
                quarter TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                council_area TEXT NOT NULL,
                text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
                approved_by TEXT NOT NULL,
                approved_at DATETIME NOT NULL
            );
            CREATE INDEX lessons_theme_quarter ON lessons_theme(council_area, quarter);

            CREATE TABLE report_release (
                id TEXT PRIMARY KEY NOT NULL,
                quarter TEXT NOT NULL,
                council_area TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('quarter','correction','year_to_date')),
                released_at DATETIME NOT NULL,
                released_by TEXT NOT NULL,
                document BLOB NOT NULL,
                signature BLOB NOT NULL
            );
            CREATE INDEX report_release_area ON report_release(council_area, quarter, released_at);

            CREATE TABLE release_cell (
                release_id TEXT NOT NULL REFERENCES report_release(id),
                table_name TEXT NOT NULL,
                category TEXT NOT NULL,
                value INTEGER,
                PRIMARY KEY (release_id, table_name, category)
            );

            CREATE TRIGGER report_release_immutable_update BEFORE UPDATE ON report_release
            BEGIN SELECT RAISE(ABORT, 'a released report is immutable'); END;
            CREATE TRIGGER report_release_immutable_delete BEFORE DELETE ON report_release
            BEGIN SELECT RAISE(ABORT, 'a released report is immutable'); END;
            CREATE TRIGGER release_cell_immutable_update BEFORE UPDATE ON release_cell
            BEGIN SELECT RAISE(ABORT, 'a released report is immutable'); END;
            CREATE TRIGGER release_cell_immutable_delete BEFORE DELETE ON release_cell
            BEGIN SELECT RAISE(ABORT, 'a released report is immutable'); END;

            CREATE TABLE council_token (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES staff_account(id) ON DELETE CASCADE,
                token_hash BLOB NOT NULL UNIQUE,
                created_at DATETIME NOT NULL,
                revoked_at DATETIME
            );
            """)
    }
}
