import Foundation
import ReconcileCore

extension ReferralSubmission {
    private static let topLevel: Set<String> = ["contact", "council_area", "referrer_role", "setting", "harm", "when",
                                                "told_before", "wishes", "story", "consent", "involvement", "age_band",
                                                "parent_knows", "heard_from", "pattern", "monitoring", "access_needs",
                                                "notify_by_email", "language"]
    private static let accessNeedsKeys: Set<String> = ["language", "interpreter", "bsl", "easy_read", "large_print", "supporter", "other"]
    private static let contactKeys: Set<String> = ["name", "email", "phone", "address", "preference",
                                                   "safe_to_leave_message", "safe_times"]

    /// Reads the API's JSON shape. Wrong types and unknown fields are problems named by field; values are never quoted.
    /// - Parameter enteredByStaff: `POST /api/v1/cases`, which also takes `channel`; the public intake refuses it.
    init(json object: [String: JSONValue], enteredByStaff: Bool = false) throws(ValidationFailure) {
        self.init()
        var problems: [FieldProblem] = []
        func unknown(_ keys: some Sequence<String>, allowed: Set<String>, prefix: String) {
            for key in keys.sorted() where !allowed.contains(key) {
                problems.append(.init(field: prefix + FieldNames.echoable(key), code: "unknown_field", message: "This field is not part of a referral."))
            }
        }
        func string(_ value: JSONValue?, _ field: String) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: problems.append(.init(field: field, code: "wrong_type", message: "This must be text.")); return nil
            }
        }
        func bool(_ value: JSONValue?, _ field: String) -> Bool? {
            switch value {
            case nil, .null?: return nil
            case .bool(let b)?: return b
            default: problems.append(.init(field: field, code: "wrong_type", message: "This must be true or false.")); return nil
            }
        }
        func strings(_ value: JSONValue?, _ field: String) -> [String]? {
            switch value {
            case nil, .null?: return nil
            case .array(let items)?:
                var out: [String] = []
                for item in items {
                    guard case .string(let s) = item else {
                        problems.append(.init(field: field, code: "wrong_type", message: "This must be a list of options."))
                        return nil
                    }
                    out.append(s)
                }
                return out
            default: problems.append(.init(field: field, code: "wrong_type", message: "This must be a list of options.")); return nil
            }
        }

        unknown(object.keys, allowed: enteredByStaff ? Self.topLevel.union(["channel"]) : Self.topLevel, prefix: "")
        switch object["contact"] {
        case .object(let contact)?:
            unknown(contact.keys, allowed: Self.contactKeys, prefix: "contact.")
            name = string(contact["name"], "contact.name")
            email = string(contact["email"], "contact.email")
            phone = string(contact["phone"], "contact.phone")
            address = string(contact["address"], "contact.address")
            preference = string(contact["preference"], "contact.preference")
            safeToLeaveMessage = bool(contact["safe_to_leave_message"], "contact.safe_to_leave_message")
            safeTimes = string(contact["safe_times"], "contact.safe_times")
        case nil, .null?:
            problems.append(.init(field: "contact", code: "required", message: "Please say how we can contact you."))
        default:
            problems.append(.init(field: "contact", code: "wrong_type", message: "This must be an object."))
        }
        councilArea = string(object["council_area"], "council_area")
        referrerRole = string(object["referrer_role"], "referrer_role")
        setting = string(object["setting"], "setting")
        when = string(object["when"], "when")
        harm = strings(object["harm"], "harm")
        toldBefore = strings(object["told_before"], "told_before")
        wishes = strings(object["wishes"], "wishes")
        story = string(object["story"], "story")
        switch object["consent"] {
        case .object(let consent)?:
            unknown(consent.keys, allowed: ["contact", "statistics"], prefix: "consent.")
            consentContact = bool(consent["contact"], "consent.contact")
            consentStatistics = bool(consent["statistics"], "consent.statistics")
        case nil, .null?: break
        default: problems.append(.init(field: "consent", code: "wrong_type", message: "This must be an object."))
        }
        involvement = string(object["involvement"], "involvement")
        ageBand = string(object["age_band"], "age_band")
        parentKnows = string(object["parent_knows"], "parent_knows")
        heardFrom = string(object["heard_from"], "heard_from")
        pattern = strings(object["pattern"], "pattern")
        notifyByEmail = bool(object["notify_by_email"], "notify_by_email")
        language = string(object["language"], "language")
        if enteredByStaff { channel = string(object["channel"], "channel") }
        switch object["monitoring"] {
        case .object(let monitoring)?:
            unknown(monitoring.keys, allowed: ["child_sex", "send"], prefix: "monitoring.")
            childSex = string(monitoring["child_sex"], "monitoring.child_sex")
            specialNeeds = string(monitoring["send"], "monitoring.send")
        case nil, .null?: break
        default: problems.append(.init(field: "monitoring", code: "wrong_type", message: "This must be an object."))
        }
        switch object["access_needs"] {
        case .object(let needs)?:
            unknown(needs.keys, allowed: Self.accessNeedsKeys, prefix: "access_needs.")
            accessLanguage = string(needs["language"], "access_needs.language")
            accessInterpreter = bool(needs["interpreter"], "access_needs.interpreter")
            accessBSL = bool(needs["bsl"], "access_needs.bsl")
            accessEasyRead = bool(needs["easy_read"], "access_needs.easy_read")
            accessLargePrint = bool(needs["large_print"], "access_needs.large_print")
            accessSupporter = string(needs["supporter"], "access_needs.supporter")
            accessOther = string(needs["other"], "access_needs.other")
        case nil, .null?: break
        default: problems.append(.init(field: "access_needs", code: "wrong_type", message: "This must be an object."))
        }
        if !problems.isEmpty { throw ValidationFailure(problems: problems) }
    }
}
