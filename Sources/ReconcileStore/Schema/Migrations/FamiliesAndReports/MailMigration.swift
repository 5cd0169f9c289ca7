import GRDB

extension AppDatabase {
    /// v13: notifications. A durable outbox, each staff member's alert choices, and the family's
    /// opt-in to a neutral email notice.
    static func migrateV13MailOutbox(_ db: Database) throws {
        try db.execute(sql: """
            -- The family's choice (portal, later intake): a neutral email when staff write to them. Plain, like
            -- the stage: it says only that a notice may be sent, never to where (the address stays sealed).
            ALTER TABLE referral_case ADD COLUMN notify_by_email BOOLEAN NOT NULL DEFAULT 0 CHECK (notify_by_email IN (0, 1));
            -- Whether the notice may name the service (sender and body); off unless the family agrees.
            ALTER TABLE referral_case ADD COLUMN notice_names_service BOOLEAN NOT NULL DEFAULT 0
                CHECK (notice_names_service IN (0, 1));

            -- One row per member of staff who has chosen; no row means the defaults for their role.
            CREATE TABLE staff_notification (
                staff_id TEXT PRIMARY KEY NOT NULL REFERENCES staff_account(id) ON DELETE CASCADE,
                new_referral BOOLEAN NOT NULL CHECK (new_referral IN (0, 1)),
                family_reply BOOLEAN NOT NULL CHECK (family_reply IN (0, 1)),
                overdue BOOLEAN NOT NULL CHECK (overdue IN (0, 1)),
                digest_only BOOLEAN NOT NULL CHECK (digest_only IN (0, 1)),
                areas TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(areas) AND json_type(areas) = 'array'),
                updated_at DATETIME NOT NULL
            );

            -- The outbox holds no text and no address: only what kind of notice, and for whom (a staff account or
            -- a case). Subject and body are fixed per kind; the address is read when the message is sent (the
            -- family's from their sealed contact), so a copy of the database shows no more than the case row does.
            CREATE TABLE mail_outbox (
                id TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('new_referral', 'family_reply', 'overdue', 'digest', 'family_notice')),
                staff_id TEXT REFERENCES staff_account(id) ON DELETE CASCADE,
                case_id TEXT REFERENCES referral_case(id) ON DELETE CASCADE,
                -- Daily mail is queued at most once per recipient and day, however often the service restarts.
                dedupe_key TEXT UNIQUE,
                created_at DATETIME NOT NULL,
                next_attempt_at DATETIME NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                -- Taken by a sending pass and not yet marked sent or failed; a pass skips it (see dueMail).
                claimed_at DATETIME,
                first_failed_at DATETIME,
                -- An SMTP reply code or an error type, never a value from a case.
                last_error TEXT,
                sent_at DATETIME,
                given_up_at DATETIME,
                CHECK ((kind = 'family_notice') = (case_id IS NOT NULL AND staff_id IS NULL)),
                CHECK (kind = 'family_notice' OR staff_id IS NOT NULL)
            );
            CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
            """)
    }
}
