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
    }
}
