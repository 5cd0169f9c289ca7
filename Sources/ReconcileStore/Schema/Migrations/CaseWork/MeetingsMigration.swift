import GRDB

extension AppDatabase {
    /// v23, meetings a family asks for with the school or college or the council.
    ///
    /// Party and status are plain (fixed lists, counted in the report); there is no party for the other child's
    /// family, and the CHECK keeps it so. The practitioner's note and the family's words are sealed under the case
    /// key, bound to the meeting's row; "did it help" (1–5) is plain, as it is counted. A family's view exists only
    /// for a meeting that was held.
    static func migrateV23Meetings(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE case_meeting (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                party TEXT NOT NULL CHECK (party IN ('school_or_college','council_childrens_services','council_education','other_organisation')),
                status TEXT NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested','invited','accepted','declined_by_other_party','held','withdrawn')),
                note BLOB,
                requested_at DATETIME NOT NULL,
                requested_by TEXT NOT NULL,
                status_at DATETIME NOT NULL,
                held_on TEXT CHECK (held_on IS NULL OR (status = 'held' AND held_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')),
                helped INTEGER CHECK (helped IS NULL OR (status = 'held' AND helped BETWEEN 1 AND 5)),
                family_words BLOB CHECK (family_words IS NULL OR status = 'held')
            );
            CREATE INDEX case_meeting_case ON case_meeting(case_id, requested_at);
            CREATE INDEX case_meeting_requested ON case_meeting(requested_at);
            """)
    }
}
