import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// A database with staff accounts inserted directly (independent of the staff-account API) and helpers to
/// bring a case to any stage and to snapshot every table a workflow write may touch.
struct WorkflowHarness {
    let db: AppDatabase
    let keys = KeyRing.ephemeral()
    var stores: Stores { Stores(database: db, keys: keys) }
    static let workingDays = 2
    /// Wednesday 11 March 2026, noon in London (GMT).
    static let now = date("2026-03-11T12:00:00Z")
    static let nspcc = Service(id: "nspcc", name: "NSPCC", description: "Support for children and families.",
                               needs: [.counselling, .emotionalSupport, .familySupport], areas: ["national"],
                               howToReach: "to be confirmed by the partner")
    static let legal = Service(id: "legal_advice", name: "Independent legal advice", description: "Legal advice.",
                               needs: [.independentLegalAdvice], areas: ["national"], howToReach: "to be confirmed by the partner")

    init(_ db: AppDatabase? = nil) throws {
        self.db = try db ?? AppDatabase.inMemory()
    }

    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @discardableResult
    func staff(_ role: StaffRole, email: String? = nil, disabled: Bool = false) throws -> StaffActor {
        let id = UUID().uuidString.lowercased()
        let email = email ?? "\(role.rawValue)-\(id.prefix(8))@partner.example"
        try db.writer.write { db in
            try db.execute(sql: """
                INSERT INTO staff_account (id, email, role, council_area, password_hash, totp_secret, totp_key_version,
                                           created_at, disabled_at)
                VALUES (?, ?, ?, ?, '$argon2id$dummy', X'00', 1, ?, ?)
                """, arguments: [id, email, role.rawValue, role == .council ? "shropshire" : nil, Date(),
                                 disabled ? Date() : nil])
        }
        return StaffActor(id: id, role: role)
    }

    func email(_ actor: StaffActor) throws -> String {
        try db.reader.read { db in try String.fetchOne(db, sql: "SELECT email FROM staff_account WHERE id = ?", arguments: [actor.id])! }
    }

    func newCase(receivedAt: Date = WorkflowHarness.now.addingTimeInterval(-3600), canary: String? = nil) async throws -> CaseID {
        let referral = canary.map { Fixtures.referral(canary: $0) } ?? Fixtures.referral()
        return try await IntakeStore(db, keys).createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: receivedAt).id
    }

    func stage(_ caseID: CaseID) throws -> Stage {
        try IntakeStore(db, keys).caseRecord(id: caseID)!.stage
    }

    /// A new case walked to `stage` by `lead`; returns its id and (from `signposted` on) a signpost id.
    func caseAt(_ stage: Stage, by lead: StaffActor, closeReason: CloseReason = .completed) async throws -> (id: CaseID, signpost: String?) {
        let id = try await newCase()
        let now = Self.now
        if stage == .received { return (id, nil) }
        if stage == .closed && closeReason != .completed {
            try await CaseStore(db, keys).close(caseID: id, reason: closeReason, note: nil, by: lead, now: now)
            return (id, nil)
        }
        _ = try await CaseStore(db, keys).acknowledge(caseID: id, method: .phone, note: nil, by: lead, now: now)
        if stage == .acknowledged { return (id, nil) }
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 45, modality: .phone,
                                                note: nil, by: lead, now: now)
        if stage == .listening { return (id, nil) }
        _ = try await CaseStore(db, keys).recordAssessment(caseID: id, level: .additional, needs: [.counselling], note: nil, by: lead, now: now)
        if stage == .assessed { return (id, nil) }
        let signpost = try await CaseStore(db, keys).addSignpost(caseID: id, service: Self.nspcc, need: .counselling, note: nil, by: lead, now: now).recordID!
        if stage == .signposted { return (id, signpost) }
        try await CaseStore(db, keys).close(caseID: id, reason: .completed, note: nil, by: lead, now: now)
        return (id, signpost)
    }

    static let tables = ["referral_case", "case_key", "case_event", "listening_session", "assessment", "signpost",
                         "safeguarding_escalation", "case_message", "audit_log", "audit_head"]

    /// Every row of every table a workflow write may touch, to show that a refused call changed nothing.
    func snapshot() throws -> [String: [Row]] {
        try db.reader.read { db in
            var all: [String: [Row]] = [:]
            for table in Self.tables { all[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") }
            return all
        }
    }
}

/// Runs `body`, expecting it to throw `expected`, and checks that the database is exactly as before.
func expectRefusedUnchanged<E: Error & Equatable>(
    _ h: WorkflowHarness, _ expected: E, _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async throws {
    let before = try h.snapshot()
    do {
        try await body()
        Issue.record("\(label): expected \(expected), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, "\(label)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(label): expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
    #expect(try h.snapshot() == before, "\(label): a refused call changed the database", sourceLocation: sourceLocation)
}

/// As `expectRefusedUnchanged`, for any `TransitionRefused`.
func expectTransitionRefused(
    _ h: WorkflowHarness, _ label: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async throws {
    let before = try h.snapshot()
    do {
        try await body()
        Issue.record("\(label): expected TransitionRefused, but it succeeded", sourceLocation: sourceLocation)
    } catch is TransitionRefused {
    } catch {
        Issue.record("\(label): expected TransitionRefused, got \(error)", sourceLocation: sourceLocation)
    }
    #expect(try h.snapshot() == before, "\(label): a refused transition changed the database", sourceLocation: sourceLocation)
}

extension WorkflowHarness {
    /// Today's date in London as `YYYY-MM-DD`, for listening sessions recorded "now".
    static func londonDate(_ date: Date) -> String { WorkingDays.londonDate(date) }
}
