import Foundation
import Logging
import ReconcileCore
import ReconcileStore
import Sodium

/// The one path by which a referral enters the service, shared by the JSON API and the HTML form.
struct IntakeService: Sendable {
    let database: AppDatabase
    let keys: KeyRing
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
        let claim = try idempotencyKey.map { try IdempotencyClaim(key: $0, body: body, keys: keys, passphraseKeptFor: passphraseKeptFor) }
        let receipt = try await database.submitReferral(referral, idempotency: claim, keys: keys, enteredBy: enteredBy)
        if !receipt.replayed { metrics.referralsReceived.increment() }
        logger.info(receipt.replayed ? "referral replayed for idempotent retry" : "referral received",
                    metadata: ["case.id": "\(receipt.caseID)", "channel": "\(referral.channel.rawValue)"])
        return .stored(receipt)
    }

    /// An Idempotency-Key is 1–255 visible ASCII characters.
    static func isValidIdempotencyKey(_ key: String) -> Bool {
        (1...255).contains(key.utf8.count) && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

extension Settings.Security {
    /// The Argon2id cost named by `security.password_hash_cost` (validated at load, so never unknown).
    var argon2Limits: PasswordHash.Limits { PasswordHash.Limits.named(passwordHashCost) ?? .moderate }
}

extension ValidationFailure {
    /// The referral is about a child this service is not for (`policies/intake.json`).
    var isNotOffered: Bool { problems.count == 1 && problems[0].code == "not_offered" }
}
