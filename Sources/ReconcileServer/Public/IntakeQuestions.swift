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

    static let involvement: [(Involvement, String)] = [
        (.harmed, "They were harmed"), (.sawOrKnew, "They saw it, or knew about it"),
        (.wasAccusedOrHarmedOthers, "They were accused of it, or harmed someone else"),
        (.moreThanOne, "More than one of these"), (.preferNotToSay, "I would rather not say"),
    ]
    /// The same, asked of a young person about themselves.
    static let involvementYoungPerson: [(Involvement, String)] = [
        (.harmed, "It happened to me"), (.sawOrKnew, "I saw it, or I knew about it"),
        (.wasAccusedOrHarmedOthers, "I was blamed for it, or I hurt someone"),
        (.moreThanOne, "More than one of these"), (.preferNotToSay, "I would rather not say"),
    ]
    static let ageBand: [(AgeBand, String)] = [
        (.under13, "Under 13"), (.from13To15, "13 to 15"), (.from16To17, "16 or 17"), (.eighteenOrOver, "18 or over"),
        (.preferNotToSay, "I would rather not say"),
    ]
    static let parentKnows: [(ParentKnows, String)] = [
        (.yes, "Yes"), (.no, "No"), (.preferNotToSay, "I would rather not say"),
    ]
    static let heardFrom: [(HeardFrom, String)] = [
        (.letterFromTheCouncil, "A letter from the council"), (.schoolOrCollege, "A school or college"),
        (.websiteOrSearch, "A website or a search"), (.socialMedia, "Social media"), (.friendOrFamily, "A friend or family member"),
        (.anotherProfessional, "Another professional, such as a doctor or social worker"), (.other, "Somewhere else"),
        (.preferNotToSay, "I would rather not say"),
    ]
    static let pattern: [(IncidentPattern, String)] = [
        (.moreThanOnce, "It happened more than once"), (.byAGroup, "It was done by a group"), (.online, "Some of it was online"),
        (.onTheWayToOrFromSchool, "It happened on the way to or from school"),
        (.moreThanOneSchool, "It involved more than one school"),
    ]
    static let childSex: [(ChildSex, String)] = [
        (.girl, "A girl"), (.boy, "A boy"), (.anotherWay, "In another way"), (.preferNotToSay, "I would rather not say"),
    ]
    static let specialNeeds: [(SpecialNeeds, String)] = [
        (.yes, "Yes"), (.no, "No"), (.notSure, "Not sure"), (.preferNotToSay, "I would rather not say"),
    ]
    static let channel: [(ReferralChannel, String)] = [
        (.phone, "By phone"), (.post, "By post"), (.inPerson, "In person"),
        (.professionalOnBehalf, "From a professional, on the family's behalf"),
    ]

    /// "telford_and_wrekin" → "Telford and Wrekin".
    static func areaLabel(_ code: String) -> String {
        code.split(separator: "_").map { ["and", "of", "upon", "on"].contains($0) ? String($0) : $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: " ")
    }
}
