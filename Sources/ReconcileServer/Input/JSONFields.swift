import Foundation
import Hummingbird
import ReconcileCore

/// A JSON object body read strictly: wrong content type 415, too large 413, not an object or a key twice 400, unknown
/// or mistyped fields 422 naming the field. Values are never quoted back.
struct JSONFields {
    let object: [String: JSONValue]

    static func read(_ request: Request, maxBytes: Int, allowed: Set<String>) async throws -> JSONFields {
        try request.requireContentType("application/json")
        var request = request
        let body = try await request.collectLimited(maxBytes)
        let object = try JSONObjectBody.decode(body)
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.field(FieldNames.echoable(unknown), "unknown_field", "This field is not accepted here.")
        }
        return JSONFields(object: object)
    }

    func string(_ key: String, required: Bool = false) throws -> String? {
        switch object[key] {
        case nil, .null?:
            if required { throw APIError.field(key, "required", "This is needed.") }
            return nil
        case .string(let s)?:
            if required, s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw APIError.field(key, "required", "This is needed.") }
            return s
        default: throw APIError.field(key, "wrong_type", "This must be text.")
        }
    }

    /// Text that must be present and not blank (422 `required` otherwise).
    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key, required: true) else { throw APIError.field(key, "required", "This is needed.") }
        return text
    }

    func bool(_ key: String) throws -> Bool {
        guard case .bool(let b)? = object[key] else {
            throw object[key] == nil ? APIError.field(key, "required", "This is needed.") : APIError.field(key, "wrong_type", "This must be true or false.")
        }
        return b
    }

    func int(_ key: String) throws -> Int {
        guard case .number(let n)? = object[key] else {
            throw object[key] == nil ? APIError.field(key, "required", "This is needed.") : APIError.field(key, "wrong_type", "This must be a whole number.")
        }
        guard n.rounded() == n, let value = Int(exactly: n) else { throw APIError.field(key, "wrong_type", "This must be a whole number.") }
        return value
    }

    func one<T: FixedList>(_ key: String, _: T.Type) throws -> T {
        let raw = try requiredString(key)
        guard let value = T(rawValue: raw) else {
            throw APIError.field(key, "unknown_value", "Choose one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    func many<T: FixedList>(_ key: String, _: T.Type) throws -> [T] {
        guard case .array(let items)? = object[key] else {
            throw object[key] == nil ? APIError.field(key, "required", "This is needed.") : APIError.field(key, "wrong_type", "This must be a list.")
        }
        return try items.map { item in
            guard case .string(let raw) = item else { throw APIError.field(key, "wrong_type", "This must be a list of options.") }
            guard let value = T(rawValue: raw) else {
                throw APIError.field(key, "unknown_value", "Choose only from: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return value
        }
    }
}

extension APIError {
    /// 422 for one field, in the same shape as intake validation errors.
    static func field(_ field: String, _ code: String, _ message: String) -> APIError {
        var error = APIError(.unprocessableContent, code: code, message: "\(field): \(message)")
        error.fields = [["field": field, "code": code, "message": message]]
        return error
    }

    static func unauthenticated() -> APIError {
        var error = APIError(.unauthorized, code: "unauthenticated", message: "Please sign in.")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func forbidden(_ message: String = "Your role does not allow this.") -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }
}
