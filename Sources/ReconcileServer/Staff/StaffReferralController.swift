import Foundation
import Hummingbird
import Logging
import ReconcileCore
import ReconcileStore

/// `POST /api/v1/cases`: a referral a practitioner or lead took by phone, post or in person, or from a
/// professional on the family's behalf. The same validation, encryption and group commit as the family's own
/// form (`IntakeService`), with `channel` and the consent the family gave when asked; the reference and
/// passphrase are answered once, for the practitioner to pass on. Entered-by is recorded and audited in the
/// transaction that stores the case; a practitioner's own entry is assigned to them.
struct StaffReferralController {
    let intake: IntakeService
    let maxBodyBytes: Int

    struct Entered: ResponseEncodable {
        let caseId: CaseID
        let reference: String
        let passphrase: String
        let channel: String
        let assignedToMe: Bool
    }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.post(use: enter)
    }

    @Sendable func enter(request: Request, context: StaffRequestContext) async throws -> EditedResponse<Entered> {
        try request.requireContentType("application/json")
        let key = request.headers[.idempotencyKey]
        if let key, !IntakeService.isValidIdempotencyKey(key) {
            throw APIError(.badRequest, code: "invalid_idempotency_key",
                           message: "The Idempotency-Key header must be 1 to 255 visible ASCII characters.")
        }
        var request = request
        let body = try await request.collectLimited(maxBodyBytes)
        let submission: ReferralSubmission
        let object = try JSONObjectBody.decode(body)
        do { submission = try ReferralSubmission(json: object, enteredByStaff: true) } catch { throw APIError.invalid(error) }
        let receipt = try await Self.enter(submission, by: context.staff, intake: intake, body: body,
                                           replayKey: key.map { "staff:\(context.staff.id):\($0)" }, logger: context.logger)
        return EditedResponse(status: .created, headers: receipt.replayed ? [.idempotentReplayed: "true"] : [:],
                              response: Entered(caseId: receipt.caseID, reference: receipt.reference, passphrase: receipt.passphrase,
                                                channel: submission.channel ?? "", assignedToMe: context.staff.role == .practitioner))
    }

    /// Shared by the API and the staff page. A key is scoped to the staff member, so no one else's retry finds it.
    static func enter(_ submission: ReferralSubmission, by staff: StaffAccount, intake: IntakeService, body: [UInt8], replayKey: String?,
                      passphraseKeptFor: TimeInterval = AppDatabase.idempotencyWindow, logger: Logger) async throws -> IntakeReceipt {
        try await intake.submitAnswering(submission, idempotencyKey: replayKey, body: body, logger: logger,
                                         passphraseKeptFor: passphraseKeptFor, enteredBy: staff.actor)
    }
}
