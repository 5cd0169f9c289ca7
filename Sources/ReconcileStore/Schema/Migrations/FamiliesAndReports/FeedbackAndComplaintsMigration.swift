import Foundation
import GRDB

extension AppDatabase {
    /// v16, family feedback and complaints.
    ///
    /// `case_feedback`: one response per case (the primary key), its three scores plain (statistical, counted by
    /// the London quarter it was given in) and its comment sealed under the case key, bound to the case and
    /// field, never released. "At least one answer" is checked in Swift, not here: erasure clears the comment
    /// and a comment-only response must keep its row so the quarter's counts do not move.
    ///
    /// `complaint`: complaints and compliments, by a lead or from the portal, with the London dates received and
    /// responded. A family's own words (`text`) are sealed under their case key, so text needs a case.
    static func migrateV16FeedbackAndComplaints(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE case_feedback (
                case_id TEXT PRIMARY KEY NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                listened_to INTEGER CHECK (listened_to BETWEEN 1 AND 5),
                believed INTEGER CHECK (believed BETWEEN 1 AND 5),
                help_was_right INTEGER CHECK (help_was_right BETWEEN 1 AND 5),
                comment BLOB,
                given_at DATETIME NOT NULL
            );
            CREATE INDEX case_feedback_given ON case_feedback(given_at);
            CREATE TABLE complaint (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT REFERENCES referral_case(id) ON DELETE SET NULL,
                council_area TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('complaint','compliment')),
                received_on TEXT NOT NULL CHECK (received_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                responded_on TEXT CHECK (responded_on IS NULL
                    OR (responded_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND responded_on >= received_on)),
                source TEXT NOT NULL CHECK (source IN ('staff','family')),
                text BLOB CHECK (text IS NULL OR case_id IS NOT NULL),
                created_at DATETIME NOT NULL,
                created_by TEXT NOT NULL
            );
            CREATE INDEX complaint_area_received ON complaint(council_area, received_on);
            CREATE INDEX complaint_case ON complaint(case_id) WHERE case_id IS NOT NULL;
            """)
    }
}
