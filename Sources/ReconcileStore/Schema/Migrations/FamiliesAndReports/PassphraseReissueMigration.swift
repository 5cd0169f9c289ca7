import GRDB

extension AppDatabase {
    /// v18: a new passphrase from the partner. `referral_case.passphrase_reissued_at` holds when the last one was
    /// issued until the family's next sign-in takes it over into that session (`portal_session.passphrase_reissued_at`),
    /// so exactly that session tells them, whatever they do later. Both NULL otherwise. The words themselves are never
    /// stored: only the verifier in `passphrase_hash` changes.
    static func migrateV18PassphraseReissue(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE referral_case ADD COLUMN passphrase_reissued_at DATETIME;
            ALTER TABLE portal_session ADD COLUMN passphrase_reissued_at DATETIME;
            """)
    }
}
