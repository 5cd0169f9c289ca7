import Foundation
import GRDB
import ReconcileCore

/// The intake questions of issue 17 as staff see them on a case: the statistical answers, how the referral came
/// (and who entered it), and the family's access needs, opened. Nil answers were not given (or not asked then).
public struct IntakeAnswersView: Sendable, Equatable {
    public var involvement: Involvement?
    public var ageBand: AgeBand?
    public var parentKnows: ParentKnows?
    public var heardFrom: HeardFrom?
    public var pattern: [IncidentPattern] = []
    public var childSex: ChildSex?
    public var specialNeeds: SpecialNeeds?
    public var channel: ReferralChannel = .web
    /// The staff account that entered it (its id; callers show the email).
    public var enteredBy: String?
    public var accessNeeds: AccessNeeds?
    /// The language the family made the referral in (issue 21); nil from before, or not said.
    public var language: FamilyLanguage?

    public init() {}
}

extension AppDatabase {
    /// One case's v12 columns, read by their own query (they are not in `CaseRecord`, like v11's).
    static func intakeAnswers(_ db: Database, caseID: String, cipher: CaseCipher) throws -> IntakeAnswersView {
        var view = IntakeAnswersView()
        guard let row = try Row.fetchOne(db, sql: """
            SELECT involvement, age_band, parent_knows, heard_from, pattern_bits, child_sex, special_needs, channel, entered_by, access_needs,
                language
            FROM referral_case WHERE id = ?
            """, arguments: [caseID]) else { return view }
        view.involvement = (row["involvement"] as String?).flatMap(Involvement.init(rawValue:))
        view.ageBand = (row["age_band"] as String?).flatMap(AgeBand.init(rawValue:))
        view.parentKnows = (row["parent_knows"] as String?).flatMap(ParentKnows.init(rawValue:))
        view.heardFrom = (row["heard_from"] as String?).flatMap(HeardFrom.init(rawValue:))
        view.pattern = IncidentPattern.answers(fromBits: row["pattern_bits"] ?? 0)
        view.childSex = (row["child_sex"] as String?).flatMap(ChildSex.init(rawValue:))
        view.specialNeeds = (row["special_needs"] as String?).flatMap(SpecialNeeds.init(rawValue:))
        view.channel = (row["channel"] as String?).flatMap(ReferralChannel.init(rawValue:)) ?? .web
        view.enteredBy = row["entered_by"]
        view.language = (row["language"] as String?).flatMap(FamilyLanguage.init(rawValue:))
        if let sealed = try cipher.openIfPresent(row["access_needs"] as Data?, field: PersonalField.accessNeeds) {
            view.accessNeeds = try JSONDecoder().decode(AccessNeeds.self, from: Data(sealed.utf8))
        }
        return view
    }
}
