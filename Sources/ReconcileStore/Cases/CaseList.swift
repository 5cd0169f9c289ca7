import Foundation
import GRDB
import ReconcileCore

// The staff work list: one page of case summaries (no personal fields), newest first, with keyset paging.

/// One line of the work list. Holds no personal field.
public struct CaseSummary: Sendable, Equatable, Codable {
    public let id: CaseID
    public let reference: String
    public let stage: Stage
    public let councilArea: String
    public let receivedAt: Date
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    /// Still `received` and past the acknowledgement target.
    public let overdue: Bool
    /// Messages from the family not yet seen by staff (marked read when the case is opened in `caseDetail`).
    public let unreadReplies: Int
    /// The family asked from the portal to come back to this closed case; cleared when a lead reopens it.
    public var askedToComeBack = false

    public init(id: CaseID, reference: String, stage: Stage, councilArea: String, receivedAt: Date,
                assignedTo: String?, overdue: Bool, unreadReplies: Int = 0) {
        self.id = id
        self.reference = reference
        self.stage = stage
        self.councilArea = councilArea
        self.receivedAt = receivedAt
        self.assignedTo = assignedTo
        self.overdue = overdue
        self.unreadReplies = unreadReplies
    }
}

/// Narrows the work list. A practitioner's list is always only their own cases; a filter cannot widen it.
public struct CaseListFilter: Sendable, Equatable {
    public var stage: Stage?
    /// A staff account id.
    public var assignedTo: String?
    public var unassigned: Bool
    public var overdue: Bool?
    /// Only closed cases whose family has asked to come back (the leads' list of returns).
    public var askedToComeBack = false

    public init(stage: Stage? = nil, assignedTo: String? = nil, unassigned: Bool = false, overdue: Bool? = nil) {
        self.stage = stage
        self.assignedTo = assignedTo
        self.unassigned = unassigned
        self.overdue = overdue
    }
}

/// One page of the work list, newest first. `nextCursor` is nil on the last page.
public struct CaseListPage: Sendable, Equatable {
    public let cases: [CaseSummary]
    public let nextCursor: String?

    public init(cases: [CaseSummary], nextCursor: String?) {
        self.cases = cases
        self.nextCursor = nextCursor
    }
}

/// What the work-list query reads of one case. The stage stays text so an unknown one is named as an integrity
/// problem; `receivedText` is `received_at` exactly as stored, for the cursor.
private struct WorkListRow: Decodable, FetchableRecord {
    var id: CaseID
    var reference: String
    var stage: String
    var councilArea: String
    var receivedAt: Date
    var receivedText: String
    var assigneeEmail: String?
    var unreadReplies: Int
    var askedToComeBack: Bool

    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

/// The position after which the next page starts: the last case's `received_at` exactly as stored, and id.
struct CaseListCursor: Equatable {
    let receivedAt: String
    let id: String

    var encoded: String {
        Data("v1|\(receivedAt)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(receivedAt: String, id: String) {
        self.receivedAt = receivedAt
        self.id = id
    }

    /// Only what `encoded` produces is accepted: bounded, base64url, three parts, a GRDB timestamp, an id.
    init(decoding text: String) throws {
        guard (1...200).contains(text.utf8.count),
              text.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                  || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw WorkflowError.invalidCursor
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else {
            throw WorkflowError.invalidCursor
        }
        let parts = plain.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "v1",
              parts[1].range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$"#,
                             options: .regularExpression) != nil,
              parts[2].range(of: "^[0-9A-Za-z-]{1,64}$", options: .regularExpression) != nil else {
            throw WorkflowError.invalidCursor
        }
        receivedAt = parts[1]
        id = parts[2]
    }
}

extension CaseStore {
    // MARK: - Work list

    /// The work list, newest first (`received_at DESC, id DESC`), with keyset paging. Leads see every case;
    /// practitioners only those assigned to them; admin and council are refused. Erased cases are left out.
    public func caseList(filter: CaseListFilter, limit: Int, cursor: String?, by actor: StaffActor,
                         acknowledgementWorkingDays: Int, now: Date = Date()) async throws -> CaseListPage {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        let limit = min(max(limit, 1), 1000)
        let after = try cursor.map { try CaseListCursor(decoding: $0) }

        var conditions = ["c.erased_at IS NULL"]
        var arguments: [String] = []
        var stage = filter.stage
        if filter.overdue == true {
            // Only received cases can be overdue.
            if let s = stage, s != .received { return CaseListPage(cases: [], nextCursor: nil) }
            stage = .received
        }
        if let stage {
            conditions.append("c.stage = ?")
            arguments.append(stage.rawValue)
        }
        var assignee = filter.assignedTo
        if actor.role == .practitioner {
            if filter.unassigned || (assignee != nil && assignee != actor.id) { return CaseListPage(cases: [], nextCursor: nil) }
            assignee = actor.id
        }
        if filter.unassigned {
            if assignee != nil { return CaseListPage(cases: [], nextCursor: nil) }
            conditions.append("c.assigned_to IS NULL")
        }
        if let assignee {
            conditions.append("c.assigned_to = ?")
            arguments.append(assignee)
        }
        if filter.askedToComeBack { conditions.append("c.come_back_requested_at IS NOT NULL") }
        let baseConditions = conditions, baseArguments = arguments
        // Rows are read in batches and the overdue filter applied here: overdue depends on working days
        // (weekends), so it is not one SQL cutoff. Keep reading until a full page and one more are found.
        let batchSize = max(limit + 1, 200)

        return try await reader.read { db in
            var matches: [(summary: CaseSummary, position: CaseListCursor)] = []
            var position = after
            scanning: while true {
                var conditions = baseConditions, arguments = baseArguments
                if let position {
                    conditions.append("(c.received_at < ? OR (c.received_at = ? AND c.id < ?))")
                    arguments += [position.receivedAt, position.receivedAt, position.id]
                }
                let statementArguments = StatementArguments(arguments) + [batchSize]
                let rows = try WorkListRow.fetchAll(db, sql: """
                    SELECT c.id, c.reference, c.stage, c.council_area, c.received_at, c.received_at AS received_text,
                           s.email AS assignee_email, c.come_back_requested_at IS NOT NULL AS asked_to_come_back,
                           (SELECT COUNT(*) FROM case_message m
                            WHERE m.case_id = c.id AND m.sender = 'family' AND m.read_at IS NULL) AS unread_replies
                    FROM referral_case c LEFT JOIN staff_account s ON s.id = c.assigned_to
                    WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY c.received_at DESC, c.id DESC
                    LIMIT ?
                    """, arguments: statementArguments)
                for row in rows {
                    position = CaseListCursor(receivedAt: row.receivedText, id: row.id.rawValue)
                    guard let stage = Stage(rawValue: row.stage) else {
                        throw StoreError.integrity("case \(row.id) has an unknown stage")
                    }
                    let overdue = stage == .received
                        && WorkingDays.isOverdue(receivedAt: row.receivedAt, now: now, workingDays: acknowledgementWorkingDays)
                    if let wanted = filter.overdue, wanted != overdue { continue }
                    var summary = CaseSummary(id: row.id, reference: row.reference, stage: stage,
                                              councilArea: row.councilArea, receivedAt: row.receivedAt,
                                              assignedTo: row.assigneeEmail, overdue: overdue,
                                              unreadReplies: row.unreadReplies)
                    summary.askedToComeBack = row.askedToComeBack
                    matches.append((summary, CaseListCursor(receivedAt: row.receivedText, id: row.id.rawValue)))
                    if matches.count > limit { break scanning }
                }
                if rows.count < batchSize { break }
            }
            if matches.count > limit {
                return CaseListPage(cases: matches.prefix(limit).map(\.summary), nextCursor: matches[limit - 1].position.encoded)
            }
            return CaseListPage(cases: matches.map(\.summary), nextCursor: nil)
        }
    }
}
