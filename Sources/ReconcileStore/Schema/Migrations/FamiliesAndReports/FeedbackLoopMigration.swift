import Foundation
import GRDB

extension AppDatabase {
    /// v15, the feedback loop: coded experience themes tagged on cases (statistical; when each was
    /// first tagged, for counting by quarter), and offer rounds: how many offers of help went out, when, in which area and by which channel.
    /// Counts of letters or leaflets, not of people; the label is the lead's own name for the round (never
    /// released).
    static func migrateV15FeedbackLoop(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE offer_round (
                id TEXT PRIMARY KEY NOT NULL,
                council_area TEXT NOT NULL,
                offered_on TEXT NOT NULL CHECK (offered_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                channel TEXT NOT NULL CHECK (channel IN ('letter_from_the_council','through_schools','public_campaign','other')),
                offers_made INTEGER NOT NULL CHECK (offers_made BETWEEN 1 AND 10000000),
                label TEXT,
                created_at DATETIME NOT NULL,
                created_by TEXT NOT NULL REFERENCES staff_account(id)
            );
            CREATE INDEX offer_round_area_date ON offer_round(council_area, offered_on);
            CREATE TABLE case_experience_theme (
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                theme TEXT NOT NULL CHECK (theme IN ('contact_with_other_child_continued','schools_response',
                    'information_shared_between_settings','moving_school_or_county','waiting','being_believed')),
                tagged_at DATETIME NOT NULL,
                tagged_by TEXT NOT NULL,
                PRIMARY KEY (case_id, theme)
            );
            CREATE INDEX case_experience_theme_at ON case_experience_theme(tagged_at);
            """)
    }
}
