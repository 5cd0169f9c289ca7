import Foundation
import Hummingbird
import Logging

/// Turns every error into the JSON error shape under `/api/` and into a friendly page elsewhere.
/// Unexpected errors become a plain 500 whose body and log line carry only the error's type, because
/// an underlying error's text could quote personal data.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let pages: Pages
    let routeMethods: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var api = APIError.answer(for: error)
            if api.status == .notFound, error is HTTPError {
                // The router found no route for this method; if the path exists under others, say so.
                let allowed = routeMethods.allowed(at: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                    api = APIError(.methodNotAllowed, code: "method_not_allowed", message: Self.message(for: .methodNotAllowed))
                    api.headers[.allow] = allowed.sorted().joined(separator: ", ")
                }
            }
            RequestFailure.log(api, error, logger: logger, requestID: context.id)
            let path = request.uri.path
            let wantsPage = !path.hasPrefix("/api/") && path != "/openapi.yaml"
            guard wantsPage else { return try api.response(from: request, context: context) }
            // A mistyped staff or council address gets staff chrome, not the family's "leave this site quickly".
            if path == "/staff" || path.hasPrefix("/staff/") || path == "/council" || path.hasPrefix("/council/") {
                return staffErrorPage(api, council: path.hasPrefix("/council"))
            }
            return pages.error(api, request: request)
        }
    }

    /// The staff error page without a signed-in account (this middleware runs before any session is read).
    func staffErrorPage(_ api: APIError, council: Bool) -> Response {
        let model = StaffPageKit.ErrorModel(title: StaffPageKit.title(for: api), message: api.message,
                                            home: council ? "/council/sign-in" : "/staff", back: nil)
        var response = pages.render("staff-error", model, status: api.status)
        for field in api.headers { response.headers.append(field) }
        return response
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 404: "not_found"
        case 401: "unauthenticated"
        case 405: "method_not_allowed"
        case 413: "too_large"
        case 415: "unsupported_media_type"
        default: "http_\(status.code)"
        }
    }

    static func message(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "There is nothing at this address."
        case 405: "This address does not accept that method."
        case 413: "What was sent is too large."
        default: "The request could not be handled."
        }
    }
}

/// One log line for a request that failed on our side, from the API and the pages alike: the error's type and
/// the request id (to find it again), never its text, which could quote personal data.
enum RequestFailure {
    static func log(_ api: APIError, _ error: any Error, logger: Logger, requestID: String) {
        guard api.status == .internalServerError else { return }
        logger.error("request failed", metadata: ["error.type": "\(type(of: error))", "request.id": "\(requestID)"])
    }
}
