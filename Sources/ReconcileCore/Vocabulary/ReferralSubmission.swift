import Foundation

/// A referral as the family sent it, before validation: every value still a string (or list of strings),
/// whether it came from the JSON API or the HTML form.
public struct ReferralSubmission: Sendable, Equatable {
    public var name, email, phone, address, safeTimes, story: String?
    public var preference: String?
    public var safeToLeaveMessage: Bool?
    public var councilArea, referrerRole, setting, when: String?
    public var harm, toldBefore, wishes: [String]?
    public var consentContact, consentStatistics: Bool?
    // `involvement` nil means the client never sent it (read as prefer_not_to_say, so older API clients
    // keep working); the form sends "" when it was left unanswered, which is refused as required.
    public var involvement, ageBand, parentKnows, heardFrom, childSex, specialNeeds: String?
    public var pattern: [String]?
    public var accessLanguage, accessSupporter, accessOther: String?
    public var accessInterpreter, accessBSL, accessEasyRead, accessLargePrint: Bool?
    /// Only for a referral a practitioner enters; the public intake is always `web`.
    public var channel: String?
    /// A neutral email notice when staff write.
    public var notifyByEmail: Bool?
    /// The language the family used: `en`, `en-easy` or `pl`. Nil from a client that does not say.
    public var language: String?

    public init() {}
}

/// One problem with one field. `message` is written for the family and never quotes what they typed.
public struct FieldProblem: Sendable, Equatable, Error {
    public let field: String
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// Bounds on free text. Generous enough for a parent's account, small enough to refuse abuse.
public enum IntakeLimits {
    public static let name = 100, email = 254, phone = 32, address = 500, safeTimes = 500, story = 10_000
}

extension ReferralSubmission {
    /// Checks every rule and returns the referral, or every problem found (in form order).
    ///
    /// - Parameters:
    ///   - offered: the children this service is for (`policies/intake.json`). A referral about another is
    ///     refused with the one problem `involvement`/`not_offered`, so the family is answered kindly and
    ///     signposted rather than asked to fix anything, and nothing is stored.
    ///   - enteredByStaff: a practitioner took it by phone, post or in person; `channel` is then required.
    public func validate(councilAreas: [String], offered: Set<Involvement> = Set(Involvement.allCases),
                         enteredByStaff: Bool = false) -> Result<Referral, ValidationFailure> {
        var problems: [FieldProblem] = []
        func text(_ value: String?, _ field: String, max: Int, multiline: Bool = false) -> String? {
            guard let trimmed = value.map(FreeText.trimmed), !trimmed.isEmpty else { return nil }
            if FreeText.isTooLong(trimmed, max: max) {
                problems.append(.init(field: field, code: "too_long", message: "Please keep this to \(max) characters or fewer."))
                return nil
            }
            if FreeText.hasForbiddenCharacters(trimmed, multiline: multiline) {
                problems.append(.init(field: field, code: "invalid_characters", message: "This contains characters we cannot accept."))
                return nil
            }
            return trimmed
        }
        /// One answer from a fixed list. An optional question left unanswered is simply not answered.
        func one<T: FixedList>(_ value: String?, _ field: String, _: T.Type, question: String, required: Bool = true) -> T? {
            guard let value, !value.isEmpty else {
                if required { problems.append(.init(field: field, code: "required", message: "Please answer \(question).")) }
                return nil
            }
            guard let parsed = T(rawValue: value) else {
                problems.append(.init(field: field, code: "unknown_value", message: "Please choose one of the options for \(question)."))
                return nil
            }
            return parsed
        }
        func many<T: FixedList>(_ values: [String]?, _ field: String, _: T.Type, question: String, required: Bool = true) -> [T] {
            guard let values, !values.isEmpty else {
                if required { problems.append(.init(field: field, code: "required", message: "Please choose at least one option for \(question).")) }
                return []
            }
            var seen: [T] = []
            for value in values {
                guard let parsed = T(rawValue: value) else {
                    problems.append(.init(field: field, code: "unknown_value", message: "Please choose only the listed options for \(question)."))
                    return []
                }
                if !seen.contains(parsed) { seen.append(parsed) }  // repeats are harmless; keep one
            }
            return seen
        }

        // Names and emails are composed (NFC) before anything is derived from them (blind index, duplicates).
        let name = text(self.name, "contact.name", max: IntakeLimits.name).map(FreeText.normalised)
        var email = text(self.email, "contact.email", max: IntakeLimits.email).map(FreeText.normalised)
        if let e = email, !ContactFormat.looksLikeEmail(e) {
            problems.append(.init(field: "contact.email", code: "invalid_email", message: "This does not look like an email address."))
            email = nil
        }
        var phone = text(self.phone, "contact.phone", max: IntakeLimits.phone)
        if let p = phone {
            if !ContactFormat.looksLikePhone(p) {
                problems.append(.init(field: "contact.phone", code: "invalid_phone", message: "This does not look like a phone number."))
                phone = nil
            }
        }
        let address = text(self.address, "contact.address", max: IntakeLimits.address, multiline: true)
        let safeTimes = text(self.safeTimes, "contact.safe_times", max: IntakeLimits.safeTimes, multiline: true)
        let story = text(self.story, "story", max: IntakeLimits.story, multiline: true)
        let preference = one(self.preference, "contact.preference", ContactPreference.self, question: "how you would like us to contact you")
        func given(_ raw: String?) -> Bool { !(raw.map(FreeText.trimmed)?.isEmpty ?? true) }
        switch preference {
        case .email where !given(self.email):
            problems.append(.init(field: "contact.email", code: "required", message: "Please give an email address, or choose another way for us to contact you."))
        case .phone where !given(self.phone):
            problems.append(.init(field: "contact.phone", code: "required", message: "Please give a phone number, or choose another way for us to contact you."))
        case .post where !given(self.address):
            problems.append(.init(field: "contact.address", code: "required", message: "Please give a postal address, or choose another way for us to contact you."))
        default: break
        }

        var area: String?
        if let value = councilArea, !value.isEmpty {
            if councilAreas.contains(value) { area = value } else {
                problems.append(.init(field: "council_area", code: "unknown_value", message: "Please choose one of the listed council areas."))
            }
        } else {
            problems.append(.init(field: "council_area", code: "required", message: "Please choose the council area."))
        }
        let role = one(referrerRole, "referrer_role", ReferrerRole.self, question: "who you are")
        let setting = one(self.setting, "setting", Setting.self, question: "where it happened")
        let harm = many(self.harm, "harm", Harm.self, question: "what happened")
        let when = one(self.when, "when", HowLongAgo.self, question: "how long ago it happened")
        let told = many(toldBefore, "told_before", ToldBefore.self, question: "who you have told before")
        let wishes = many(self.wishes, "wishes", Wish.self, question: "what you would like")

        if consentContact != true {
            problems.append(.init(field: "consent.contact", code: "consent_required",
                                  message: "We can only accept a referral if you agree that the partner may contact you. Without it we would have no way to help."))
        }
        if consentStatistics == nil {
            problems.append(.init(field: "consent.statistics", code: "required",
                                  message: "Please say whether your answers may be counted in anonymous statistics."))
        }

        let involvement: Involvement? = self.involvement == nil ? Involvement.preferNotToSay
            : one(self.involvement, "involvement", Involvement.self, question: "who the child this is about is")
        if let involvement, !offered.contains(involvement) {
            return .failure(ValidationFailure(problems: [.init(field: "involvement", code: "not_offered", message: Self.notOffered)]))
        }
        let ageBand = one(self.ageBand, "age_band", AgeBand.self, question: "how old the child is now", required: false)
        let parentKnows = one(self.parentKnows, "parent_knows", ParentKnows.self, question: "whether a parent or carer knows", required: false)
        let heardFrom = one(self.heardFrom, "heard_from", HeardFrom.self, question: "how you heard about us", required: false)
        let pattern = many(self.pattern, "pattern", IncidentPattern.self, question: "what it was like", required: false)
        let childSex = one(self.childSex, "monitoring.child_sex", ChildSex.self, question: "the child's sex", required: false)
        let specialNeeds = one(self.specialNeeds, "monitoring.send", SpecialNeeds.self,
                               question: "special educational needs or disability", required: false)
        let language = one(self.language, "language", FamilyLanguage.self, question: "the language", required: false)
        var channel = ReferralChannel.web
        if enteredByStaff {
            if let parsed = one(self.channel, "channel", ReferralChannel.self, question: "how the referral came to you") {
                if ReferralChannel.staffEntered.contains(parsed) { channel = parsed } else {
                    problems.append(.init(field: "channel", code: "unknown_value",
                                                message: "Please choose phone, post, in person or a professional on the family's behalf."))
                }
            }
        }
        var access = AccessNeeds(interpreter: accessInterpreter ?? false, bsl: accessBSL ?? false, easyRead: accessEasyRead ?? false,
                                 largePrint: accessLargePrint ?? false)
        if notifyByEmail == true, !given(self.email) {
            problems.append(.init(field: "notify_by_email", code: "no_email_address",
                                  message: "Please give an email address for the notice, or leave this unticked."))
        }
        access.language = text(accessLanguage, "access_needs.language", max: AccessNeedsLimits.language).map(FreeText.normalised)
        access.supporter = text(accessSupporter, "access_needs.supporter", max: AccessNeedsLimits.supporter).map(FreeText.normalised)
        access.other = text(accessOther, "access_needs.other", max: AccessNeedsLimits.other, multiline: true)

        guard problems.isEmpty, let preference, let area, let role, let setting, let when, let involvement else {
            return .failure(ValidationFailure(problems: problems))
        }
        var referral = Referral(
            contact: ContactDetails(name: name, email: email, phone: phone, address: address, preference: preference,
                                    safeToLeaveMessage: safeToLeaveMessage ?? false, safeTimes: safeTimes),
            story: story, councilArea: area, referrerRole: role, setting: setting, harm: harm, howLongAgo: when,
            toldBefore: told, wishes: wishes, consentToStatistics: consentStatistics ?? false)
        referral.involvement = involvement
        referral.ageBand = ageBand
        // Asked of a young person only; from anyone else it is not theirs to answer, so it is not kept.
        referral.parentKnows = role == .youngPerson ? parentKnows : nil
        referral.heardFrom = heardFrom
        referral.pattern = pattern
        // Equalities answers are kept only to be counted, so without consent to statistics they are not kept.
        if referral.consentToStatistics {
            referral.childSex = childSex
            referral.specialNeeds = specialNeeds
        }
        referral.accessNeeds = access.isEmpty ? nil : access
        referral.channel = channel
        referral.notifyByEmail = notifyByEmail == true
        referral.language = language
        return .success(referral)
    }

    /// The kind answer to a referral about a child this service is not for (the page and the API add where to go).
    public static let notOffered = "We are sorry: this service cannot help with this. Nothing you wrote has been kept. "
        + "There are people who can help, listed below."
}

public struct ValidationFailure: Error, Sendable, Equatable {
    public let problems: [FieldProblem]
    public init(problems: [FieldProblem]) { self.problems = problems }
}
