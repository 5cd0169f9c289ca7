/// The languages the family-facing side is written in. A referral records the one it was made in (statistical:
/// counted in the report, and the language of the family's emails).
public enum FamilyLanguage: String, FixedList {
    case english = "en", easyRead = "en-easy", polish = "pl"
}
