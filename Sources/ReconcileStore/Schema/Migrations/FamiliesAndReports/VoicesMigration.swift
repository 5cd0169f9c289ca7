import GRDB

extension AppDatabase {
    /// v24, families' own words to the council.
    ///
    /// One statement per case (the primary key is the case). The text, and a lead's proposed edit, are sealed
    /// under the case key, bound to the case, until release; on release the row keeps its status and the quarter it
    /// went out in, and the text is cleared: from then on it lives only in the signed report. `consent_at` is when the
    /// family gave the separate, explicit consent; a statement without it cannot exist. Withdrawal clears the text.
    static func migrateV24Voices(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE family_voice (
                case_id TEXT PRIMARY KEY NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                id TEXT NOT NULL UNIQUE,
                council_area TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('offered','held_for_edit','approved','released','withdrawn')),
                text BLOB CHECK (text IS NOT NULL OR status IN ('released','withdrawn')),
                proposed_text BLOB CHECK (proposed_text IS NULL OR status = 'held_for_edit'),
                consent_at DATETIME NOT NULL,
                offered_at DATETIME NOT NULL,
                offered_by TEXT NOT NULL,
                reviewed_at DATETIME,
                reviewed_by TEXT,
                released_quarter TEXT,
                released_in TEXT REFERENCES report_release(id),
                CHECK ((status = 'released') = (released_in IS NOT NULL))
            );
            CREATE INDEX family_voice_area_status ON family_voice(council_area, status);
            -- A released statement stays released; only erasure of its case removes the row.
            CREATE TRIGGER family_voice_released_stays BEFORE UPDATE ON family_voice
            WHEN OLD.status = 'released' AND (NEW.status IS NOT 'released' OR NEW.text IS NOT NULL OR NEW.released_in IS NOT OLD.released_in) BEGIN
                SELECT RAISE(ABORT, 'a released statement cannot change');
            END;
            """)
    }
}
