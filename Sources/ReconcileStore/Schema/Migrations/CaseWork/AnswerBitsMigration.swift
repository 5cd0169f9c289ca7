import GRDB

extension AppDatabase {
    /// Migration "v9-answer-bits": every multi-select answer also as a bit set (`ReconcileCore.AnswerBits`), so
    /// the quarterly report counts a million referrals in one pass instead of one `json_each` walk per question.
    ///
    /// The JSON columns stay (the case view and the subject-access export read them). The new columns are
    /// filled by the same INSERT as the JSON from then on; existing rows are filled here from their JSON. They
    /// are nullable only because SQLite cannot add a NOT NULL column without a default, and a default of 0
    /// would hide a writer that forgot them: the report refuses to count a NULL instead.
    ///
    /// Bit i is the i-th value below, the declaration order of the Swift lists (pinned by `AnswerBitsTests`).
    /// Named here in SQL so this migration keeps its meaning whatever later code calls things.
    static func migrateV9AnswerBits(_ db: Database) throws {
        let harm = ["sexual_harassment", "online_or_image_based", "sexual_assault", "rape_or_assault_by_penetration",
                    "other_harmful_sexual_behaviour", "prefer_not_to_say"]
        let toldBefore = ["school", "police", "council_or_social_care", "health", "none", "prefer_not_to_say"]
        let wishes = ["to_be_listened_to", "counselling", "independent_legal_advice", "education_support", "emotional_support",
                      "social_support", "reconciliation_meeting", "information_only"]
        let needs = ["counselling", "independent_legal_advice", "education_support", "emotional_support", "social_support",
                     "specialist_sexual_violence_support", "online_safety", "mental_health", "family_support", "information"]
        try db.execute(sql: """
            ALTER TABLE referral_case ADD COLUMN harm_bits INTEGER;
            ALTER TABLE referral_case ADD COLUMN told_before_bits INTEGER;
            ALTER TABLE referral_case ADD COLUMN wishes_bits INTEGER;
            ALTER TABLE assessment ADD COLUMN needs_bits INTEGER;
            UPDATE referral_case SET harm_bits = \(bits(of: "harm", harm)), told_before_bits = \(bits(of: "told_before", toldBefore)),
                wishes_bits = \(bits(of: "wishes", wishes));
            UPDATE assessment SET needs_bits = \(bits(of: "needs", needs));
            """)
    }

    /// The bit set of the JSON array in `column`: each distinct known value's bit, summed (= OR-ed, as the bits
    /// are distinct powers of two); unknown values count nowhere, as they did in the JSON-walking report.
    private static func bits(of column: String, _ values: [String]) -> String {
        let cases = values.enumerated().map { "WHEN '\($0.element)' THEN \(1 << $0.offset)" }.joined(separator: " ")
        return "(SELECT COALESCE(SUM(DISTINCT CASE j.value \(cases) END), 0) FROM json_each(\(column)) j)"
    }
}
