import Foundation
import Hummingbird
import NIOCore

/// Refuses a declared body over the limit before any of it is read (SPEC: oversized bodies refused early).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError.tooLarge(maxBytes)
        }
        return try await next(request, context)
    }
}

extension Request {
    /// The whole body, refusing (413) one that grows past `maxBytes` while streaming without a length.
    mutating func collectLimited(_ maxBytes: Int) async throws -> [UInt8] {
        do {
            let buffer = try await collectBody(upTo: maxBytes)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.tooLarge(maxBytes)
        } catch is NIOTooManyBytesError {
            // A streamed (chunked) body with no declared length that grows past the limit.
            throw APIError.tooLarge(maxBytes)
        }
    }

    /// 415 unless the body is declared as `mediaType` (and, if a charset is named, UTF-8).
    func requireContentType(_ mediaType: String) throws {
        let declared = headers[.contentType] ?? ""
        let parts = declared.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let charsetOK = parts.dropFirst().allSatisfy { !$0.hasPrefix("charset=") || ["charset=utf-8", "charset=\"utf-8\""].contains($0) }
        guard parts.first == mediaType, charsetOK else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "Please send this as \(mediaType) in UTF-8.")
        }
    }
}

extension APIError {
    static func tooLarge(_ maxBytes: Int) -> APIError {
        APIError(.contentTooLarge, code: "too_large", message: "What was sent is larger than \(maxBytes / 1024) KiB.")
    }
}
