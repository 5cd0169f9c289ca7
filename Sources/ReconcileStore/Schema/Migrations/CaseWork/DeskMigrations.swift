import GRDB

extension AppDatabase {
    /// v28: what is due on one person's cases, without reading each case row (a case row carries its sealed
    /// fields, so reading one costs several microseconds). Signpost outcomes, safeguarding outcomes, follow-ups and
    /// replies stay due after a case closes, so a practitioner's desk walks every case they ever had: the first
    /// index holds each person's live case ids. The second replaces v27's open caseload index with one that also
    /// holds what the desk reads of an open case, and the two partial indexes hold only what still waits, by case,
    /// so each case costs one short probe.
    static func migrateV28DueByPerson(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX referral_case_live_assigned ON referral_case(assigned_to, id) WHERE erased_at IS NULL;
            CREATE INDEX referral_case_open_by_person ON referral_case(assigned_to, id, stage, received_at)
                WHERE stage <> 'closed' AND erased_at IS NULL;
            DROP INDEX referral_case_open_assigned;
            -- The team's counts, each read from an index alone: referrals not yet acknowledged (acknowledging empties
            -- it), open unassigned cases with their stage, and the ids of cases not erased (what waits on an erased
            -- case is no one's work).
            CREATE INDEX referral_case_awaiting_ack ON referral_case(received_at) WHERE stage = 'received' AND erased_at IS NULL;
            DROP INDEX referral_case_unassigned_open;
            CREATE INDEX referral_case_unassigned_open ON referral_case(received_at, stage)
                WHERE assigned_to IS NULL AND erased_at IS NULL AND stage <> 'closed';
            CREATE INDEX referral_case_live_ids ON referral_case(id) WHERE erased_at IS NULL;
            -- What waits on an erased case is no one's work, but its outcome stays 'pending' in the statistics: a flag
            -- takes it out of every "still waiting" index, which otherwise keeps every erased case's signposts for
            -- good (retention erases a quarter of the cases of ten quarters, and the desk walked them all).
            ALTER TABLE signpost ADD COLUMN case_erased INTEGER NOT NULL DEFAULT 0 CHECK (case_erased IN (0, 1));
            ALTER TABLE safeguarding_escalation ADD COLUMN case_erased INTEGER NOT NULL DEFAULT 0 CHECK (case_erased IN (0, 1));
            UPDATE signpost SET case_erased = 1 WHERE case_id IN (SELECT id FROM referral_case WHERE erased_at IS NOT NULL);
            UPDATE safeguarding_escalation SET case_erased = 1
                WHERE case_id IN (SELECT id FROM referral_case WHERE erased_at IS NOT NULL);
            DROP INDEX signpost_pending;
            DROP INDEX safeguarding_pending;
            CREATE INDEX signpost_pending ON signpost(created_at) WHERE outcome = 'pending' AND case_erased = 0;
            CREATE INDEX safeguarding_pending ON safeguarding_escalation(escalated_at) WHERE outcome = 'pending' AND case_erased = 0;
            CREATE INDEX signpost_pending_case ON signpost(case_id, created_at) WHERE outcome = 'pending' AND case_erased = 0;
            CREATE INDEX safeguarding_pending_case ON safeguarding_escalation(case_id, escalated_at)
                WHERE outcome = 'pending' AND case_erased = 0;
            """)
    }

    /// v27: each person's open caseload as one short range. The lead's desk and the assignment list count every
    /// enabled person's open cases on each view; through `referral_case_assigned` that read every case each person
    /// ever had (closed ones too), so the count grew with the years; this index holds open cases only.
    static func migrateV27OpenCaseloads(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX referral_case_open_assigned ON referral_case(assigned_to)
                WHERE stage <> 'closed' AND erased_at IS NULL;
            """)
    }

    /// v26: a second referral from a family already referred, closed as a duplicate of the first. It has no close
    /// reason (it is not an ending of the work) and leaves the council's referral counts; the CHECK keeps the column
    /// to closed cases without a reason, never the case itself, so reopening must clear it in the same write.
    static func migrateV26ClosedAsDuplicate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE referral_case ADD COLUMN closed_as_duplicate_of TEXT REFERENCES referral_case(id) ON DELETE SET NULL
                CHECK (closed_as_duplicate_of IS NULL
                       OR (closed_as_duplicate_of <> id AND stage = 'closed' AND close_reason IS NULL));
            -- Pointing earlier duplicates on when their case is closed as a duplicate in turn.
            CREATE INDEX referral_case_closed_as_duplicate ON referral_case(closed_as_duplicate_of)
                WHERE closed_as_duplicate_of IS NOT NULL;
            """)
    }

    /// v20: dated follow-ups on a case ("we call again in two weeks"). The note is sealed under the case key like
    /// every other staff note; the due date and who set or cleared it are plain, so what is due is one index range.
    static func migrateV20FollowUps(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE case_follow_up (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                due_on TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
                note BLOB,
                created_at DATETIME NOT NULL,
                created_by TEXT NOT NULL,
                done_at DATETIME,
                done_by TEXT,
                CHECK ((done_at IS NULL) = (done_by IS NULL))
            );
            CREATE INDEX case_follow_up_case ON case_follow_up(case_id, due_on);
            -- What is due: only follow-ups still open, by date (they do not accumulate: done ones leave this index).
            CREATE INDEX case_follow_up_open_due ON case_follow_up(due_on, case_id) WHERE done_at IS NULL;

            -- What is due, each list one range of a partial index holding only what still waits (it empties as
            -- work is done): signposts and safeguarding referrals without an outcome, unread family replies,
            -- come-back requests not yet answered.
            CREATE INDEX signpost_pending ON signpost(created_at) WHERE outcome = 'pending';
            CREATE INDEX safeguarding_pending ON safeguarding_escalation(escalated_at) WHERE outcome = 'pending';
            CREATE INDEX case_message_unread ON case_message(case_id) WHERE sender = 'family' AND read_at IS NULL;
            CREATE INDEX referral_case_come_back ON referral_case(come_back_requested_at) WHERE come_back_requested_at IS NOT NULL;
            CREATE INDEX referral_case_unassigned_open ON referral_case(received_at)
                WHERE assigned_to IS NULL AND erased_at IS NULL AND stage <> 'closed';
            """)
    }
}
