import Foundation
import GRDB
import ReconcileCore

/// A request to come back that the case's stage does not allow. Changes nothing.
public enum ComeBackError: Error, Equatable {
    /// Only a closed case can be come back to; an open one is still being worked.
    case notClosed
}

extension PortalStore {
    /// The family asks, from the portal, to come back to their closed case ("where to go if they have a
    /// wobble"): the case goes on the leads' list (`CaseListFilter.askedToComeBack`) until a lead reopens it.
    /// Asking again changes nothing and returns the first request's time.
    @discardableResult
    public func askToComeBack(caseID: CaseID, now: Date = Date()) async throws -> Date {
        try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            guard current.stage == .closed else { throw ComeBackError.notClosed }
            if let already = try Date.fetchOne(db, sql: "SELECT come_back_requested_at FROM referral_case WHERE id = ?", arguments: [caseID]) {
                return already
            }
            try db.execute(sql: "UPDATE referral_case SET come_back_requested_at = ? WHERE id = ?", arguments: [now, caseID])
            try AppDatabase.recordFamilyEvent(db, current, action: .comeBackRequest, audit: .portalComeBack, to: current.stage,
                                       detail: nil, keys: keys, at: now)
            return now
        }
    }
}
