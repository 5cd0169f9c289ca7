import Foundation
import GRDB

extension AppDatabase {
    /// v12: the questions the guidance asks of intake, as plain statistical columns checked against
    /// their fixed lists; `pattern_bits` is a multi-select bit set (`AnswerBits`); `access_needs` is personal and
    /// sealed under the case key; `channel` is how the referral came (every earlier one came by the web), and
    /// `entered_by` the practitioner who took one by phone, post or in person. Earlier referrals keep NULLs,
    /// which reports count as "not recorded". And `case_link`: a lead's link between two cases about the same
    /// incident (one row per pair, the smaller id first), which the assignment rule reads.
    static func migrateV12IntakeQuestions(_ db: Database) throws {
        func oneOf(_ column: String, _ codes: [String]) -> String {
            "ALTER TABLE referral_case ADD COLUMN \(column) TEXT CHECK (\(column) IN (\(codes.map { "'\($0)'" }.joined(separator: ","))));"
        }
        // Codes written out here, not read from the Swift enums: a migration is never edited once shipped.
        try db.execute(sql: [
            oneOf("involvement", ["harmed", "saw_or_knew", "was_accused_or_harmed_others", "more_than_one", "prefer_not_to_say"]),
            oneOf("age_band", ["under_13", "13_to_15", "16_to_17", "18_or_over", "prefer_not_to_say"]),
            oneOf("parent_knows", ["yes", "no", "prefer_not_to_say"]),
            oneOf("heard_from", ["letter_from_the_council", "school_or_college", "website_or_search", "social_media",
                                 "friend_or_family", "another_professional", "other", "prefer_not_to_say"]),
            oneOf("child_sex", ["girl", "boy", "another_way", "prefer_not_to_say"]),
            oneOf("special_needs", ["yes", "no", "not_sure", "prefer_not_to_say"]),
            "ALTER TABLE referral_case ADD COLUMN pattern_bits INTEGER NOT NULL DEFAULT 0 CHECK (pattern_bits >= 0 AND pattern_bits < 32);",
            """
            ALTER TABLE referral_case ADD COLUMN channel TEXT NOT NULL DEFAULT 'web'
                CHECK (channel IN ('web','phone','post','in_person','professional_on_behalf'));
            """,
            "ALTER TABLE referral_case ADD COLUMN entered_by TEXT REFERENCES staff_account(id);",
            "ALTER TABLE referral_case ADD COLUMN access_needs BLOB;",
            """
            CREATE TABLE case_link (
                case_a TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                case_b TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                linked_at DATETIME NOT NULL,
                linked_by TEXT NOT NULL,
                PRIMARY KEY (case_a, case_b),
                CHECK (case_a < case_b)
            );
            CREATE INDEX case_link_b ON case_link(case_b);
            -- Reports count reopenings in a period without walking every event.
            CREATE INDEX case_event_action_at ON case_event(action, at);
            """,
        ].joined(separator: "\n"))
    }
}
