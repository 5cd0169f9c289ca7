/// The questions the national guidance and the council's review ask of intake. All statistical and
/// stored in plain, except `AccessNeeds`, which is personal. Codes are stored data: never rename one, and add new
/// cases of `IncidentPattern` at the end only (its bit set, see `AnswerBits`).

/// The child this referral is about: children who harmed and children who saw it are owed support too.
public enum Involvement: String, FixedList {
    case harmed, sawOrKnew = "saw_or_knew", wasAccusedOrHarmedOthers = "was_accused_or_harmed_others"
    case moreThanOne = "more_than_one", preferNotToSay = "prefer_not_to_say"
}

/// The age of that child now (under-13s cannot consent on their own).
public enum AgeBand: String, FixedList {
    case under13 = "under_13", from13To15 = "13_to_15", from16To17 = "16_to_17", eighteenOrOver = "18_or_over"
    case preferNotToSay = "prefer_not_to_say"
}

/// Asked only of a young person referring themselves.
public enum ParentKnows: String, FixedList {
    case yes, no, preferNotToSay = "prefer_not_to_say"
}

/// How the family heard of the service: the council wants to "monitor how many respond" to each offer.
public enum HeardFrom: String, FixedList {
    case letterFromTheCouncil = "letter_from_the_council", schoolOrCollege = "school_or_college"
    case websiteOrSearch = "website_or_search", socialMedia = "social_media", friendOrFamily = "friend_or_family"
    case anotherProfessional = "another_professional", other, preferNotToSay = "prefer_not_to_say"
}

/// What the harm was like (multi-select, optional).
public enum IncidentPattern: String, FixedList {
    case moreThanOnce = "more_than_once", byAGroup = "by_a_group", online
    case onTheWayToOrFromSchool = "on_the_way_to_or_from_school", moreThanOneSchool = "more_than_one_school"
}

/// Equalities monitoring: counted only with consent to statistics, and not stored without it.
public enum ChildSex: String, FixedList {
    case girl, boy, anotherWay = "another_way", preferNotToSay = "prefer_not_to_say"
}

/// Special educational needs or disability.
public enum SpecialNeeds: String, FixedList {
    case yes, no, notSure = "not_sure", preferNotToSay = "prefer_not_to_say"
}

/// How the referral reached the service: the web form or API, or a practitioner who took it by phone, post,
/// in person, or from a professional on the family's behalf.
public enum ReferralChannel: String, FixedList {
    case web, phone, post, inPerson = "in_person", professionalOnBehalf = "professional_on_behalf"

    /// The channels a practitioner may enter a referral through (`web` is the family's own).
    public static let staffEntered: [ReferralChannel] = [.phone, .post, .inPerson, .professionalOnBehalf]
}

/// What the family needs to take part: personal, sealed under the case key, shown first on the case page.
public struct AccessNeeds: Sendable, Equatable, Codable {
    public var language: String?
    public var interpreter = false, bsl = false, easyRead = false, largePrint = false
    public var supporter: String?
    public var other: String?

    public init(language: String? = nil, interpreter: Bool = false, bsl: Bool = false, easyRead: Bool = false,
                largePrint: Bool = false, supporter: String? = nil, other: String? = nil) {
        self.language = language
        self.interpreter = interpreter
        self.bsl = bsl
        self.easyRead = easyRead
        self.largePrint = largePrint
        self.supporter = supporter
        self.other = other
    }

    /// Nothing was said: stored as no access needs at all.
    public var isEmpty: Bool { self == AccessNeeds() }

    enum CodingKeys: String, CodingKey {
        case language, interpreter, bsl, easyRead = "easy_read", largePrint = "large_print", supporter, other
    }

    /// Every key always present (`null` when not given), so the shape is the same for every family.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(language, forKey: .language)
        try c.encode(interpreter, forKey: .interpreter)
        try c.encode(bsl, forKey: .bsl)
        try c.encode(easyRead, forKey: .easyRead)
        try c.encode(largePrint, forKey: .largePrint)
        try c.encode(supporter, forKey: .supporter)
        try c.encode(other, forKey: .other)
    }
}

/// The limits on the access-needs texts.
public enum AccessNeedsLimits {
    public static let language = 100, supporter = 200, other = 500
}

/// How reports count an optional single-select answer that is missing.
public enum IntakeTables {
    /// The category of a referral from before a question was asked, or one that left it unanswered: counted so
    /// that each table still adds up to the referrals received.
    public static let notRecorded = "not_recorded"
}

/// How the service made an offer of help to families: the council's stage one, "make an offer and
/// monitor how many respond". Read beside referrals by `HeardFrom`.
public enum OfferChannel: String, FixedList {
    case letterFromTheCouncil = "letter_from_the_council", throughSchools = "through_schools"
    case publicCampaign = "public_campaign", other
}

/// Coded experience themes: what practitioners hear again and again, tagged on cases and counted in
/// the report beside the approved free-text themes. A fixed list (codes are stored data); `policies/themes.json`
/// gives the words the partner uses for each.
public enum ExperienceTheme: String, FixedList {
    case contactWithOtherChildContinued = "contact_with_other_child_continued", schoolsResponse = "schools_response"
    case informationSharedBetweenSettings = "information_shared_between_settings", movingSchoolOrCounty = "moving_school_or_county"
    case waiting, beingBelieved = "being_believed"
}
