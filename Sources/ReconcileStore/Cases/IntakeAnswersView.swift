import Foundation
import GRDB
import ReconcileCore

/// The intake questions as staff see them on a case: the statistical answers, how the referral came
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
    /// The language the family made the referral in; nil from before, or not said.
    public var language: FamilyLanguage?

    public init() {}
}

extension AppDatabase {
    /// One case's v12 columns, read by their own query (they are not in `CaseRecord`, like v11's).
    static func intakeAnswers(_ db: Database, caseID: CaseID, cipher: CaseCipher) throws -> IntakeAnswersView {
        var view = IntakeAnswersView()
        guard let row = try Row.fetchOne(db, sql: """
            SELECT involvement, age_band, parent_knows, heard_from, pattern_bits, child_sex, special_needs, channel, entered_by, access_needs,
                language
            FROM referral_case WHERE id = ?
            """, arguments: [caseID]) else { return view }
        view.involvement = (try row.value("involvement", as: String?.self)).flatMap(Involvement.init(rawValue:))
        view.ageBand = (try row.value("age_band", as: String?.self)).flatMap(AgeBand.init(rawValue:))
        view.parentKnows = (try row.value("parent_knows", as: String?.self)).flatMap(ParentKnows.init(rawValue:))
        view.heardFrom = (try row.value("heard_from", as: String?.self)).flatMap(HeardFrom.init(rawValue:))
        view.pattern = IncidentPattern.answers(fromBits: (try row.value("pattern_bits")) ?? 0)
        view.childSex = (try row.value("child_sex", as: String?.self)).flatMap(ChildSex.init(rawValue:))
        view.specialNeeds = (try row.value("special_needs", as: String?.self)).flatMap(SpecialNeeds.init(rawValue:))
        view.channel = (try row.value("channel", as: String?.self)).flatMap(ReferralChannel.init(rawValue:)) ?? .web
        view.enteredBy = try row.value("entered_by")
        view.language = (try row.value("language", as: String?.self)).flatMap(FamilyLanguage.init(rawValue:))
        if let sealed = try cipher.openIfPresent(try row.value("access_needs", as: Data?.self), field: PersonalField.accessNeeds) {
            view.accessNeeds = try JSONDecoder().decode(AccessNeeds.self, from: Data(sealed.utf8))
        }
        return view
    }
}
