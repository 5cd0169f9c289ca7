import ReconcileCore

/// A problem with the referral form in the family's language. Validation names each problem by field and code;
/// the words come from the catalogue, with the question's own wording so "please answer" says which one.
enum FormProblems {
    static func message(for problem: FieldProblem, youngPerson: Bool, in catalogue: MessageCatalogue) -> String {
        switch (problem.field, problem.code) {
        case ("consent.contact", _): return catalogue["problem_consent_contact"]
        case ("consent.statistics", _): return catalogue["problem_consent_statistics"]
        case ("contact.email", "required"): return catalogue["problem_email_for_preference"]
        case ("contact.phone", "required"): return catalogue["problem_phone_for_preference"]
        case ("contact.address", "required"): return catalogue["problem_address_for_preference"]
        case (_, "too_long"):
            guard let max = maxLength[problem.field] else { return problem.message }
            return catalogue.text("problem_too_long", ["max": String(max)])
        case (_, "invalid_characters"): return catalogue["problem_invalid_characters"]
        case (_, "invalid_email"): return catalogue["problem_invalid_email"]
        case (_, "invalid_phone"): return catalogue["problem_invalid_phone"]
        case (_, "no_email_address"): return catalogue["problem_no_email_address"]
        case (_, "required"), (_, "unknown_value"):
            // A question only staff are asked (the channel) keeps its English words.
            guard let question = questionKey(problem.field, youngPerson: youngPerson) else { return problem.message }
            return catalogue.text("problem_\(problem.code)", ["question": catalogue[question]])
        default: return problem.message
        }
    }

    static func questionKey(_ field: String, youngPerson: Bool) -> String? {
        let yp = youngPerson ? "_yp" : ""
        switch field {
        case "contact.preference": return "q_preference"
        case "council_area", "referrer_role", "setting", "harm", "when", "told_before", "wishes", "heard_from", "pattern":
            return "q_" + field
        case "involvement", "age_band", "parent_knows": return "q_" + field + yp
        case "monitoring.child_sex": return "q_child_sex" + yp
        case "monitoring.send": return "q_send" + yp
        default: return nil
        }
    }

    static let maxLength: [String: Int] = [
        "contact.name": IntakeLimits.name, "contact.email": IntakeLimits.email, "contact.phone": IntakeLimits.phone,
        "contact.address": IntakeLimits.address, "contact.safe_times": IntakeLimits.safeTimes, "story": IntakeLimits.story,
        "access_needs.language": AccessNeedsLimits.language, "access_needs.supporter": AccessNeedsLimits.supporter,
        "access_needs.other": AccessNeedsLimits.other,
    ]
}
