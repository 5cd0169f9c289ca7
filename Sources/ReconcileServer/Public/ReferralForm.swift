import Foundation
import ReconcileCore

/// The referral form's questions as a page shows them, shared by the family's own form (`/refer`) and the
/// page a practitioner fills in for a referral taken by phone, post or in person (`/staff/referrals/new`).
enum ReferralForm {
    /// One question of the form: its choices, which are ticked, and what needs fixing.
    struct Question: Sendable, Encodable {
        struct Item: Sendable, Encodable { let value, label, id: String; let checked: Bool }
        let name: String
        let items: [Item]
        let error: String?
    }

    struct Problem: Sendable, Encodable { let message, anchor: String }

    /// What the form shows: fresh, or again with what was typed and a summary of what needs fixing.
    struct Fields: Sendable, Encodable {
        let name, email, phone, address, safeTimes, story: String?
        let safeToLeaveMessage, consentContact, consentStatisticsYes, consentStatisticsNo: Bool
        let preference, councilArea, referrerRole, setting, harm, when, toldBefore, wishes: Question
        let involvement, ageBand, parentKnows, heardFrom, pattern, childSex, send: Question
        let accessLanguage, accessSupporter, accessOther: String?
        let accessInterpreter, accessBsl, accessEasyRead, accessLargePrint: Bool
        let notifyByEmail: Bool
        let notifyByEmailError: String?
        let storyMax: Int
        let contactNameError, contactEmailError, contactPhoneError, contactAddressError, contactSafeTimesError: String?
        let storyError, consentContactError, consentStatisticsError: String?
        let accessLanguageError, accessSupporterError, accessOtherError: String?
        /// The young person's own form: questions asked of "you", not of "the child".
        let youngPerson: Bool
        let hasProblems: Bool
        let problems: [Problem]
    }

    /// The submission from a posted form. The form always asks who the child is, so a missing answer is ""
    /// (refused as required), not nil (which the API reads as "not asked").
    static func submission(from form: FormBody) -> ReferralSubmission {
        var s = ReferralSubmission()
        s.name = form["name"]
        s.email = form["email"]
        s.phone = form["phone"]
        s.address = form["address"]
        s.safeTimes = form["safe_times"]
        s.story = form["story"]
        s.preference = form["preference"]
        s.safeToLeaveMessage = form["safe_to_leave_message"] == "yes"
        s.councilArea = form["council_area"]
        s.referrerRole = form["referrer_role"]
        s.setting = form["setting"]
        s.when = form["when"]
        s.harm = form.all("harm")
        s.toldBefore = form.all("told_before")
        s.wishes = form.all("wishes")
        s.involvement = form["involvement"] ?? ""
        s.ageBand = form["age_band"]
        s.parentKnows = form["parent_knows"]
        s.heardFrom = form["heard_from"]
        s.pattern = form.all("pattern")
        s.childSex = form["child_sex"]
        s.specialNeeds = form["send"]
        s.accessLanguage = form["access_language"]
        s.accessInterpreter = form["access_interpreter"] == "yes"
        s.accessBSL = form["access_bsl"] == "yes"
        s.accessEasyRead = form["access_easy_read"] == "yes"
        s.accessLargePrint = form["access_large_print"] == "yes"
        s.accessSupporter = form["access_supporter"]
        s.accessOther = form["access_other"]
        s.channel = form["channel"]
        s.notifyByEmail = form["notify_by_email"] == "yes"
        s.consentContact = form["consent_contact"] == "yes"
        s.consentStatistics = form["consent_statistics"].flatMap { $0 == "yes" ? true : $0 == "no" ? false : nil }
        return s
    }

    /// The fields of the form for `submission` (nil: a fresh form) with `problems` shown beside their questions.
    static func fields(_ submission: ReferralSubmission?, problems: [FieldProblem], councilAreas: [String], youngPerson: Bool,
                       catalogue: MessageCatalogue = Catalogues.english) -> Fields {
        var s = submission ?? ReferralSubmission()
        if youngPerson, s.referrerRole == nil { s.referrerRole = ReferrerRole.youngPerson.rawValue }
        let errorFor = { (field: String) in
            problems.first { $0.field == field }.map { FormProblems.message(for: $0, youngPerson: youngPerson, in: catalogue) }
        }
        func question<T: FixedList>(_ name: String, _: T.Type, chosen: [String], field: String? = nil, labels: String? = nil) -> Question {
            Question(name: name, items: IntakeQuestions.choices(labels ?? name, T.self, in: catalogue).map { code, label in
                .init(value: code.rawValue, label: label, id: "\(name)-\(code.rawValue)", checked: chosen.contains(code.rawValue))
            }, error: errorFor(field ?? name))
        }
        let areas = Question(name: "council_area", items: councilAreas.map {
            .init(value: $0, label: IntakeQuestions.areaLabel($0), id: "council_area-\($0)", checked: s.councilArea == $0)
        }, error: errorFor("council_area"))
        return Fields(
            name: s.name, email: s.email, phone: s.phone, address: s.address, safeTimes: s.safeTimes, story: s.story,
            safeToLeaveMessage: s.safeToLeaveMessage == true, consentContact: s.consentContact == true,
            consentStatisticsYes: s.consentStatistics == true, consentStatisticsNo: s.consentStatistics == false,
            preference: question("preference", ContactPreference.self, chosen: [s.preference ?? ""]),
            councilArea: areas,
            referrerRole: question("referrer_role", ReferrerRole.self, chosen: [s.referrerRole ?? ""]),
            setting: question("setting", Setting.self, chosen: [s.setting ?? ""]),
            harm: question("harm", Harm.self, chosen: s.harm ?? []),
            when: question("when", HowLongAgo.self, chosen: [s.when ?? ""]),
            toldBefore: question("told_before", ToldBefore.self, chosen: s.toldBefore ?? []),
            wishes: question("wishes", Wish.self, chosen: s.wishes ?? []),
            involvement: question("involvement", Involvement.self, chosen: [s.involvement ?? ""],
                                  labels: youngPerson ? "involvement_yp" : "involvement"),
            ageBand: question("age_band", AgeBand.self, chosen: [s.ageBand ?? ""]),
            parentKnows: question("parent_knows", ParentKnows.self, chosen: [s.parentKnows ?? ""]),
            heardFrom: question("heard_from", HeardFrom.self, chosen: [s.heardFrom ?? ""]),
            pattern: question("pattern", IncidentPattern.self, chosen: s.pattern ?? []),
            childSex: question("child_sex", ChildSex.self, chosen: [s.childSex ?? ""], field: "monitoring.child_sex"),
            send: question("send", SpecialNeeds.self, chosen: [s.specialNeeds ?? ""], field: "monitoring.send"),
            accessLanguage: s.accessLanguage, accessSupporter: s.accessSupporter, accessOther: s.accessOther,
            accessInterpreter: s.accessInterpreter == true, accessBsl: s.accessBSL == true,
            accessEasyRead: s.accessEasyRead == true, accessLargePrint: s.accessLargePrint == true,
            notifyByEmail: s.notifyByEmail == true, notifyByEmailError: errorFor("notify_by_email"),
            storyMax: IntakeLimits.story,
            contactNameError: errorFor("contact.name"), contactEmailError: errorFor("contact.email"),
            contactPhoneError: errorFor("contact.phone"), contactAddressError: errorFor("contact.address"),
            contactSafeTimesError: errorFor("contact.safe_times"), storyError: errorFor("story"),
            consentContactError: errorFor("consent.contact"), consentStatisticsError: errorFor("consent.statistics"),
            accessLanguageError: errorFor("access_needs.language"), accessSupporterError: errorFor("access_needs.supporter"),
            accessOtherError: errorFor("access_needs.other"),
            youngPerson: youngPerson,
            hasProblems: !problems.isEmpty,
            problems: problems.map { Problem(message: FormProblems.message(for: $0, youngPerson: youngPerson, in: catalogue), anchor: anchor(for: $0.field)) })
    }

    /// The id of the form control to jump to from the error summary.
    static func anchor(for field: String) -> String {
        switch field {
        case "contact.name": "name"
        case "contact.email": "email"
        case "contact.phone": "phone"
        case "contact.address": "address"
        case "contact.safe_times": "safe_times"
        case "consent.contact": "consent_contact"
        case "consent.statistics": "consent_statistics-yes"
        case "story": "story"
        case "notify_by_email": "notify_by_email"
        case "access_needs.language": "access_language"
        case "access_needs.supporter": "access_supporter"
        case "access_needs.other": "access_other"
        case "monitoring.child_sex": "child_sex-fieldset"
        case "monitoring.send": "send-fieldset"
        default: field + "-fieldset"
        }
    }
}
