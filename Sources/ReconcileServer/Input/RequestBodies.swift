import Foundation
import Hummingbird
import NIOCore

/// Refuses a declared body over the limit before any of it is used (SPEC: oversized bodies refused early).
/// A client that sends without `Expect: 100-continue` (Python's urllib, most scripts) is still sending and
/// reads no answer until it has sent everything: a body declared up to `drainBytes` is read and dropped, so it
/// gets its 413; a larger one gets its 413 at once and the connection is closed (`Connection: close`) rather
/// than an unbounded upload being swallowed or left hanging.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBytes: Int
    var drainBytes: Int { max(1_048_576, 4 * maxBytes) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes else {
            return try await next(request, context)
        }
        var error = APIError.tooLarge(maxBytes)
        if length <= drainBytes {
            for try await _ in request.body {}
        } else {
            // Answer at once, then close: the 413 is flushed first, the rest of the upload is never read.
            error.headers[.connection] = "close"
            let channel = context.channel
            channel.eventLoop.scheduleTask(in: .milliseconds(200)) { channel.close(promise: nil) }
        }
        throw error
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
