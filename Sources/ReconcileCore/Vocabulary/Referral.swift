import Foundation

/// How to reach the family. Every field here is personal and is only ever stored encrypted.
public struct ContactDetails: Sendable, Equatable, Codable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var preference: ContactPreference
    public var safeToLeaveMessage: Bool
    public var safeTimes: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, address: String? = nil,
                preference: ContactPreference, safeToLeaveMessage: Bool, safeTimes: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
        self.preference = preference
        self.safeToLeaveMessage = safeToLeaveMessage
        self.safeTimes = safeTimes
    }
}

/// A validated self-referral as it enters the service: personal contact details and story,
/// plus the coarse statistical answers.
public struct Referral: Sendable, Equatable {
    public var contact: ContactDetails
    public var story: String?
    public var councilArea: String
    public var referrerRole: ReferrerRole
    public var setting: Setting
    public var harm: [Harm]
    public var howLongAgo: HowLongAgo
    public var toldBefore: [ToldBefore]
    public var wishes: [Wish]
    public var consentToStatistics: Bool
    // Asked at intake since v12; the defaults are what a client that does not send them means.
    public var involvement: Involvement = .preferNotToSay
    public var ageBand: AgeBand? = nil
    /// Only when `referrerRole` is a young person.
    public var parentKnows: ParentKnows? = nil
    public var heardFrom: HeardFrom? = nil
    public var pattern: [IncidentPattern] = []
    /// Equalities monitoring: nil unless the family consented to statistics.
    public var childSex: ChildSex? = nil
    public var specialNeeds: SpecialNeeds? = nil
    /// Personal: sealed under the case key. Nil when none were given.
    public var accessNeeds: AccessNeeds? = nil
    public var channel: ReferralChannel = .web
    /// The family asked for a neutral email when staff write to them; needs an email address.
    public var notifyByEmail = false
    /// The language the referral was made in; nil when the client did not say.
    public var language: FamilyLanguage? = nil

    public init(contact: ContactDetails, story: String?, councilArea: String, referrerRole: ReferrerRole,
                setting: Setting, harm: [Harm], howLongAgo: HowLongAgo, toldBefore: [ToldBefore],
                wishes: [Wish], consentToStatistics: Bool) {
        self.contact = contact
        self.story = story
        self.councilArea = councilArea
        self.referrerRole = referrerRole
        self.setting = setting
        self.harm = harm
        self.howLongAgo = howLongAgo
        self.toldBefore = toldBefore
        self.wishes = wishes
        self.consentToStatistics = consentToStatistics
    }
}
