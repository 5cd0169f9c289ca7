import Foundation
import Hummingbird
import Logging

/// Turns every error into the JSON error shape. Unexpected errors become a plain 500 whose body and log
/// line carry only the error's type, because an underlying error's text could quote personal data.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let api = APIError(error.status, code: Self.code(for: error.status),
                               message: error.status == .notFound ? "There is nothing at this address." : Self.message(for: error.status))
            return try api.response(from: request, context: context)
        } catch {
            logger.error("request failed", metadata: ["error.type": "\(type(of: error))", "request.id": "\(context.id)"])
            return try APIError(.internalServerError, code: "internal_error",
                                message: "Something went wrong on our side. Nothing you sent has been lost or shared; please try again.")
                .response(from: request, context: context)
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "too_large"
        case 415: "unsupported_media_type"
        default: "http_\(status.code)"
        }
    }

    static func message(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 405: "This address does not accept that method."
        case 413: "What was sent is too large."
        default: "The request could not be handled."
        }
    }
}
