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
