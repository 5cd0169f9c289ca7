import Foundation
import GRDB

extension AppDatabase {
    /// v11: practice records (what advice was given, what actions were agreed, the reason for a decision) on
    /// listening sessions, assessments and signposts, each sealed under the case key like the notes; and what
    /// a signpost was (`kind`), a plain statistical fact. Rows from before keep NULLs and the default kind.
    /// And the evidential hold (when, by whom; its reason is the sealed note of its case event), and when a
    /// family asked from the portal to come back to a closed case; and the closure summary written for the
    /// family (sealed under the case key).
    static func migrateV11PracticeRecords(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE listening_session ADD COLUMN advice_given BLOB;
            ALTER TABLE listening_session ADD COLUMN actions_agreed BLOB;
            ALTER TABLE assessment ADD COLUMN advice_given BLOB;
            ALTER TABLE assessment ADD COLUMN actions_agreed BLOB;
            ALTER TABLE assessment ADD COLUMN reason BLOB;
            ALTER TABLE signpost ADD COLUMN advice_given BLOB;
            ALTER TABLE signpost ADD COLUMN actions_agreed BLOB;
            ALTER TABLE signpost ADD COLUMN reason BLOB;
            ALTER TABLE signpost ADD COLUMN kind TEXT NOT NULL DEFAULT 'information_given'
                CHECK (kind IN ('information_given', 'referral_made_with_consent'));
            ALTER TABLE referral_case ADD COLUMN evidential_hold_at DATETIME;
            ALTER TABLE referral_case ADD COLUMN evidential_hold_by TEXT;
            ALTER TABLE referral_case ADD COLUMN come_back_requested_at DATETIME;
            ALTER TABLE referral_case ADD COLUMN closure_summary BLOB;
            """)
        // Safeguarding in full: every route taken (social care, police, the LADO, early help) as a bit set, the
        // area referred to, the date, whether parents were told and if not why, the outcome, and a re-referral's
        // link to the first. SQLite cannot widen a CHECK, so the table is rebuilt; rows from before keep their one
        // route (as the first and only route), an unknown date, parents_informed NULL and outcome pending.
        try db.execute(sql: """
            CREATE TABLE safeguarding_escalation_v11 (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                route TEXT NOT NULL CHECK (route IN ('social_care','police','lado','early_help')),
                routes_bits INTEGER NOT NULL CHECK (routes_bits > 0),
                escalated_at DATETIME NOT NULL,
                escalated_by TEXT NOT NULL,
                note BLOB,
                referred_on TEXT,
                area_referred_to TEXT,
                parents_informed INTEGER CHECK (parents_informed IN (0, 1)),
                parents_not_informed_reason TEXT CHECK (parents_not_informed_reason IN ('greater_risk_to_child','other')),
                outcome TEXT NOT NULL DEFAULT 'pending'
                    CHECK (outcome IN ('pending','accepted','no_further_action','re_referred')),
                outcome_at DATETIME,
                re_referral_of TEXT REFERENCES safeguarding_escalation_v11(id),
                CHECK (parents_informed IS NOT 0 OR parents_not_informed_reason IS NOT NULL)
            );
            INSERT INTO safeguarding_escalation_v11 (id, case_id, route, routes_bits, escalated_at, escalated_by, note)
                SELECT id, case_id, route, CASE route WHEN 'social_care' THEN 1 ELSE 2 END, escalated_at, escalated_by, note
                FROM safeguarding_escalation;
            DROP TABLE safeguarding_escalation;
            ALTER TABLE safeguarding_escalation_v11 RENAME TO safeguarding_escalation;
            CREATE INDEX safeguarding_case ON safeguarding_escalation(case_id);
            """)
    }
}
