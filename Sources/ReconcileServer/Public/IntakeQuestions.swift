import ReconcileCore

/// The intake questions in plain words, in the order the form asks them. Codes are what is stored.
enum IntakeQuestions {
    static let preference: [(ContactPreference, String)] = [
        (.email, "Email"), (.phone, "Phone"), (.post, "Post"),
        (.portal, "I will check back on this website with my reference (no contact details needed)"),
    ]
    static let referrerRole: [(ReferrerRole, String)] = [
        (.parentOrCarer, "A parent or carer"), (.youngPerson, "A young person it happened to"),
        (.adultAffectedAsChild, "An adult it happened to as a child"), (.otherFamilyMember, "Another family member"),
        (.preferNotToSay, "I would rather not say"),
    ]
    static let setting: [(Setting, String)] = [
        (.primary, "Primary school"), (.secondary, "Secondary school"), (.college, "College or sixth form"),
        (.specialSchool, "Special school"), (.alternativeProvision, "Alternative provision or pupil referral unit"),
        (.outsideEducation, "Outside school or college"), (.online, "Online"), (.preferNotToSay, "I would rather not say"),
    ]
    static let harm: [(Harm, String)] = [
        (.sexualHarassment, "Sexual comments, jokes or harassment"),
        (.onlineOrImageBased, "Something online, including sharing images or videos"),
        (.sexualAssault, "Sexual touching or assault"),
        (.rapeOrAssaultByPenetration, "Rape or assault by penetration"),
        (.otherHarmfulSexualBehaviour, "Other harmful sexual behaviour"), (.preferNotToSay, "I would rather not say"),
    ]
    static let when: [(HowLongAgo, String)] = [
        (.underOneYear, "Less than a year ago"), (.oneToThreeYears, "One to three years ago"),
        (.overThreeYears, "More than three years ago"), (.preferNotToSay, "I would rather not say"),
    ]
    static let toldBefore: [(ToldBefore, String)] = [
        (.school, "The school or college"), (.police, "The police"),
        (.councilOrSocialCare, "The council or social care"), (.health, "A doctor, nurse or other health service"),
        (.none, "No one yet"), (.preferNotToSay, "I would rather not say"),
    ]
    static let wishes: [(Wish, String)] = [
        (.toBeListenedTo, "To be listened to"), (.counselling, "Counselling"),
        (.independentLegalAdvice, "Independent legal advice"), (.educationSupport, "Help with school or education"),
        (.emotionalSupport, "Emotional support"), (.socialSupport, "Social support"),
        (.reconciliationMeeting, "A reconciliation meeting, if it is safe and right"),
        (.informationOnly, "Information only for now"),
    ]

    /// "telford_and_wrekin" → "Telford and Wrekin".
    static func areaLabel(_ code: String) -> String {
        code.split(separator: "_").map { ["and", "of", "upon", "on"].contains($0) ? String($0) : $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: " ")
    }
}
