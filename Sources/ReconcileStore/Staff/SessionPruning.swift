import Foundation
import GRDB

extension StaffStore {
    /// Forgets staff and family sessions that can no longer open anything: past their absolute lifetime, or
    /// signed out. Each sign-in already clears its own account's or case's old rows; this also clears those of
    /// people who never sign in again, so the session tables do not grow with traffic. Each side is one range of
    /// a `created_at` index (v19). Returns how many rows went.
    @discardableResult
    public func pruneEndedSessions(staff: StaffSessionPolicy = .init(), portal: PortalSessionPolicy = .init(),
                                   now: Date = Date()) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM staff_session WHERE created_at < ?", arguments: [now.addingTimeInterval(-staff.absolute)])
            var removed = db.changesCount
            try db.execute(sql: "DELETE FROM staff_session WHERE revoked_at IS NOT NULL")
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM portal_session WHERE created_at < ?", arguments: [now.addingTimeInterval(-portal.absolute)])
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM portal_session WHERE revoked_at IS NOT NULL")
            return removed + db.changesCount
        }
    }
}
