import Foundation
import GRDB
import ReconcileCore

/// A statement as a lead reviews it: its words, any edit waiting for the family, and whether the identifying-detail
/// screen (the one that protects themes, and any postcode, phone number or email address) finds something in it.
public struct VoiceForReview: Sendable, Equatable {
    public let id: String
    public let status: VoiceStatus
    public let text: String
    public let proposedText: String?
    public let holdsIdentifyingDetail: Bool
    public let offeredAt: Date
}

/// What a lead's approval did: approved, or held because the words hold an identifying detail (the lead proposes an
/// edit; the family approves it; never silently).
public enum VoiceReviewOutcome: Sendable, Equatable { case approved, heldForEdit }

extension AppDatabase {
    /// Statements offered in [start, end) by families of the area who agreed to statistics (the report's count).
    static func voicesOffered(_ db: Database, councilArea: String, start: Date, end: Date) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM family_voice v CROSS JOIN referral_case c ON c.id = v.case_id
            WHERE v.council_area = ? AND c.consent_statistics = 1 AND v.offered_at >= ? AND v.offered_at < ?
            """, arguments: [councilArea, start, end]) ?? 0
    }

    /// Inside the release's write transaction: every statement the document carries must still be approved; each
    /// becomes released (its sealed text cleared: it now lives in the signed report). Any other state refuses the
    /// whole release, so a withdrawal that won the race is never released.
    static func markVoicesReleased(_ db: Database, ids: [String], releaseID: String, quarter: String) throws {
        guard !ids.isEmpty else { return }
        let statement = try db.makeStatement(sql: """
            UPDATE family_voice SET status = 'released', text = NULL, proposed_text = NULL, released_in = ?, released_quarter = ?
            WHERE id = ? AND status = 'approved'
            """)
        for id in ids {
            try statement.execute(arguments: [releaseID, quarter, id])
            guard db.changesCount == 1 else { throw VoiceError.changedDuringRelease }
        }
    }

    // MARK: - Helpers

    fileprivate static func openVoice(_ db: Database, id: String) throws -> VoiceRow {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM family_voice WHERE id = ?", arguments: [id]).map(voiceRow) else {
            throw VoiceError.notFound
        }
        if row.status == .released { throw VoiceError.alreadyReleased }
        if row.status == .withdrawn { throw VoiceError.withdrawn }
        return row
    }

    /// The themes' screen over the area's cases and the local schools.
    static func identifyingDetailScreen(_ db: Database, councilArea: String, schoolNames: [String], keys: KeyRing) throws -> PersonalValueScreen {
        var screen = PersonalValueScreen()
        for school in schoolNames { screen.add(schoolName: school) }
        let cursor = try CaseRecord.filter(CaseRecord.Columns.councilArea == councilArea).filter(sql: "erased_at IS NULL").fetchCursor(db)
        while let record = try cursor.next() {
            let cipher = try caseCipher(db, caseID: record.id, keys: keys)
            screen.add(name: try cipher.openIfPresent(record.contactName, field: PersonalField.name),
                       email: try cipher.openIfPresent(record.contactEmail, field: PersonalField.email),
                       phone: try cipher.openIfPresent(record.contactPhone, field: PersonalField.phone),
                       address: try cipher.openIfPresent(record.contactAddress, field: PersonalField.address))
        }
        return screen
    }

    /// The screen's match, or any postcode, email address or phone-length run of digits at all: a family's own words
    /// may name details the service never held.
    static func holdsIdentifyingDetail(_ text: String, _ screen: PersonalValueScreen) -> Bool {
        if screen.matches(text) || !PersonalValueScreen.postcodes(in: text).isEmpty || text.contains("@") { return true }
        var run = 0
        for scalar in text.unicodeScalars {
            if CharacterSet.decimalDigits.contains(scalar) { run += 1; if run >= 6 { return true } }
            else if !" -().+".unicodeScalars.contains(scalar) { run = 0 }
        }
        return false
    }
}

extension ReportStore {
    /// The area's statements still open (offered, held for an edit, approved and waiting), words opened, each screened.
    /// Leads only; the read is audited (ids and counts) before anything is returned.
    public func voicesForReview(councilArea: String, schoolNames: [String], by actor: StaffActor,
                                now: Date = Date()) async throws -> [VoiceForReview] {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await writer.write { db in
            let screen = try AppDatabase.identifyingDetailScreen(db, councilArea: councilArea, schoolNames: schoolNames, keys: keys)
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM family_voice WHERE council_area = ? AND status IN ('offered', 'held_for_edit', 'approved') ORDER BY offered_at, id
                """, arguments: [councilArea]).map(AppDatabase.voiceRow)
            let voices = try rows.map { row in
                let cipher = try AppDatabase.caseCipher(db, caseID: row.caseID, keys: keys)
                let text = try cipher.open(row.text ?? Data(), field: AppDatabase.voiceField("text", row.caseID))
                return VoiceForReview(id: row.id, status: row.status, text: text,
                                      proposedText: try cipher.openIfPresent(row.proposed, field: AppDatabase.voiceField("proposed_text", row.caseID)),
                                      holdsIdentifyingDetail: AppDatabase.holdsIdentifyingDetail(text, screen), offeredAt: row.offeredAt)
            }
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .voicesRead, detail: "area=\(councilArea),voices=\(voices.count)"),
                                 at: now, keys: keys)
            return voices
        }
    }

    /// A lead approves a statement. The screen runs first: words holding an identifying detail are held for the
    /// family's approval of an edit (`heldForEdit`), never approved as they are.
    public func approveVoice(id: String, schoolNames: [String], by actor: StaffActor, now: Date = Date()) async throws -> VoiceReviewOutcome {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        return try await writer.write { db in
            let row = try AppDatabase.openVoice(db, id: id)
            let text = try AppDatabase.caseCipher(db, caseID: row.caseID, keys: keys).open(row.text ?? Data(), field: AppDatabase.voiceField("text", row.caseID))
            let screen = try AppDatabase.identifyingDetailScreen(db, councilArea: row.councilArea, schoolNames: schoolNames, keys: keys)
            let outcome: VoiceReviewOutcome = AppDatabase.holdsIdentifyingDetail(text, screen) ? .heldForEdit : .approved
            try db.execute(sql: """
                UPDATE family_voice SET status = ?, proposed_text = CASE WHEN ? = 'approved' THEN NULL ELSE proposed_text END,
                    reviewed_at = ?, reviewed_by = ? WHERE id = ?
                """, arguments: [outcome == .approved ? "approved" : "held_for_edit", outcome == .approved ? "approved" : "held", now, actor.id, id])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .voiceReview, caseID: row.caseID,
                                                detail: "voice=\(id),outcome=\(outcome == .approved ? "approved" : "held_for_edit")"), at: now, keys: keys)
            return outcome
        }
    }

    /// A lead proposes an edit taking out an identifying detail; the statement waits for the family's approval.
    /// The edit itself must pass the screen.
    public func proposeVoiceEdit(id: String, text: String, schoolNames: [String], by actor: StaffActor,
                                 now: Date = Date()) async throws {
        guard actor.role == .lead else { throw CaseAccessError.forbidden }
        let text = try AppDatabase.cleanVoice(text)
        try await writer.write { db in
            let row = try AppDatabase.openVoice(db, id: id)
            let screen = try AppDatabase.identifyingDetailScreen(db, councilArea: row.councilArea, schoolNames: schoolNames, keys: keys)
            guard !AppDatabase.holdsIdentifyingDetail(text, screen) else { throw VoiceError.editHoldsIdentifyingDetail }
            let sealed = try AppDatabase.caseCipher(db, caseID: row.caseID, keys: keys).seal(text, field: AppDatabase.voiceField("proposed_text", row.caseID))
            try db.execute(sql: "UPDATE family_voice SET status = 'held_for_edit', proposed_text = ?, reviewed_at = ?, reviewed_by = ? WHERE id = ?",
                           arguments: [sealed, now, actor.id, id])
            try AppDatabase.appendAudit(db, AuditEntry(actor: actor.id, action: .voiceProposeEdit, caseID: row.caseID, detail: "voice=\(id)"),
                                 at: now, keys: keys)
        }
    }

    /// The area's approved statements, opened, for a release being built (nothing is stored).
    public func approvedVoices(councilArea: String) async throws -> [(id: String, text: String)] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM family_voice WHERE council_area = ? AND status = 'approved' ORDER BY id",
                             arguments: [councilArea]).map(AppDatabase.voiceRow).map { row in
                (row.id, try AppDatabase.caseCipher(db, caseID: row.caseID, keys: keys).open(row.text ?? Data(), field: AppDatabase.voiceField("text", row.caseID)))
            }
        }
    }
}
