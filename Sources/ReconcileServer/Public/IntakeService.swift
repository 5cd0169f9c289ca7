import Foundation
import Logging
import ReconcileCore
import ReconcileStore
import Sodium

/// The one path by which a referral enters the service, shared by the JSON API and the HTML form.
struct IntakeService: Sendable {
    let stores: Stores
    let settings: Settings
    let metrics: ServiceMetrics
    let policy: IntakePolicy

    enum Outcome: Sendable {
        case stored(IntakeReceipt)
        case invalid(ValidationFailure)
    }

    /// - Parameter passphraseKeptFor: how long a replay may show the passphrase again (the form's few minutes;
    ///   24 hours for the API).
    /// - Parameter enteredBy: the practitioner or lead who took it by phone, post or in person (`POST /api/v1/cases`).
    func submit(_ submission: ReferralSubmission, idempotencyKey: String?, body: [UInt8], logger: Logger,
                passphraseKeptFor: TimeInterval = AppDatabase.idempotencyWindow, enteredBy: StaffActor? = nil) async throws -> Outcome {
        let referral: Referral
        switch submission.validate(councilAreas: settings.areas.councilAreas, offered: policy.offeredTo, enteredByStaff: enteredBy != nil) {
        case .failure(let failure):
            // Field names and codes only: they say what was wrong without saying what was sent.
            logger.info("referral refused", metadata: ["fields": "\(failure.problems.map(\.field).joined(separator: ","))"])
            return .invalid(failure)
        case .success(let valid): referral = valid
        }
        let claim = try idempotencyKey.map { try IdempotencyClaim(key: $0, body: body, keys: stores.keys, passphraseKeptFor: passphraseKeptFor) }
        let receipt = try await stores.intake.submitReferral(referral, idempotency: claim, enteredBy: enteredBy)
        if !receipt.replayed { metrics.referralsReceived.increment() }
        logger.info(receipt.replayed ? "referral replayed for idempotent retry" : "referral received",
                    metadata: ["case.id": "\(receipt.caseID)", "channel": "\(referral.channel.rawValue)"])
        return .stored(receipt)
    }

    /// `submit`, answered as the JSON doors answer (the public API and a practitioner's entry): the receipt, or
    /// the error each outcome means (422 naming the fields, the kind "not offered" answer, a reused key).
    func submitAnswering(_ submission: ReferralSubmission, idempotencyKey: String?, body: [UInt8], logger: Logger,
                         passphraseKeptFor: TimeInterval = AppDatabase.idempotencyWindow,
                         enteredBy: StaffActor? = nil) async throws -> IntakeReceipt {
        let outcome: Outcome
        do {
            outcome = try await submit(submission, idempotencyKey: idempotencyKey, body: body, logger: logger,
                                       passphraseKeptFor: passphraseKeptFor, enteredBy: enteredBy)
        } catch IntakeError.idempotencyKeyReused {
            throw APIError(.unprocessableContent, code: "idempotency_key_reused",
                           message: "This Idempotency-Key was already used for a different referral. Use a new key for a new referral.")
        } catch IntakeError.alreadyReceived {
            // Only at the very end of the 24-hour window, between the passphrase being cleared and the key forgotten.
            throw APIError(.conflict, code: "already_received",
                           message: "This referral was already received; its passphrase is no longer kept, so it cannot be shown again.")
        }
        switch outcome {
        case .invalid(let failure) where failure.isNotOffered: throw APIError.notOffered(policy)
        case .invalid(let failure): throw APIError.invalid(failure)
        case .stored(let receipt): return receipt
        }
    }

    /// An Idempotency-Key is 1–255 visible ASCII characters.
    static func isValidIdempotencyKey(_ key: String) -> Bool {
        (1...255).contains(key.utf8.count) && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

extension Settings.Security {
    /// The Argon2id cost named by `security.password_hash_cost` (validated at load, so never unknown).
    var argon2Limits: PasswordHash.Limits { PasswordHash.Limits.named(passwordHashCost.rawValue) ?? .moderate }
}

extension ValidationFailure {
    /// The referral is about a child this service is not for (`policies/intake.json`).
    var isNotOffered: Bool { problems.count == 1 && problems[0].code == "not_offered" }
}
