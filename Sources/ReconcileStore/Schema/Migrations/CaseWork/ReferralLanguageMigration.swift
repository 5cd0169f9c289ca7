import GRDB

extension AppDatabase {
    /// v17, languages: the language a referral was made in. Statistical (counted in the report) and
    /// the language of the family's emails; NULL for referrals from before, or from a client that did not say.
    static func migrateV17ReferralLanguage(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE referral_case ADD COLUMN language TEXT CHECK (language IN ('en','en-easy','pl'));
            """)
    }
}
