import Foundation
import ReconcileCore

/// What a case step's input is read from: the API's JSON object or a page's form. Each step's input type
/// reads its fields through this one protocol, so the API and the pages validate alike and cannot drift.
/// Messages never quote the value back (it may be personal).
protocol ActionFields {
    /// Text as sent, or nil when absent (a form's empty box too); `required` also refuses blank text.
    func text(_ key: String, required: Bool) throws -> String?
    func wholeNumber(_ key: String) throws -> Int
    /// A whole number, or nil when absent (JSON null, a form's empty box or no choice made).
    func optionalWholeNumber(_ key: String) throws -> Int?
    func flag(_ key: String) throws -> Bool
    func one<T: FixedList>(_ key: String, _: T.Type) throws -> T
    /// Every chosen option; a form with none ticked gives an empty list.
    func many<T: FixedList>(_ key: String, _: T.Type) throws -> [T]
    /// A yes or no the person may leave as it is: nil when the JSON leaves the key out (a partial change). A form
    /// shows every box, so a box left unticked is a no.
    func tickbox(_ key: String) throws -> Bool?
    /// Texts the person may leave as they are: nil when the JSON leaves the key out; a form gives every ticked box.
    func texts(_ key: String) throws -> [String]?
}

extension ActionFields {
    func text(_ key: String) throws -> String? { try text(key, required: false) }
    func requiredText(_ key: String) throws -> String {
        guard let text = try text(key, required: true) else { throw APIError.field(key, "required", "This is needed.") }
        return text
    }
}

extension JSONFields: ActionFields {
    func text(_ key: String, required: Bool) throws -> String? { try string(key, required: required) }
    func wholeNumber(_ key: String) throws -> Int { try int(key) }
    func optionalWholeNumber(_ key: String) throws -> Int? {
        if case .null? = object[key] { return nil }
        return object[key] == nil ? nil : try int(key)
    }
    func flag(_ key: String) throws -> Bool { try bool(key) }
    func tickbox(_ key: String) throws -> Bool? { object[key] == nil ? nil : try bool(key) }
    func texts(_ key: String) throws -> [String]? {
        guard let value = object[key] else { return nil }
        guard case .array(let items) = value else { throw APIError.field(key, "wrong_type", "This must be a list.") }
        return try items.map { item in
            guard case .string(let text) = item else { throw APIError.field(key, "wrong_type", "This must be a list of texts.") }
            return text
        }
    }
}

/// A page's form read as a step's input. Boxes left empty count as not given; the CSRF token is the page
/// kit's business and never reaches a step.
struct FormFields: ActionFields {
    let form: FormBody

    func text(_ key: String, required: Bool) throws -> String? {
        guard let value = form[key], !value.isEmpty else {
            if required { throw APIError.field(key, "required", "This is needed.") }
            return nil
        }
        if required, value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw APIError.field(key, "required", "This is needed.") }
        return value
    }

    func wholeNumber(_ key: String) throws -> Int {
        let raw = try requiredText(key).trimmingCharacters(in: .whitespaces)
        guard let value = Int(raw) else { throw APIError.field(key, "wrong_type", "This must be a whole number.") }
        return value
    }

    func optionalWholeNumber(_ key: String) throws -> Int? {
        guard let value = form[key], !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return try wholeNumber(key)
    }

    func flag(_ key: String) throws -> Bool {
        switch try requiredText(key) {
        case "true", "on", "1": return true
        case "false", "off", "0": return false
        default: throw APIError.field(key, "wrong_type", "This must be yes or no.")
        }
    }

    func one<T: FixedList>(_ key: String, _: T.Type) throws -> T {
        guard let value = try T(rawValue: requiredText(key)) else {
            throw APIError.field(key, "unknown_value", "Choose one of the options.")
        }
        return value
    }

    func tickbox(_ key: String) throws -> Bool? {
        switch form[key] {
        case nil: return false
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: throw APIError.field(key, "wrong_type", "This must be yes or no.")
        }
    }

    func texts(_ key: String) throws -> [String]? { form.all(key) }

    func many<T: FixedList>(_ key: String, _: T.Type) throws -> [T] {
        try form.all(key).map { raw in
            guard let value = T(rawValue: raw) else { throw APIError.field(key, "unknown_value", "Choose only from the options.") }
            return value
        }
    }
}
