import GRDB

extension AppDatabase {
    /// v25, appointments: the next listening session planned in a practitioner's diary.
    ///
    /// Times are UTC instants (`starts_at`, and `ends_at` kept beside it so the overlap check is one index range);
    /// London is only how they are entered and shown. Modality and status are plain fixed lists; the note is
    /// sealed under the case key, bound to the row, like a follow-up's. A held appointment names the listening
    /// session it became.
    static func migrateV25Appointments(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE case_appointment (
                id TEXT PRIMARY KEY NOT NULL,
                case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                practitioner_id TEXT NOT NULL,
                starts_at DATETIME NOT NULL CHECK (starts_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]*'),
                ends_at DATETIME NOT NULL CHECK (ends_at > starts_at),
                duration_minutes INTEGER NOT NULL CHECK (typeof(duration_minutes) = 'integer' AND duration_minutes BETWEEN 5 AND 480),
                modality TEXT NOT NULL CHECK (modality IN ('phone', 'video', 'in_person')),
                status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'moved', 'cancelled', 'held')),
                note BLOB,
                listening_session_id TEXT REFERENCES listening_session(id) ON DELETE SET NULL
                    CHECK (listening_session_id IS NULL OR status = 'held'),
                created_at DATETIME NOT NULL,
                created_by TEXT NOT NULL,
                updated_at DATETIME NOT NULL,
                updated_by TEXT NOT NULL
            );
            CREATE INDEX case_appointment_case ON case_appointment(case_id, starts_at);
            -- A practitioner's diary and the overlap check: one range of one practitioner's appointments.
            CREATE INDEX case_appointment_practitioner ON case_appointment(practitioner_id, starts_at);
            -- The team's diary, what is due this week and tomorrow's reminders: one range of time.
            CREATE INDEX case_appointment_starts ON case_appointment(starts_at);

            -- A family notice may be a reminder of an appointment tomorrow: the same content-free notice, its own
            -- fixed words. Only a family notice can be one.
            ALTER TABLE mail_outbox ADD COLUMN reminder BOOLEAN NOT NULL DEFAULT 0
                CHECK (reminder IN (0, 1) AND (reminder = 0 OR kind = 'family_notice'));
            """)
    }
}
