import GRDB

extension AppDatabase {
    /// Migration "v14-records-check": the leads' monthly random sample of cases for a quality audit.
    ///
    /// One row per month in `records_sample_draw` (the month is the primary key, so a month is drawn once; a
    /// trigger refuses deleting a draw, so a sample cannot be thrown away and drawn again to avoid a case). Each
    /// sampled case names the practitioner it was drawn for; the lead's audit note is a BLOB sealed under the
    /// case's own key (erasure clears it with the case's other notes). `practitioner_id` has no foreign key so
    /// that removing a staff account never rewrites an audit sample.
    static func migrateV14RecordsCheck(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE records_sample_draw (
                month TEXT PRIMARY KEY NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
                per_practitioner INTEGER NOT NULL CHECK (per_practitioner BETWEEN 1 AND 100),
                drawn_at DATETIME NOT NULL,
                drawn_by TEXT NOT NULL
            );
            CREATE TRIGGER records_sample_draw_kept BEFORE DELETE ON records_sample_draw
            BEGIN SELECT RAISE(ABORT, 'a records sample is never deleted'); END;
            CREATE TRIGGER records_sample_draw_fixed BEFORE UPDATE ON records_sample_draw
            BEGIN SELECT RAISE(ABORT, 'a records sample is never redrawn'); END;

            CREATE TABLE records_sample_case (
                id TEXT PRIMARY KEY NOT NULL,
                month TEXT NOT NULL REFERENCES records_sample_draw(month),
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                practitioner_id TEXT NOT NULL,
                audit_note BLOB,
                reviewed_at DATETIME,
                reviewed_by TEXT,
                UNIQUE (month, case_id),
                CHECK ((reviewed_at IS NULL) = (reviewed_by IS NULL))
            );
            CREATE INDEX records_sample_case_case ON records_sample_case(case_id);
            CREATE TRIGGER records_sample_case_fixed BEFORE UPDATE OF id, month, case_id, practitioner_id ON records_sample_case
            BEGIN SELECT RAISE(ABORT, 'a sampled case stays in its sample'); END;
            """)
    }
}
