/// A request body that must be one JSON object, read by our own strict reader (`JSONReader`). A key given twice
/// would mean whatever a proxy, a log reader or a second parser thinks it means (`{"note": "harmless", "note":
/// "other"}`), so such bodies are refused (400 `duplicate_key`) before anything reads them; anything else that is
/// not strict JSON is 400 `invalid_json`.
enum JSONObjectBody {
    static func decode(_ body: [UInt8]) throws -> [String: JSONValue] {
        do {
            return try JSONReader.object(body)
        } catch .duplicateKey {
            throw APIError(.badRequest, code: "duplicate_key", message: "A field appears more than once in the same JSON object.")
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "The body must be a JSON object in UTF-8.")
        }
    }

    /// The code a body is refused with (`invalid_json`, `duplicate_key`), or nil when it is read.
    static func refusal(_ body: [UInt8]) -> String? {
        do { _ = try decode(body); return nil } catch let error as APIError { return error.code } catch { return "\(error)" }
    }
}
