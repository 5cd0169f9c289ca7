/// The fixed lists staff choose from while working a case (SPEC "Case lifecycle", "Automation contract").
/// Like the intake lists, they are coarse and stored in plain, so reports count them without decryption.

/// How first contact with the family was made.
public enum AcknowledgementMethod: String, FixedList {
    case email, phone, post, portal
}

/// How a listening session was held.
public enum ListeningModality: String, FixedList {
    case phone, video, inPerson = "in_person"
}

/// Level of need at assessment. A number, not a name, because practitioners and the council's
/// reports both speak of "level 1–4"; the JSON value is the number.
public enum LevelOfNeed: Int, CaseIterable, Codable, Sendable, Hashable {
    case universal = 1, additional = 2, complex = 3, acuteOrSpecialist = 4

    /// Plain words for pages and reports.
    public var label: String {
        switch self {
        case .universal: "Universal"
        case .additional: "Additional"
        case .complex: "Complex"
        case .acuteOrSpecialist: "Acute or specialist"
        }
    }
}

/// Need categories: identified at assessment, met by services in the signposting directory, and named on
/// each signpost. One list for all three so a report can set needs identified beside signposts made.
/// The first five match the intake wishes of the same name.
public enum Need: String, FixedList {
    case counselling, independentLegalAdvice = "independent_legal_advice"
    case educationSupport = "education_support", emotionalSupport = "emotional_support"
    case socialSupport = "social_support"
    case specialistSexualViolenceSupport = "specialist_sexual_violence_support"
    case onlineSafety = "online_safety", mentalHealth = "mental_health", familySupport = "family_support"
    case information
}

/// What came of a signpost. `pending` until the family or the service says otherwise.
public enum SignpostOutcome: String, FixedList {
    case accepted, declined, noResponse = "no_response", pending
}

/// Where a safeguarding referral was made when current risk to a child was disclosed.
/// Where a safeguarding concern went: children's social care, the police (usually beside social care), the
/// LADO (an allegation against someone who works with children), early help. Bit i is the i-th case.
public enum SafeguardingRoute: String, FixedList {
    case socialCare = "social_care", police, lado, earlyHelp = "early_help"
}

/// Why the parents were not told of a safeguarding referral (the guidance: tell them unless that puts the
/// child at greater risk).
public enum ParentsNotInformedReason: String, FixedList {
    case greaterRiskToChild = "greater_risk_to_child", other
}

/// What came of a safeguarding referral.
public enum SafeguardingOutcome: String, FixedList {
    case pending, accepted, noFurtherAction = "no_further_action", reReferred = "re_referred"
}

/// What a signpost was: information given to the family about a service, or a referral the practitioner
/// made to it with the family's consent.
public enum SignpostKind: String, FixedList {
    case informationGiven = "information_given", referralMadeWithConsent = "referral_made_with_consent"
}
