import Foundation
import HTTPTypes
import Hummingbird
import ReconcileCore
import ReconcileStore

/// `POST /api/v1/referrals`: the JSON intake. Answers 201 only after the referral is committed to disk.
struct IntakeController {
    let intake: IntakeService
    let limiter: RateLimiter
    let maxBodyBytes: Int

    struct Created: ResponseEncodable {
        let reference: String
        let passphrase: String
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("api/v1/referrals", use: create)
    }

    @Sendable func create(request: Request, context: AppRequestContext) async throws -> EditedResponse<Created> {
        if let retryAfter = await limiter.record(context.clientAddress) {
            throw APIError.tooManyRequests(retryAfter: retryAfter)
        }
        try request.requireContentType("application/json")
        let idempotencyKey = request.headers[.idempotencyKey]
        if let key = idempotencyKey, !IntakeService.isValidIdempotencyKey(key) {
            throw APIError(.badRequest, code: "invalid_idempotency_key",
                           message: "The Idempotency-Key header must be 1 to 255 visible ASCII characters.")
        }
        var request = request
        let body = try await request.collectLimited(maxBodyBytes)
        let object = try JSONObjectBody.decode(body)
        let submission: ReferralSubmission
        do { submission = try ReferralSubmission(json: object) } catch { throw APIError.invalid(error) }
        let receipt = try await intake.submitAnswering(submission, idempotencyKey: idempotencyKey, body: body, logger: context.logger)
        // A retry gets exactly the first answer, marked so a client can tell.
        return EditedResponse(status: .created, headers: receipt.replayed ? [.idempotentReplayed: "true"] : [:],
                              response: Created(reference: receipt.reference, passphrase: receipt.passphrase))
    }
}

extension APIError {
    /// 422 naming the first field at fault; every field is listed under `fields`.
    static func invalid(_ failure: ValidationFailure) -> APIError {
        let first = failure.problems[0]
        var error = APIError(.unprocessableContent, code: first.code, message: "\(first.field): \(first.message)")
        error.fields = failure.problems.map { ["field": $0.field, "code": $0.code, "message": $0.message] }
        return error
    }

    /// 422 for a referral about a child this service is not for: a kind answer and where to turn instead.
    static func notOffered(_ policy: IntakePolicy) -> APIError {
        var error = APIError(.unprocessableContent, code: "not_offered",
                             message: ReferralSubmission.notOffered + " " + policy.elsewhere.map { "\($0.name): \($0.detail)" }.joined(separator: " "))
        error.fields = [["field": "involvement", "code": "not_offered", "message": ReferralSubmission.notOffered]]
        return error
    }

    /// 503 with Retry-After: the service is at its bound (a flood) and refuses at once instead of queueing.
    static func serviceBusy(retryAfter: Int) -> APIError {
        var error = APIError(.serviceUnavailable, code: "busy",
                             message: "The service is very busy just now. Nothing was saved. Please try again in a moment.")
        error.headers[.retryAfter] = "\(retryAfter)"
        return error
    }

    static func tooManyRequests(retryAfter: Int) -> APIError {
        var error = APIError(.tooManyRequests, code: "rate_limited",
                             message: "Too many requests from this address. Please wait \(retryAfter) seconds and try again.")
        error.headers[.retryAfter] = "\(retryAfter)"
        return error
    }
}
