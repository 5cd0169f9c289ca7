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
    public func validate(councilAreas: [String]) -> Result<Referral, ValidationFailure> {
        var problems: [FieldProblem] = []
        func text(_ value: String?, _ field: String, max: Int, multiline: Bool = false) -> String? {
            guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
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
        func one<T: FixedList>(_ value: String?, _ field: String, _: T.Type, question: String) -> T? {
            guard let value, !value.isEmpty else {
                problems.append(.init(field: field, code: "required", message: "Please answer \(question)."))
                return nil
            }
            guard let parsed = T(rawValue: value) else {
                problems.append(.init(field: field, code: "unknown_value", message: "Please choose one of the options for \(question)."))
                return nil
            }
            return parsed
        }
        func many<T: FixedList>(_ values: [String]?, _ field: String, _: T.Type, question: String) -> [T] {
            guard let values, !values.isEmpty else {
                problems.append(.init(field: field, code: "required", message: "Please choose at least one option for \(question)."))
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
        if let e = email, e.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) == nil {
            problems.append(.init(field: "contact.email", code: "invalid_email", message: "This does not look like an email address."))
            email = nil
        }
        var phone = text(self.phone, "contact.phone", max: IntakeLimits.phone)
        if let p = phone {
            let digits = p.filter(\.isASCII).filter(\.isNumber).count
            if p.range(of: #"^[0-9 +()\-.]+$"#, options: .regularExpression) == nil || !(7...15).contains(digits) {
                problems.append(.init(field: "contact.phone", code: "invalid_phone", message: "This does not look like a phone number."))
                phone = nil
            }
        }
        let address = text(self.address, "contact.address", max: IntakeLimits.address, multiline: true)
        let safeTimes = text(self.safeTimes, "contact.safe_times", max: IntakeLimits.safeTimes, multiline: true)
        let story = text(self.story, "story", max: IntakeLimits.story, multiline: true)
        let preference = one(self.preference, "contact.preference", ContactPreference.self, question: "how you would like us to contact you")
        func given(_ raw: String?) -> Bool { !(raw?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true) }
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

        guard problems.isEmpty, let preference, let area, let role, let setting, let when else {
            return .failure(ValidationFailure(problems: problems))
        }
        return .success(Referral(
            contact: ContactDetails(name: name, email: email, phone: phone, address: address, preference: preference,
                                    safeToLeaveMessage: safeToLeaveMessage ?? false, safeTimes: safeTimes),
            story: story, councilArea: area, referrerRole: role, setting: setting, harm: harm, howLongAgo: when,
            toldBefore: told, wishes: wishes, consentToStatistics: consentStatistics ?? false))
    }
}

public struct ValidationFailure: Error, Sendable, Equatable {
    public let problems: [FieldProblem]
    public init(problems: [FieldProblem]) { self.problems = problems }
}
