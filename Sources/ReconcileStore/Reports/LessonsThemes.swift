import Foundation
import GRDB
import ReconcileCore

/// A lessons-learned theme a lead approved for one council area's quarterly report (SPEC "Quarterly feedback").
/// Themes are free text written for the council; before a release they are screened against the personal
/// values held in that area's cases (`themesHoldingPersonalValues`).
public struct LessonsTheme: Sendable, Equatable {
    public let id: String
    public let quarter: String
    public let councilArea: String
    public let text: String
    public let approvedAt: Date

    public init(id: String, quarter: String, councilArea: String, text: String, approvedAt: Date) {
        self.id = id
        self.quarter = quarter
        self.councilArea = councilArea
        self.text = text
        self.approvedAt = approvedAt
    }
}

/// A theme refused before it was stored. Messages name the rule, never the text.
public enum ThemeError: Error, Equatable, CustomStringConvertible {
    case empty, tooLong, invalidCharacters, unknownCouncilArea, invalidQuarter

    public var description: String {
        switch self {
        case .empty: "the theme is empty"
        case .tooLong: "the theme must be at most \(ThemeLimits.text.upperBound) characters"
        case .invalidCharacters: "the theme holds control, invisible or bidirectional-override characters"
        case .unknownCouncilArea: "the council area is not one of the configured council areas"
        case .invalidQuarter: "the quarter must be written like 2026-Q1"
        }
    }
}

public enum ThemeLimits {
    /// Counted in Unicode scalars, as SQLite's `length()` counts the column's CHECK.
    public static let text = 1...2000
}

extension AppDatabase {
    static func themes(_ db: Database, quarters: [Quarter], councilArea: String) throws -> [LessonsTheme] {
        var all: [LessonsTheme] = []
        for quarter in quarters.sorted() {
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, quarter, council_area, text, approved_at FROM lessons_theme
                WHERE quarter = ? AND council_area = ? ORDER BY approved_at, rowid
                """, arguments: [quarter.description, councilArea])
            all += try rows.map {
                LessonsTheme(id: try $0.value("id"), quarter: try $0.value("quarter"), councilArea: try $0.value("council_area"), text: try $0.value("text"),
                             approvedAt: try $0.value("approved_at"))
            }
        }
        return all
    }
}

extension ReportStore {
    /// Approves a lessons-learned theme for a quarter's report. Leads only. The text is trimmed and must be
    /// 1...2000 characters. Recorded in the audit log as "theme.add" (ids and the quarter, never the text).
    public func addTheme(quarter: Quarter, councilArea: String, text: String, councilAreas: [String], by actor: StaffActor, now: Date = Date()) async throws -> String {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        guard councilAreas.contains(councilArea) else { throw ThemeError.unknownCouncilArea }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ThemeError.empty }
        guard !FreeText.isTooLong(trimmed, max: ThemeLimits.text.upperBound) else { throw ThemeError.tooLong }
        guard !FreeText.hasForbiddenCharacters(trimmed, multiline: true) else { throw ThemeError.invalidCharacters }
        let id = AppDatabase.newID()
        try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO lessons_theme (id, quarter, council_area, text, approved_by, approved_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, quarter.description, councilArea, trimmed, actor.id, now])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .themeAdd,
                                                detail: "theme=\(id),quarter=\(quarter),area=\(councilArea)"),
                                 at: now, keys: keys)
        }
        return id
    }

    /// Withdraws an approved theme that has not been published yet (for instance one a release refused because
    /// it names a family). Leads only; audit "theme.remove". A theme already in a released report stays in
    /// that report's frozen bytes whatever happens here. Returns false when there is no theme with that id.
    @discardableResult
    public func removeTheme(id: String, by actor: StaffActor, now: Date = Date()) async throws -> Bool {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT quarter, council_area FROM lessons_theme WHERE id = ?",
                                             arguments: [id]) else {
                return false
            }
            try db.execute(sql: "DELETE FROM lessons_theme WHERE id = ?", arguments: [id])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .themeRemove,
                                                detail: "theme=\(id),quarter=\(try row.value("quarter", as: String.self)),area=\(try row.value("council_area", as: String.self))"),
                                 at: now, keys: keys)
            return true
        }
    }

    /// The themes approved for a quarter and area, in the order they were approved (the order a report
    /// numbers them: "theme 1", "theme 2", …).
    public func themes(quarter: Quarter, councilArea: String) async throws -> [LessonsTheme] {
        try await reader.read { db in try AppDatabase.themes(db, quarters: [quarter], councilArea: councilArea) }
    }

    /// The themes of several quarters (a year-to-date report), quarter by quarter, each in approval order.
    public func themes(quarters: [Quarter], councilArea: String) async throws -> [LessonsTheme] {
        try await reader.read { db in try AppDatabase.themes(db, quarters: quarters, councilArea: councilArea) }
    }
}
