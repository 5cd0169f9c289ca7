import Foundation
import GRDB
import ReconcileCore

extension AppDatabase {
    /// A case's themes, in list order.
    static func experienceThemes(_ db: Database, caseID: CaseID) throws -> [ExperienceTheme] {
        let codes = Set(try String.fetchAll(db, sql: "SELECT theme FROM case_experience_theme WHERE case_id = ?", arguments: [caseID]))
        return ExperienceTheme.allCases.filter { codes.contains($0.rawValue) }
    }

    /// Consented cases of the area first tagged with each theme in [start, end), and how many cases that is.
    static func themeCounts(_ db: Database, councilArea: String, start: Date, end: Date) throws -> (byTheme: [String: Int], cases: Int) {
        let rows = try Row.fetchAll(db, sql: """
            SELECT t.case_id, t.theme FROM case_experience_theme t CROSS JOIN referral_case c ON c.id = t.case_id
            WHERE c.council_area = ? AND c.consent_statistics = 1 AND t.tagged_at >= ? AND t.tagged_at < ?
            """, arguments: [councilArea, start, end])
        var byTheme: [String: Int] = [:], cases = Set<String>()
        for row in rows {
            byTheme[(try row.value("theme")), default: 0] += 1
            cases.insert(try row.value("case_id"))
        }
        return (byTheme, cases.count)
    }
}

extension CaseStore {
    /// Sets the coded experience themes of a case: the practitioner's current view, replacing the last.
    /// A theme kept keeps the moment it was first tagged, so a quarter's count does not move when others change.
    /// Recorded on the timeline and audited in the same transaction.
    public func setExperienceThemes(caseID: CaseID, themes: [ExperienceTheme], by actor: StaffActor,
                                    now: Date = Date()) async throws -> CaseChange {
        try await caseWork(caseID: caseID, by: actor, at: now) { db, _ in
            let chosen = Set(themes.map(\.rawValue))
            let before = Set(try String.fetchAll(db, sql: "SELECT theme FROM case_experience_theme WHERE case_id = ?", arguments: [caseID]))
            for removed in before.subtracting(chosen) {
                try db.execute(sql: "DELETE FROM case_experience_theme WHERE case_id = ? AND theme = ?", arguments: [caseID, removed])
            }
            for added in chosen.subtracting(before).sorted() {
                try db.execute(sql: "INSERT INTO case_experience_theme (case_id, theme, tagged_at, tagged_by) VALUES (?, ?, ?, ?)",
                               arguments: [caseID, added, now, actor.id])
            }
            let codes = ExperienceTheme.allCases.filter { chosen.contains($0.rawValue) }.map(\.rawValue)
            return CaseWork(event: .themes, detail: "themes=\(codes.isEmpty ? "none" : codes.joined(separator: "+"))")
        }
    }
}
