import Foundation
import Sodium

/// Argon2id for staff passwords (people choose them, so they need stretching), always on a `SlowWorkPool`
/// so that a burst of sign-ins can neither starve other requests nor use more than workers × memory cost.
public struct PasswordHasher: Sendable {
    public let cost: PasswordHash.Limits
    public let pool: SlowWorkPool

    public init(cost: PasswordHash.Limits, pool: SlowWorkPool = .shared) {
        self.cost = cost
        self.pool = pool
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await pool.run { try PasswordHash.hash(password, limits: cost) }
    }

    public func verify(_ password: String, against stored: String) async throws -> Bool {
        try await pool.run { PasswordHash.verify(password, against: stored) }
    }

    /// Verifies against a hash of a random password nobody knows, at this hasher's cost, so an unknown
    /// account takes as long as a wrong password for a known one.
    public func verifyDummy(_ password: String) async throws {
        let cost = self.cost
        _ = try await pool.run { PasswordHash.verify(password, against: try DummyPasswordHashes.shared.hash(for: cost)) }
    }

    /// Verifies, and when the stored hash used another cost, re-hashes in the same pool job.
    func verifyAndUpgrade(_ password: String, against stored: String) async throws -> (matches: Bool, upgraded: String?) {
        let cost = self.cost
        return try await pool.run {
            guard PasswordHash.verify(password, against: stored) else { return (false, nil) }
            return (true, PasswordHash.needsRehash(stored, limits: cost) ? try PasswordHash.hash(password, limits: cost) : nil)
        }
    }
}
