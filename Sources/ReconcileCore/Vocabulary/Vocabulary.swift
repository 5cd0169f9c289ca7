/// The fixed lists a family chooses from at intake. These are the *statistical* fields: coarse,
/// stored in plain, and the only thing quarterly reports are built from.
public protocol FixedList: RawRepresentable, CaseIterable, Codable, Sendable, Hashable where RawValue == String {}

public enum ReferrerRole: String, FixedList {
    case parentOrCarer = "parent_or_carer", youngPerson = "young_person"
    case adultAffectedAsChild = "adult_affected_as_child", otherFamilyMember = "other_family_member"
    case preferNotToSay = "prefer_not_to_say"
}

public enum Setting: String, FixedList {
    case primary, secondary, college
    case specialSchool = "special_school", alternativeProvision = "alternative_provision"
    case outsideEducation = "outside_education", online, preferNotToSay = "prefer_not_to_say"
}

public enum Harm: String, FixedList {
    case sexualHarassment = "sexual_harassment", onlineOrImageBased = "online_or_image_based"
    case sexualAssault = "sexual_assault", rapeOrAssaultByPenetration = "rape_or_assault_by_penetration"
    case otherHarmfulSexualBehaviour = "other_harmful_sexual_behaviour", preferNotToSay = "prefer_not_to_say"
}

public enum HowLongAgo: String, FixedList {
    case underOneYear = "under_1_year", oneToThreeYears = "1_to_3_years", overThreeYears = "over_3_years"
    case preferNotToSay = "prefer_not_to_say"
}

public enum ToldBefore: String, FixedList {
    case school, police, councilOrSocialCare = "council_or_social_care", health, none
    case preferNotToSay = "prefer_not_to_say"
}

public enum Wish: String, FixedList {
    case toBeListenedTo = "to_be_listened_to", counselling, independentLegalAdvice = "independent_legal_advice"
    case educationSupport = "education_support", emotionalSupport = "emotional_support"
    case socialSupport = "social_support", reconciliationMeeting = "reconciliation_meeting"
    case informationOnly = "information_only"
}

public enum ContactPreference: String, FixedList {
    case email, phone, post, portal
}

/// Where a case is in the service's lifecycle (SPEC "Case lifecycle").
public enum Stage: String, FixedList {
    case received, acknowledged, listening, assessed, signposted, closed
}

public enum CloseReason: String, FixedList {
    case completed, withdrawn, noContact = "no_contact", declined, transferred
}
