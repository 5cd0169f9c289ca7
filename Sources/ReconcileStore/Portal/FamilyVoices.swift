import Foundation
import GRDB
import ReconcileCore

/// A family's statement for the council as they see it: exactly the text that would go, where it is up to, and a
/// lead's proposed edit waiting for their approval.
public struct FamilyVoiceView: Sendable, Equatable {
    public let id: String
    public let status: VoiceStatus
    /// nil once released (it lives in the signed report) or withdrawn.
    public let text: String?
    public let proposedText: String?
    public let consentAt: Date
    public let releasedQuarter: String?
}

/// Who offers or changes a statement: the family in the portal, or their practitioner with them.
public enum VoiceAuthor: Sendable {
    case family
    case staff(StaffActor)
}

/// A statement refused. Nothing is changed.
public enum VoiceError: Error, Equatable {
    /// The separate, explicit consent was not given.
    case consentRequired
    case empty, tooLong, invalidCharacters
    /// No statement on this case (or no such statement for a lead).
    case notFound
    /// Released words cannot be changed or taken back.
    case alreadyReleased
    /// No edit from a lead is waiting for the family's approval.
    case noEditProposed
    /// A withdrawn statement cannot be approved or edited.
    case withdrawn
    /// A lead's proposed edit still holds an identifying detail.
    case editHoldsIdentifyingDetail
    /// A statement changed (withdrawn, edited) while a release was being made: the release is refused, try again.
    case changedDuringRelease
}

extension AppDatabase {
    /// Bound to the case: a sealed statement copied to another case's row fails to open.
    static func voiceField(_ column: String, _ caseID: CaseID) -> String { "family_voice.\(column)/\(caseID)" }

    /// Trimmed, within the limit, no control or direction-changing characters.
    static func cleanVoice(_ text: String) throws -> String {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw VoiceError.empty }
        guard !FreeText.isTooLong(text, max: VoiceLimits.text) else { throw VoiceError.tooLong }
        guard !FreeText.hasForbiddenCharacters(text, multiline: true) else { throw VoiceError.invalidCharacters }
        return text
    }

    // MARK: - Helpers

    struct VoiceRow {
        let id: String
        let status: VoiceStatus
        let text, proposed: Data?
        let consentAt, offeredAt: Date
        let releasedQuarter: String?
        let caseID: CaseID, councilArea: String
    }

    static func voiceRow(_ db: Database, caseID: CaseID) throws -> VoiceRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM family_voice WHERE case_id = ?", arguments: [caseID]).map(voiceRow)
    }

    static func voiceRow(_ row: Row) throws -> VoiceRow {
        guard let status = VoiceStatus(rawValue: try row.value("status")) else { throw StoreError.integrity("a statement has an unknown status") }
        return VoiceRow(id: try row.value("id"), status: status, text: try row.value("text"), proposed: try row.value("proposed_text"),
                        consentAt: try row.value("consent_at"), offeredAt: try row.value("offered_at"), releasedQuarter: try row.value("released_quarter"),
                        caseID: try row.value("case_id"), councilArea: try row.value("council_area"))
    }

    /// The case as the author may touch it: the family's own (not erased), or one the practitioner works.
    static func voiceCase(_ db: Database, caseID: CaseID, by author: VoiceAuthor) throws -> (stage: Stage, portal: PortalCase?, staff: WorkableCase?) {
        switch author {
        case .family:
            let current = try portalCase(db, caseID: caseID)
            return (current.stage, current, nil)
        case .staff(let actor):
            let current = try workableCase(db, caseID: caseID, by: actor)
            return (current.stage, nil, current)
        }
    }

    /// A case event and audit row with ids only: a statement's words are never in either.
    static func recordVoiceEvent(_ db: Database, _ record: (stage: Stage, portal: PortalCase?, staff: WorkableCase?), author: VoiceAuthor,
                                 action: CaseEvent, detail: String, keys: KeyRing, at: Date) throws {
        if case .staff(let actor) = author, let current = record.staff {
            try recordEvent(db, current, actor: actor, action: action, to: current.stage, detail: detail,
                            note: nil, keys: keys, at: at)
        } else if let current = record.portal {
            try recordFamilyEvent(db, current, action: action, audit: .portalVoice(action), to: current.stage, detail: detail, keys: keys, at: at)
        }
    }
}

extension PortalStore {
    /// The family (or their practitioner with them) offers their words, with consent, or changes them: a changed
    /// text goes back to the lead for review. Refused once released. One statement per case, one write transaction.
    @discardableResult
    public func offerVoice(caseID: CaseID, text: String, consent: Bool, by author: VoiceAuthor,
                           now: Date = Date()) async throws -> CaseChange {
        guard consent else { throw VoiceError.consentRequired }
        let text = try AppDatabase.cleanVoice(text)
        return try await writer.write { db in
            let record = try AppDatabase.voiceCase(db, caseID: caseID, by: author)
            let existing = try AppDatabase.voiceRow(db, caseID: caseID)
            if existing?.status == .released { throw VoiceError.alreadyReleased }
            let id = existing?.id ?? AppDatabase.newID()
            let sealed = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys).seal(text, field: AppDatabase.voiceField("text", caseID))
            let area = try String.fetchOne(db, sql: "SELECT council_area FROM referral_case WHERE id = ?", arguments: [caseID]) ?? ""
            let by: String = if case .staff(let actor) = author { actor.id } else { "family" }
            try db.execute(sql: """
                INSERT INTO family_voice (case_id, id, council_area, status, text, proposed_text, consent_at, offered_at, offered_by)
                VALUES (?, ?, ?, 'offered', ?, NULL, ?, ?, ?)
                ON CONFLICT (case_id) DO UPDATE SET status = 'offered', text = excluded.text, proposed_text = NULL,
                    consent_at = excluded.consent_at, offered_at = excluded.offered_at, offered_by = excluded.offered_by,
                    reviewed_at = NULL, reviewed_by = NULL
                """, arguments: [caseID, id, area, sealed, now, now, by])
            try AppDatabase.recordVoiceEvent(db, record, author: author, action: .voiceOffered, detail: "voice=\(id)", keys: keys, at: now)
            return CaseChange(stage: record.stage)
        }
    }

    /// The family's statement as they see it, opened; nil when there is none.
    public func familyVoice(caseID: CaseID, by author: VoiceAuthor = .family) async throws -> FamilyVoiceView? {
        try await reader.read { db in
            _ = try AppDatabase.voiceCase(db, caseID: caseID, by: author)
            guard let row = try AppDatabase.voiceRow(db, caseID: caseID) else { return nil }
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            return FamilyVoiceView(id: row.id, status: row.status, text: try cipher.openIfPresent(row.text, field: AppDatabase.voiceField("text", caseID)),
                                   proposedText: try cipher.openIfPresent(row.proposed, field: AppDatabase.voiceField("proposed_text", caseID)),
                                   consentAt: row.consentAt, releasedQuarter: row.releasedQuarter)
        }
    }

    /// The family takes their words back, at any time before release: the text is cleared at once. Refused once
    /// released (`alreadyReleased`): a release and a withdrawal of the same words never both happen, as both are
    /// decided in one write transaction each and the release checks every statement it carries is still approved.
    public func withdrawVoice(caseID: CaseID, by author: VoiceAuthor = .family, now: Date = Date()) async throws {
        try await writer.write { db in
            let record = try AppDatabase.voiceCase(db, caseID: caseID, by: author)
            guard let row = try AppDatabase.voiceRow(db, caseID: caseID), row.status != .withdrawn else { throw VoiceError.notFound }
            guard row.status != .released else { throw VoiceError.alreadyReleased }
            try db.execute(sql: "UPDATE family_voice SET status = 'withdrawn', text = NULL, proposed_text = NULL WHERE case_id = ? AND status != 'released'",
                           arguments: [caseID])
            guard db.changesCount == 1 else { throw VoiceError.alreadyReleased }
            try AppDatabase.recordVoiceEvent(db, record, author: author, action: .voiceWithdrawn, detail: "voice=\(row.id)", keys: keys, at: now)
        }
    }

    /// The family approves the lead's proposed edit (or their practitioner records that they did): the edit becomes
    /// the text and the statement is approved.
    @discardableResult
    public func acceptVoiceEdit(caseID: CaseID, by author: VoiceAuthor = .family, now: Date = Date()) async throws -> CaseChange {
        try await writer.write { db in
            let record = try AppDatabase.voiceCase(db, caseID: caseID, by: author)
            guard let row = try AppDatabase.voiceRow(db, caseID: caseID), row.status != .withdrawn else { throw VoiceError.notFound }
            guard row.status != .released else { throw VoiceError.alreadyReleased }
            guard row.status == .heldForEdit, let proposed = row.proposed else { throw VoiceError.noEditProposed }
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let text = try cipher.open(proposed, field: AppDatabase.voiceField("proposed_text", caseID))
            try db.execute(sql: "UPDATE family_voice SET status = 'approved', text = ?, proposed_text = NULL WHERE case_id = ?",
                           arguments: [try cipher.seal(text, field: AppDatabase.voiceField("text", caseID)), caseID])
            try AppDatabase.recordVoiceEvent(db, record, author: author, action: .voiceEditAccepted, detail: "voice=\(row.id)", keys: keys, at: now)
            return CaseChange(stage: record.stage)
        }
    }
}
