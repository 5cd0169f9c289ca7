import ReconcileCore
import ReconcileReports

/// The intake questions' choices in the order the form asks them, labelled from a message catalogue
/// (`choice_<question>_<code>`). Codes are what is stored; labels are what a family reads. Staff pages read the
/// English catalogue, so a family's answers are named the same way on both sides.
enum IntakeQuestions {
    static func choices<T: FixedList>(_ question: String, _: T.Type, in catalogue: MessageCatalogue = Catalogues.english) -> [(T, String)] {
        T.allCases.map { ($0, catalogue["choice_\(question)_\($0.rawValue)"]) }
    }

    static var preference: [(ContactPreference, String)] { choices("preference", ContactPreference.self) }
    static var referrerRole: [(ReferrerRole, String)] { choices("referrer_role", ReferrerRole.self) }
    static var setting: [(Setting, String)] { choices("setting", Setting.self) }
    static var harm: [(Harm, String)] { choices("harm", Harm.self) }
    static var when: [(HowLongAgo, String)] { choices("when", HowLongAgo.self) }
    static var toldBefore: [(ToldBefore, String)] { choices("told_before", ToldBefore.self) }
    static var wishes: [(Wish, String)] { choices("wishes", Wish.self) }
    static var involvement: [(Involvement, String)] { choices("involvement", Involvement.self) }
    static var ageBand: [(AgeBand, String)] { choices("age_band", AgeBand.self) }
    static var parentKnows: [(ParentKnows, String)] { choices("parent_knows", ParentKnows.self) }
    static var heardFrom: [(HeardFrom, String)] { choices("heard_from", HeardFrom.self) }
    static var pattern: [(IncidentPattern, String)] { choices("pattern", IncidentPattern.self) }
    static var childSex: [(ChildSex, String)] { choices("child_sex", ChildSex.self) }
    static var specialNeeds: [(SpecialNeeds, String)] { choices("send", SpecialNeeds.self) }

    /// Staff-only: how a referral taken by a practitioner reached them.
    static let channel: [(ReferralChannel, String)] = [
        (.phone, "By phone"), (.post, "By post"), (.inPerson, "In person"),
        (.professionalOnBehalf, "From a professional, on the family's behalf"),
    ]

    /// Every catalogue key the choices use.
    static var catalogueKeys: [String] {
        func keys<T: FixedList>(_ question: String, _: T.Type) -> [String] { T.allCases.map { "choice_\(question)_\($0.rawValue)" } }
        return keys("preference", ContactPreference.self) + keys("referrer_role", ReferrerRole.self) + keys("setting", Setting.self)
            + keys("harm", Harm.self) + keys("when", HowLongAgo.self) + keys("told_before", ToldBefore.self) + keys("wishes", Wish.self)
            + keys("involvement", Involvement.self) + keys("involvement_yp", Involvement.self) + keys("age_band", AgeBand.self)
            + keys("parent_knows", ParentKnows.self) + keys("heard_from", HeardFrom.self) + keys("pattern", IncidentPattern.self)
            + keys("child_sex", ChildSex.self) + keys("send", SpecialNeeds.self)
    }

    /// "telford_and_wrekin" → "Telford and Wrekin", from the staff and council word catalogue.
    static func areaLabel(_ code: String) -> String { WordCatalogue.standard.area(code) }
}
