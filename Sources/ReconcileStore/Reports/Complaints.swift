import Foundation
import GRDB
import ReconcileCore

/// A complaint or compliment about the service, recorded by a lead or sent by a family from the portal.
public struct Complaint: Sendable, Equatable {
    public let id: String
    public let caseID: CaseID?
    public let reference: String?
    public let councilArea: String
    public let kind: ComplaintKind
    /// `YYYY-MM-DD` (Europe/London).
    public let receivedOn: String
    public let respondedOn: String?
    public let source: ComplaintSource
    /// The family wrote something (sealed under their case key; shown on the case page, never in lists).
    public let hasText: Bool
    public let createdAt: Date
}

/// What the staff case page shows of a case's complaints and compliments: the family's words opened.
public struct CaseComplaintView: Sendable, Equatable {
    public let id: String
    public let kind: ComplaintKind
    public let receivedOn: String
    public let respondedOn: String?
    public let source: ComplaintSource
    public let text: String?
}

public enum ComplaintError: Error, Equatable {
    case unknownCouncilArea
    /// No such case (or one this lead may not work, or erased): the same answer.
    case caseNotFound
    /// The case given belongs to another council area than the one given.
    case areaMismatch
    /// Not a real date, before 2000 or in the future.
    case invalidReceivedDate
    /// Not a real date, in the future, or before the day received.
    case invalidResponseDate
    case textTooLong, textInvalidCharacters
    case notFound
    /// A response date is already recorded; it stands (audited) rather than being rewritten.
    case alreadyResponded
    /// The family has sent their day's allowance already (`limits.family_complaints_per_day`).
    case tooManyToday
}

extension AppDatabase {
    public static let complaintTextLimit = 2000

    /// A case's complaints and compliments with the family's words opened (inside the caller's checked read).
    static func caseComplaints(_ db: Database, caseID: CaseID, cipher: CaseCipher) throws -> [CaseComplaintView] {
        try Row.fetchAll(db, sql: "SELECT * FROM complaint WHERE case_id = ? ORDER BY received_on, created_at", arguments: [caseID]).compactMap { row in
            guard let kind = ComplaintKind(rawValue: try row.value("kind")), let source = ComplaintSource(rawValue: try row.value("source")) else { return nil }
            let id: String = try row.value("id")
            return CaseComplaintView(id: id, kind: kind, receivedOn: try row.value("received_on"), respondedOn: try row.value("responded_on"), source: source,
                                     text: try cipher.openIfPresent(try row.value("text"), field: complaintTextField(id)))
        }
    }

    /// Bound to the complaint's own row and case: text moved to another row fails to open.
    static func complaintTextField(_ id: String) -> String { "complaint.text/\(id)" }

    /// Complaints and compliments of the area received in [start, end) (London dates): by kind, and complaints by
    /// how long they took to answer as things stand. Those about a case count only if its family consented to
    /// statistics, as everything else in the report.
    static func complaintCounts(_ db: Database, councilArea: String, start: Date, end: Date) throws -> (byKind: [String: Int], byResponse: [String: Int]) {
        let rows = try Row.fetchAll(db, sql: """
            SELECT k.kind, k.received_on, k.responded_on FROM complaint k LEFT JOIN referral_case c ON c.id = k.case_id
            WHERE k.council_area = ? AND k.received_on >= ? AND k.received_on < ? AND (k.case_id IS NULL OR c.consent_statistics = 1)
            """, arguments: [councilArea, WorkingDays.londonDate(start), WorkingDays.londonDate(end)])
        var byKind: [String: Int] = [:], byResponse: [String: Int] = [:]
        for row in rows {
            let kind: String = try row.value("kind")
            byKind[kind, default: 0] += 1
            guard kind == ComplaintKind.complaint.rawValue else { continue }
            let receivedOn: String = try row.value("received_on")
            let days = try row.value("responded_on", as: String?.self).flatMap { WorkingDays.workingDays(from: receivedOn, to: $0) }
            byResponse[ComplaintResponseBand.band(workingDays: days).rawValue, default: 0] += 1
        }
        return (byKind, byResponse)
    }

    fileprivate static func insert(_ db: Database, _ c: Complaint, text: Data?, createdBy: String) throws {
        try db.execute(sql: """
            INSERT INTO complaint (id, case_id, council_area, kind, received_on, responded_on, source, text, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [c.id, c.caseID, c.councilArea, c.kind.rawValue, c.receivedOn, c.respondedOn, c.source.rawValue, text,
                             c.createdAt, createdBy])
    }

    fileprivate static func complaints(_ db: Database, sql condition: String, arguments: StatementArguments) throws -> [Complaint] {
        try Row.fetchAll(db, sql: """
            SELECT k.*, c.reference FROM complaint k LEFT JOIN referral_case c ON c.id = k.case_id WHERE \(condition)
            """, arguments: arguments).compactMap { row in
            guard let kind = ComplaintKind(rawValue: try row.value("kind")), let source = ComplaintSource(rawValue: try row.value("source")) else { return nil }
            return Complaint(id: try row.value("id"), caseID: try row.value("case_id"), reference: try row.value("reference"), councilArea: try row.value("council_area"), kind: kind,
                             receivedOn: try row.value("received_on"), respondedOn: try row.value("responded_on"), source: source,
                             hasText: row.holdsValue("text"), createdAt: try row.value("created_at"))
        }
    }
}

extension ReportStore {
    /// A lead records a complaint or compliment, optionally about a case (by id or reference; the area is then the
    /// case's). Audited in the same transaction.
    public func addComplaint(caseID: CaseID?, reference: String?, councilArea: String?, kind: ComplaintKind, receivedOn: String,
                             respondedOn: String?, councilAreas: [String], by actor: StaffActor,
                             now: Date = Date()) async throws -> Complaint {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        if let councilArea, !councilAreas.contains(councilArea) { throw ComplaintError.unknownCouncilArea }
        guard AppDatabase.isPastOrPresentDate(receivedOn, now: now) else { throw ComplaintError.invalidReceivedDate }
        if let respondedOn {
            guard AppDatabase.isPastOrPresentDate(respondedOn, now: now), respondedOn >= receivedOn else { throw ComplaintError.invalidResponseDate }
        }
        return try await writer.write { db in
            var found: (id: CaseID, reference: String, area: String)?
            if caseID != nil || reference != nil {
                let row = try Row.fetchOne(db, sql: "SELECT id, reference, council_area FROM referral_case WHERE (id = ? OR reference = ?) AND erased_at IS NULL",
                                           arguments: [caseID, reference.map(ReferenceFormat.normalise)])
                guard let row else { throw ComplaintError.caseNotFound }
                if let caseID, caseID != (try row.value("id", as: CaseID.self)) { throw ComplaintError.caseNotFound }
                if let reference, ReferenceFormat.normalise(reference) != (try row.value("reference", as: String.self)) { throw ComplaintError.caseNotFound }
                found = (try row.value("id"), try row.value("reference"), try row.value("council_area"))
            }
            if let found, let councilArea, councilArea != found.area { throw ComplaintError.areaMismatch }
            guard let area = found?.area ?? councilArea else { throw ComplaintError.unknownCouncilArea }
            let complaint = Complaint(id: AppDatabase.newID(), caseID: found?.id, reference: found?.reference, councilArea: area, kind: kind,
                                      receivedOn: receivedOn, respondedOn: respondedOn, source: .staff, hasText: false, createdAt: now)
            try AppDatabase.insert(db, complaint, text: nil, createdBy: actor.id)
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .complaintAdd, caseID: found?.id,
                                                detail: "id=\(complaint.id),area=\(area),kind=\(kind.rawValue)"), at: now, keys: keys)
            return complaint
        }
    }

    /// A lead records when a complaint or compliment was answered. Once recorded it stands.
    public func recordComplaintResponse(id: String, respondedOn: String, by actor: StaffActor,
                                        now: Date = Date()) async throws -> Complaint {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT received_on, responded_on, case_id FROM complaint WHERE id = ?", arguments: [id]) else {
                throw ComplaintError.notFound
            }
            guard (try row.value("responded_on", as: String?.self)) == nil else { throw ComplaintError.alreadyResponded }
            guard AppDatabase.isPastOrPresentDate(respondedOn, now: now), respondedOn >= (try row.value("received_on", as: String.self)) else {
                throw ComplaintError.invalidResponseDate
            }
            try db.execute(sql: "UPDATE complaint SET responded_on = ? WHERE id = ?", arguments: [respondedOn, id])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .complaintResponse, caseID: try row.value("case_id"),
                                                detail: "id=\(id)"), at: now, keys: keys)
            guard let answered = try AppDatabase.complaints(db, sql: "k.id = ?", arguments: [id]).first else { throw ComplaintError.notFound }
            return answered
        }
    }

    /// A family sends a complaint or compliment from the portal: received today (London), their words sealed
    /// under the case key. On the case's timeline and audited.
    /// At most `perDay` in a London day (0: no bound): each is counted in the council's report, so without a bound
    /// one session could fill the complaints table and the figure with its own repeats.
    public func familyComplaint(caseID: CaseID, kind: ComplaintKind, text: String?, perDay: Int, now: Date = Date()) async throws -> Complaint {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = trimmed?.isEmpty == false ? trimmed : nil
        if let text {
            guard !FreeText.isTooLong(text, max: AppDatabase.complaintTextLimit) else { throw ComplaintError.textTooLong }
            guard !FreeText.hasForbiddenCharacters(text, multiline: true) else { throw ComplaintError.textInvalidCharacters }
        }
        return try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            let today = WorkingDays.londonDate(now)
            // Counted inside the write transaction, so sends at once cannot all pass the check.
            let sentToday = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM complaint WHERE case_id = ? AND source = 'family' AND received_on = ?",
                                             arguments: [caseID, today]) ?? 0
            guard perDay == 0 || sentToday < perDay else { throw ComplaintError.tooManyToday }
            guard let area = try String.fetchOne(db, sql: "SELECT council_area FROM referral_case WHERE id = ?", arguments: [caseID]) else {
                throw StoreError.caseNotFound
            }
            let complaint = Complaint(id: AppDatabase.newID(), caseID: caseID, reference: current.reference, councilArea: area, kind: kind,
                                      receivedOn: today, respondedOn: nil, source: .family, hasText: text != nil,
                                      createdAt: now)
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            try AppDatabase.insert(db, complaint, text: try cipher.sealIfPresent(text, field: AppDatabase.complaintTextField(complaint.id)), createdBy: "family")
            try AppDatabase.recordFamilyEvent(db, current, action: kind == .complaint ? .complaint : .compliment, audit: .portal(kind), to: current.stage,
                                       detail: "complaint=\(complaint.id)", keys: keys, at: now)
            return complaint
        }
    }

    /// Every complaint and compliment of an area, newest received first.
    public func complaints(councilArea: String) async throws -> [Complaint] {
        try await reader.read { db in
            try AppDatabase.complaints(db, sql: "k.council_area = ? ORDER BY k.received_on DESC, k.created_at DESC", arguments: [councilArea])
        }
    }
}
