import Foundation
import GRDB
import ReconcileCore

// Finding a family from the search box: by reference, by exact email or phone through the blind indexes, or by
// name among the cases the searcher may open. Names are stored sealed, so a name search opens them; that runs on
// the slow-work pool (never on Swift's cooperative threads) over a bounded set, and the term is never stored.

/// One case found by a search: what the search box lists, with the contact name opened for the searcher.
public struct CaseSearchHit: Sendable, Equatable, Codable {
    public let id: CaseID
    public let reference: String
    public let stage: Stage
    public let receivedAt: Date
    /// The assignee's staff email, if assigned.
    public let assignedTo: String?
    /// The contact's name as the family gave it, if they gave one.
    public let name: String?
}

/// The cases a search found, newest first, at most `CaseSearch.limit`; `more` says others were left off.
public struct CaseSearchResult: Sendable, Equatable {
    public let way: String
    public let hits: [CaseSearchHit]
    public let more: Bool
}

public enum CaseSearch {
    /// Most cases one search lists: enough to pick a family, too few to page through a caseload.
    public static let limit = 20
}

/// A case read for a search, still sealed.
private struct SealedCandidate: Sendable {
    let id: CaseID
    let reference, stage: String
    let receivedAt: Date
    let assignee: String?
    let name: Data?
    let key: CaseKeyRecord?
}

extension AppDatabase {
    /// The cases a term may match, visible to the searcher, newest first, with their sealed name and wrapped key.
    fileprivate static func searchCandidates(_ db: Database, _ term: SearchTerm, practitioner: String?,
                                         keys: KeyRing) throws -> [SealedCandidate] {
        var conditions = ["c.erased_at IS NULL"]
        var arguments: StatementArguments = []
        // A practitioner's search is confined in SQL to their own cases: another family's case is never read.
        if let practitioner {
            conditions.append("c.assigned_to = ?")
            arguments += [practitioner]
        }
        var limit = CaseSearch.limit + 1
        switch term {
        case .reference(let reference):
            conditions.append("c.reference = ?")
            arguments += [reference]
        case .email(let value), .phone(let value):
            let column = term.way == "email" ? "email_index" : "phone_index"
            // The same keyed hash as at intake: the exact value or nothing (`serve` moves older indexes at start).
            conditions.append("c.\(column) = ?")
            arguments += [try keys.blindIndex(value, kind: term.way)]
        case .name:
            // Open cases only. A practitioner's, written as the v27 index's own condition, reads their open caseload
            // from it, never the years of closed cases behind it; a lead's reads the open stages of the stage index.
            conditions.append(practitioner == nil ? "c.stage IN ('received','acknowledged','listening','assessed','signposted')"
                                                  : "c.stage <> 'closed'")
            limit = -1
        }
        arguments += [limit]
        let openCaseload = practitioner != nil && term.way == "name"
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.id, c.reference, c.stage, c.received_at, s.email AS assignee, c.contact_name,
                   k.data_key_version, k.master_key_version, k.wrapped_key
            FROM referral_case c\(openCaseload ? " INDEXED BY referral_case_open_by_person" : "")
            LEFT JOIN staff_account s ON s.id = c.assigned_to
            LEFT JOIN case_key k ON k.case_id = c.id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY c.received_at DESC, c.id DESC
            LIMIT ?
            """, arguments: arguments)
        return try rows.map { row in
            let id: CaseID = try row.value("id")
            let wrapped: Data? = try row.value("wrapped_key")
            return SealedCandidate(
                id: id, reference: try row.value("reference"), stage: try row.value("stage"), receivedAt: try row.value("received_at"),
                assignee: try row.value("assignee"), name: try row.value("contact_name"),
                key: try wrapped.map { CaseKeyRecord(caseId: id, dataKeyVersion: try row.value("data_key_version"),
                                                     masterKeyVersion: try row.value("master_key_version"), wrappedKey: $0) })
        }
    }

    /// Opens each candidate's name and keeps those the term matches (every candidate, unless it is a name search).
    /// Stops one past the limit: that is enough to say there are more.
    fileprivate static func openCandidates(_ candidates: [SealedCandidate], term: SearchTerm, keys: KeyRing) throws -> [CaseSearchHit] {
        var hits: [CaseSearchHit] = []
        for candidate in candidates {
            guard let stage = Stage(rawValue: candidate.stage) else {
                throw StoreError.integrity("case \(candidate.id) has an unknown stage")
            }
            var name: String?
            if let sealed = candidate.name, let record = candidate.key {
                let key = try keys.unwrap([UInt8](record.wrappedKey), caseID: record.caseId,
                                          dataKeyVersion: record.dataKeyVersion, masterVersion: record.masterKeyVersion)
                name = try CaseCipher(caseID: record.caseId, dataKeyVersion: record.dataKeyVersion, key: key)
                    .open(sealed, field: PersonalField.name)
            }
            if case .name = term, !(name.map(term.matchesName) ?? false) { continue }
            hits.append(CaseSearchHit(id: candidate.id, reference: candidate.reference, stage: stage, receivedAt: candidate.receivedAt,
                                      assignedTo: candidate.assignee, name: name))
            if hits.count > CaseSearch.limit { break }
        }
        return hits
    }
}

extension DeskStore {
    /// Searches the cases `actor` may open: a practitioner only their assigned cases, a lead every case (by name, for
    /// both, only the open ones: a name search opens every candidate's name, and a closed case is found by its
    /// reference, email or phone); admin and council are refused. One "case.search" audit row is written before anything is
    /// returned, naming the way and the count, never the term.
    public func searchCases(_ term: SearchTerm, by actor: StaffActor, pool: SlowWorkPool,
                            now: Date = Date()) async throws -> CaseSearchResult {
        guard actor.role.mayWorkCases else { throw CaseAccessError.forbidden }
        let practitioner: String? = actor.role == .practitioner ? actor.id : nil
        let candidates = try await reader.read { db in try AppDatabase.searchCandidates(db, term, practitioner: practitioner, keys: keys) }
        // Opening names (and, for a name search, every candidate's) is CPU work that grows with a lead's open cases.
        let opened = try await pool.run { try AppDatabase.openCandidates(candidates, term: term, keys: keys) }
        let hits = Array(opened.prefix(CaseSearch.limit))
        try await writer.write { db in
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .caseSearch,
                                                detail: "way=\(term.way) results=\(hits.count)"), at: now, keys: keys)
        }
        return CaseSearchResult(way: term.way, hits: hits, more: opened.count > CaseSearch.limit)
    }
}
