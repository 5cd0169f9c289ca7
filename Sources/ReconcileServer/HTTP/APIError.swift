import Foundation
import Hummingbird

/// An error with its HTTP meaning, rendered as `{"error": {"code": "...", "message": "..."}}`.
/// Messages are written by us and never include submitted values.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]
    /// Every field at fault, for validation errors (names and codes, never values).
    public var fields: [[String: String]]? = nil

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // the same error always reads the same, byte for byte
        let body = try encoder.encode(Body(error: .init(code: code, message: message, fields: fields)))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private struct Body: Encodable {
        struct Detail: Encodable { let code: String; let message: String; let fields: [[String: String]]? }
        let error: Detail
    }

    static func notFound() -> APIError { APIError(.notFound, code: "not_found", message: "There is nothing at this address.") }
}
