import GRDB

extension AppDatabase {
    /// Migration "v4-staff": partner staff and council accounts, and their sessions.
    ///
    /// Staff emails are work addresses, not family data, so they are stored in plain (lower-cased) to log in
    /// by. The TOTP secret is sealed with a subkey of the master key; passwords are Argon2id strings.
    /// Session tokens are random and only their keyed hash is stored, so a copied database opens no session.
    static func migrateV4Staff(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE staff_account (
                id TEXT PRIMARY KEY NOT NULL,
                email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
                role TEXT NOT NULL CHECK (role IN ('practitioner','lead','admin','council')),
                council_area TEXT CHECK ((role = 'council') = (council_area IS NOT NULL)),
                password_hash TEXT NOT NULL,
                totp_secret BLOB NOT NULL,
                totp_key_version INTEGER NOT NULL CHECK (totp_key_version >= 1),
                totp_last_step INTEGER,
                created_at DATETIME NOT NULL,
                disabled_at DATETIME
            );
            CREATE TABLE staff_session (
                token_hash BLOB PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES staff_account(id) ON DELETE CASCADE,
                created_at DATETIME NOT NULL,
                last_seen_at DATETIME NOT NULL,
                revoked_at DATETIME
            );
            CREATE INDEX staff_session_account ON staff_session(account_id);
            """)
    }

    /// Migration "v5-case-workflow": everything done on a case after intake.
    ///
    /// Statistical facts (stage, level of need, needs, signpost service/need/outcome, session date, duration
    /// and modality, safeguarding route) are plain so reports need no decryption; every note and message
    /// is a BLOB sealed with the case's data key under a field name that includes the row's own id.
    static func migrateV5CaseWorkflow(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE referral_case ADD COLUMN assigned_to TEXT REFERENCES staff_account(id) ON DELETE SET NULL;
            ALTER TABLE referral_case ADD COLUMN acknowledged_at DATETIME;
            ALTER TABLE referral_case ADD COLUMN closed_at DATETIME;
            CREATE INDEX referral_case_assigned ON referral_case(assigned_to);

            CREATE TABLE case_event (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                at DATETIME NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                from_stage TEXT NOT NULL,
                to_stage TEXT NOT NULL,
                detail TEXT,
                note BLOB
            );
            CREATE INDEX case_event_case ON case_event(case_id, at);

            CREATE TABLE listening_session (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                held_on TEXT NOT NULL CHECK (held_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
                duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 600),
                modality TEXT NOT NULL CHECK (modality IN ('phone','video','in_person')),
                recorded_at DATETIME NOT NULL,
                recorded_by TEXT NOT NULL,
                note BLOB
            );
            CREATE INDEX listening_session_case ON listening_session(case_id);

            CREATE TABLE assessment (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                level_of_need INTEGER NOT NULL CHECK (level_of_need BETWEEN 1 AND 4),
                needs TEXT NOT NULL CHECK (json_valid(needs) AND json_type(needs) = 'array'),
                assessed_at DATETIME NOT NULL,
                assessed_by TEXT NOT NULL,
                note BLOB
            );
            CREATE INDEX assessment_case ON assessment(case_id, assessed_at);

            CREATE TABLE signpost (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                service_id TEXT NOT NULL,
                need TEXT NOT NULL,
                outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('accepted','declined','no_response','pending')),
                created_at DATETIME NOT NULL,
                created_by TEXT NOT NULL,
                outcome_at DATETIME,
                note BLOB
            );
            CREATE INDEX signpost_case ON signpost(case_id);

            CREATE TABLE safeguarding_escalation (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                route TEXT NOT NULL CHECK (route IN ('social_care','police')),
                escalated_at DATETIME NOT NULL,
                escalated_by TEXT NOT NULL,
                note BLOB
            );
            CREATE INDEX safeguarding_case ON safeguarding_escalation(case_id);

            CREATE TABLE case_message (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                sender TEXT NOT NULL CHECK (sender IN ('partner','family')),
                author TEXT,
                sent_at DATETIME NOT NULL,
                body BLOB NOT NULL,
                read_at DATETIME
            );
            CREATE INDEX case_message_case ON case_message(case_id, sent_at);
            """)
    }
}
