import GRDB

extension AppDatabase {
    /// v19: every query on a request or commit path is bounded by an index, so no request gets slower as cases
    /// accumulate (the suite checks the plan of every statement `serve` runs: Tests/system/check_query_plans.py).
    static func migrateV19RequestPathIndexes(_ db: Database) throws {
        try db.execute(sql: """
            -- The duplicate lookup at intake: one seek per contact for the newest earlier case.
            DROP INDEX referral_case_email_index;
            DROP INDEX referral_case_phone_index;
            CREATE INDEX referral_case_email_received ON referral_case(email_index, received_at) WHERE email_index IS NOT NULL;
            CREATE INDEX referral_case_phone_received ON referral_case(phone_index, received_at) WHERE phone_index IS NOT NULL;
            -- Pruning on a schedule (sessions past their lifetime or signed out, sent mail): ranges, not scans.
            CREATE INDEX staff_session_created ON staff_session(created_at);
            CREATE INDEX staff_session_revoked ON staff_session(revoked_at) WHERE revoked_at IS NOT NULL;
            CREATE INDEX portal_session_created ON portal_session(created_at);
            CREATE INDEX portal_session_revoked ON portal_session(revoked_at) WHERE revoked_at IS NOT NULL;
            CREATE INDEX mail_outbox_sent ON mail_outbox(sent_at) WHERE sent_at IS NOT NULL;
            CREATE INDEX mail_outbox_given_up ON mail_outbox(given_up_at) WHERE given_up_at IS NOT NULL;
            -- Claims left by a stopped sender are released at start: only the claimed rows, not the outbox.
            CREATE INDEX mail_outbox_claimed ON mail_outbox(claimed_at) WHERE claimed_at IS NOT NULL;

            -- Cases by stage for /metrics, kept by triggers: a scrape every few seconds reads a handful of rows
            -- instead of counting every case.
            CREATE TABLE case_stage_count (
                stage TEXT PRIMARY KEY NOT NULL,
                n INTEGER NOT NULL CHECK (n >= 0)
            ) WITHOUT ROWID;
            INSERT INTO case_stage_count (stage, n) SELECT stage, COUNT(*) FROM referral_case GROUP BY stage;
            CREATE TRIGGER case_stage_count_insert AFTER INSERT ON referral_case BEGIN
                INSERT INTO case_stage_count (stage, n) VALUES (NEW.stage, 1) ON CONFLICT (stage) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER case_stage_count_update AFTER UPDATE OF stage ON referral_case WHEN OLD.stage IS NOT NEW.stage BEGIN
                UPDATE case_stage_count SET n = n - 1 WHERE stage = OLD.stage;
                INSERT INTO case_stage_count (stage, n) VALUES (NEW.stage, 1) ON CONFLICT (stage) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER case_stage_count_delete AFTER DELETE ON referral_case BEGIN
                UPDATE case_stage_count SET n = n - 1 WHERE stage = OLD.stage;
            END;
            """)
    }
}
