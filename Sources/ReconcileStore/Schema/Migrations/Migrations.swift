import GRDB

extension AppDatabase {
    /// Migrations are never edited once shipped; each adds to the last. They name tables and values
    /// in SQL so they keep working whatever later code calls things.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-cases") { db in
            // Statistical columns are plain, checked against the fixed lists; personal columns hold
            // only ciphertext (BLOB) sealed with the case's own data key.
            try db.execute(sql: """
                CREATE TABLE referral_case (
                    id TEXT PRIMARY KEY NOT NULL,
                    reference TEXT NOT NULL UNIQUE
                        CHECK (reference GLOB 'RS-[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]-[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]'),
                    stage TEXT NOT NULL DEFAULT 'received'
                        CHECK (stage IN ('received','acknowledged','listening','assessed','signposted','closed')),
                    close_reason TEXT
                        CHECK (close_reason IN ('completed','withdrawn','no_contact','declined','transferred')),
                    council_area TEXT NOT NULL,
                    referrer_role TEXT NOT NULL CHECK (referrer_role IN
                        ('parent_or_carer','young_person','adult_affected_as_child','other_family_member','prefer_not_to_say')),
                    setting TEXT NOT NULL CHECK (setting IN ('primary','secondary','college','special_school',
                        'alternative_provision','outside_education','online','prefer_not_to_say')),
                    harm TEXT NOT NULL CHECK (json_valid(harm) AND json_type(harm) = 'array'),
                    when_ago TEXT NOT NULL
                        CHECK (when_ago IN ('under_1_year','1_to_3_years','over_3_years','prefer_not_to_say')),
                    told_before TEXT NOT NULL CHECK (json_valid(told_before) AND json_type(told_before) = 'array'),
                    wishes TEXT NOT NULL CHECK (json_valid(wishes) AND json_type(wishes) = 'array'),
                    consent_contact_at DATETIME NOT NULL,
                    consent_statistics BOOLEAN NOT NULL CHECK (consent_statistics IN (0, 1)),
                    consent_statistics_at DATETIME NOT NULL,
                    received_at DATETIME NOT NULL,
                    passphrase_hash TEXT NOT NULL,
                    contact_name BLOB, contact_email BLOB, contact_phone BLOB, contact_address BLOB,
                    contact_preference BLOB, contact_safe_to_leave_message BLOB, contact_safe_times BLOB,
                    story BLOB,
                    email_index BLOB, phone_index BLOB,
                    duplicate_of TEXT REFERENCES referral_case(id) ON DELETE SET NULL,
                    erased_at DATETIME
                );
                CREATE INDEX referral_case_area_received ON referral_case(council_area, received_at);
                CREATE INDEX referral_case_stage ON referral_case(stage);
                CREATE INDEX referral_case_email_index ON referral_case(email_index) WHERE email_index IS NOT NULL;
                CREATE INDEX referral_case_phone_index ON referral_case(phone_index) WHERE phone_index IS NOT NULL;

                -- One wrapped data key per case. Deleting this row crypto-shreds the case's personal data.
                CREATE TABLE case_key (
                    case_id TEXT PRIMARY KEY NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                    data_key_version INTEGER NOT NULL CHECK (data_key_version >= 1),
                    master_key_version INTEGER NOT NULL CHECK (master_key_version >= 1),
                    wrapped_key BLOB NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-idempotency") { db in
            // Remembers a submission's Idempotency-Key for 24 hours so a retried POST returns the same
            // referral. The passphrase is sealed with the case key and deleted when the window ends.
            try db.execute(sql: """
                CREATE TABLE idempotency_key (
                    key_hash BLOB PRIMARY KEY NOT NULL,
                    request_hash BLOB NOT NULL,
                    case_id TEXT NOT NULL REFERENCES referral_case(id) ON DELETE CASCADE,
                    passphrase BLOB NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX idempotency_key_created ON idempotency_key(created_at);
                """)
        }
        migrator.registerMigration("v3-audit-log") { db in try AppDatabase.migrateV3AuditLog(db) }
        migrator.registerMigration("v4-staff") { db in try AppDatabase.migrateV4Staff(db) }
        migrator.registerMigration("v5-case-workflow") { db in try AppDatabase.migrateV5CaseWorkflow(db) }
        migrator.registerMigration("v6-portal") { db in try AppDatabase.migrateV6Portal(db) }
        migrator.registerMigration("v7-reports") { db in try AppDatabase.migrateV7Reports(db) }
        migrator.registerMigration("v8-case-list-index") { db in
            // The case list pages by (received_at DESC, id DESC); without this every page sorted the whole
            // table (~20 ms at 100,000 cases, measured by Benchmarks/run; under 1 ms with it).
            try db.execute(sql: "CREATE INDEX referral_case_received_id ON referral_case(received_at, id)")
        }
        migrator.registerMigration("v9-answer-bits") { db in try AppDatabase.migrateV9AnswerBits(db) }
        migrator.registerMigration("v10-key-uses") { db in try AppDatabase.migrateV10KeyUses(db) }
        migrator.registerMigration("v11-practice-records") { db in try AppDatabase.migrateV11PracticeRecords(db) }
        migrator.registerMigration("v12-intake-questions") { db in try AppDatabase.migrateV12IntakeQuestions(db) }
        migrator.registerMigration("v13-mail-outbox") { db in try AppDatabase.migrateV13MailOutbox(db) }
        migrator.registerMigration("v14-records-check") { db in try AppDatabase.migrateV14RecordsCheck(db) }
        migrator.registerMigration("v15-feedback-loop") { db in try AppDatabase.migrateV15FeedbackLoop(db) }
        migrator.registerMigration("v16-feedback-and-complaints") { db in try AppDatabase.migrateV16FeedbackAndComplaints(db) }
        migrator.registerMigration("v17-referral-language") { db in try AppDatabase.migrateV17ReferralLanguage(db) }
        migrator.registerMigration("v18-passphrase-reissue") { db in try AppDatabase.migrateV18PassphraseReissue(db) }
        migrator.registerMigration("v19-request-path-indexes") { db in try AppDatabase.migrateV19RequestPathIndexes(db) }
        migrator.registerMigration("v20-follow-ups") { db in try AppDatabase.migrateV20FollowUps(db) }
        migrator.registerMigration("v23-meetings") { db in try AppDatabase.migrateV23Meetings(db) }
        migrator.registerMigration("v24-voices") { db in try AppDatabase.migrateV24Voices(db) }
        migrator.registerMigration("v25-appointments") { db in try AppDatabase.migrateV25Appointments(db) }
        migrator.registerMigration("v26-closed-as-duplicate") { db in try AppDatabase.migrateV26ClosedAsDuplicate(db) }
        migrator.registerMigration("v27-open-caseloads") { db in try AppDatabase.migrateV27OpenCaseloads(db) }
        migrator.registerMigration("v28-due-by-person") { db in try AppDatabase.migrateV28DueByPerson(db) }
        return migrator
    }
}
