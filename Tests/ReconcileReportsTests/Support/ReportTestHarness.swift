import Foundation
import GRDB
import ReconcileCore
import ReconcileReports
import Sodium
import Testing
@testable import ReconcileStore

/// An in-memory database with a lead inserted directly, cases made with `createCase` and worked with the
/// store's workflow writes at explicit dates, and a report builder over it.
struct ReportHarness {
    let db: AppDatabase
    let keys = KeyRing.ephemeral()
    var stores: Stores { Stores(database: db, keys: keys) }
    let settings = Settings()
    let policy = DisclosurePolicy()
    let lead: StaffActor

    /// A service that meets every need, so any signpost is allowed.
    static let everything = Service(id: "everything", name: "Everything", description: "Test service.", needs: Need.allCases,
                                    areas: ["national"], howToReach: "to be confirmed by the partner")

    init() throws {
        db = try AppDatabase.inMemory()
        let id = UUID().uuidString.lowercased()
        try db.writer.write { db in
            try db.execute(sql: """
                INSERT INTO staff_account (id, email, role, council_area, password_hash, totp_secret, totp_key_version, created_at)
                VALUES (?, ?, 'lead', NULL, '$argon2id$dummy', X'00', 1, ?)
                """, arguments: [id, "lead-\(id.prefix(8))@partner.example", Date()])
        }
        lead = StaffActor(id: id, role: .lead)
    }

    var builder: ReportBuilder { ReportBuilder(reports: stores.reports, settings: settings, policy: policy) }

    static func date(_ iso: String) -> Date {
        if let d = ISO8601DateFormatter().date(from: iso) { return d }
        return ISO8601DateFormatter().date(from: iso + "T12:00:00Z")!
    }

    static func reference() -> String {
        let alphabet = Array("23456789ABCDEFGHJKMNPQRSTVWXYZ")
        let part = { String((0..<4).map { _ in alphabet.randomElement()! }) }
        return "RS-\(part())-\(part())"
    }

    @discardableResult
    func newCase(_ received: String, area: String = "shropshire", consent: Bool = true,
                 role: ReferrerRole = .parentOrCarer, setting: ReconcileCore.Setting = .secondary,
                 harm: [Harm] = [.sexualAssault], when: HowLongAgo = .underOneYear, told: [ToldBefore] = [.school],
                 wishes: [Wish] = [.toBeListenedTo], name: String? = nil, email: String? = nil, phone: String? = nil,
                 address: String? = nil) async throws -> CaseID {
        let n = UUID().uuidString.prefix(6).lowercased()
        let contact = ContactDetails(name: name ?? "Test Person \(n)", email: email ?? "test-\(n)@example.invalid",
                                     phone: phone, address: address, preference: .email, safeToLeaveMessage: false)
        let referral = Referral(contact: contact, story: "test story", councilArea: area, referrerRole: role, setting: setting,
                                harm: harm, howLongAgo: when, toldBefore: told, wishes: wishes, consentToStatistics: consent)
        return try await IntakeStore(db, keys).createCase(referral, reference: Self.reference(), passphraseHash: "h", receivedAt: Self.date(received)).id
    }

    func acknowledge(_ id: CaseID, _ at: String) async throws {
        _ = try await CaseStore(db, keys).acknowledge(caseID: id, method: .phone, note: nil, by: lead, now: Self.date(at))
    }

    /// A listening session held on the (London) day of `on`, recorded at that moment.
    func listen(_ id: CaseID, _ on: String) async throws {
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: id, heldOn: String(on.prefix(10)), durationMinutes: 45, modality: .phone,
                                                note: nil, by: lead, now: Self.date(on))
    }

    func assess(_ id: CaseID, _ at: String, level: LevelOfNeed, needs: [Need]) async throws {
        _ = try await CaseStore(db, keys).recordAssessment(caseID: id, level: level, needs: needs, note: nil, by: lead, now: Self.date(at))
    }

    @discardableResult
    func signpost(_ id: CaseID, _ at: String, need: Need) async throws -> String {
        try await CaseStore(db, keys).addSignpost(caseID: id, service: Self.everything, need: need, note: nil, by: lead, now: Self.date(at)).recordID!
    }

    func outcome(_ id: CaseID, _ signpost: String, _ outcome: SignpostOutcome, _ at: String) async throws {
        try await CaseStore(db, keys).recordSignpostOutcome(caseID: id, signpostID: signpost, outcome: outcome, by: lead, now: Self.date(at))
    }

    func safeguard(_ id: CaseID, _ at: String) async throws {
        _ = try await CaseStore(db, keys).recordSafeguarding(caseID: id, route: .socialCare, note: nil, by: lead, now: Self.date(at))
    }

    func close(_ id: CaseID, _ reason: CloseReason, _ at: String) async throws {
        try await CaseStore(db, keys).close(caseID: id, reason: reason, note: nil, by: lead, now: Self.date(at))
    }

    /// Crypto-shreds a case the way erasure does: key and personal columns gone, statistics kept.
    /// Family feedback given at `at`.
    func feedback(_ id: CaseID, _ at: String, listenedTo: Int? = nil, believed: Int? = nil, helpWasRight: Int? = nil,
                  comment: String? = nil) async throws {
        var scores: [FeedbackQuestion: Int] = [:]
        scores[.listenedTo] = listenedTo
        scores[.believed] = believed
        scores[.helpWasRight] = helpWasRight
        try await PortalStore(db, keys).giveFeedback(caseID: id, scores: scores, comment: comment, quarterStartMonth: settings.reporting.quarterStartMonth, now: Self.date(at))
    }

    /// A complaint or compliment recorded by the lead (`received`/`responded` are London dates).
    @discardableResult
    func complaint(_ kind: ComplaintKind, received: String, responded: String? = nil, caseID: CaseID? = nil,
                   area: String = "shropshire") async throws -> Complaint {
        try await ReportStore(db, keys).addComplaint(caseID: caseID, reference: nil, councilArea: caseID == nil ? area : nil, kind: kind, receivedOn: received,
                                  respondedOn: responded, councilAreas: settings.areas.councilAreas, by: lead,
                                  now: Self.date("2026-01-01T12:00:00Z"))
    }

    /// A meeting the family asked for at `at`; its id.
    @discardableResult
    func meeting(_ id: CaseID, _ at: String, with party: MeetingParty = .schoolOrCollege) async throws -> String {
        try await CaseStore(db, keys).requestMeeting(caseID: id, party: party, note: nil, by: lead, now: Self.date(at)).recordID!
    }

    /// A meeting's course at `at` (held on that day when `status` is held), and the family's "did it help".
    func meeting(_ id: CaseID, _ meeting: String, _ status: MeetingStatus, _ at: String, helped: Int? = nil) async throws {
        let update = MeetingUpdate(status: status, heldOn: status == .held ? String(at.prefix(10)) : nil, helped: helped)
        try await CaseStore(db, keys).updateMeeting(caseID: id, meetingID: meeting, update, by: lead, now: Self.date(at))
    }

    func erase(_ id: CaseID) throws {
        try db.writer.write { db in
            try db.execute(sql: "DELETE FROM case_key WHERE case_id = ?", arguments: [id])
            try db.execute(sql: """
                UPDATE referral_case SET contact_name = NULL, contact_email = NULL, contact_phone = NULL, contact_address = NULL,
                    contact_preference = NULL, contact_safe_to_leave_message = NULL, contact_safe_times = NULL, story = NULL,
                    email_index = NULL, phone_index = NULL, erased_at = ? WHERE id = ?
                """, arguments: [Date(), id])
        }
    }

    /// The directory shipped in `policies/services.json`.
    static func shippedDirectory() throws -> ServiceDirectory {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("policies/services.json")
        return try ServiceDirectory.load(from: url, councilAreas: Settings().areas.councilAreas)
    }
}

/// The parsed document as a plain JSON object.
func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

/// Every count a document publishes: each table cell and total, and the headline counts (not the median or
/// the percentage, which are not counts), as (place, value) with value nil for anything not a number.
func publishedCounts(_ bytes: [UInt8]) throws -> [(String, Any)] {
    let root = try jsonObject(bytes)
    var out: [(String, Any)] = []
    let figures = try #require(root["figures"] as? [String: Any])
    for (name, value) in figures where !["median_days_to_acknowledge", "acknowledged_within_target_percent"].contains(name) {
        out.append(("figures.\(name)", value))
    }
    let tables = try #require(root["tables"] as? [String: [String: Any]])
    for (table, cells) in tables {
        for (category, value) in cells { out.append(("\(table).\(category)", value)) }
    }
    return out
}

/// The places whose published value is a number from 1 to 4.
func smallCounts(_ bytes: [UInt8]) throws -> [String] {
    try publishedCounts(bytes).compactMap { place, value in
        guard let n = value as? NSNumber, !(value is String), (1...4).contains(n.doubleValue) else { return nil }
        return place
    }
}

/// Runs `verify_signature.py` (PyNaCl) on a report file, a signature file and a public key; returns its exit status.
func pythonVerify(document: [UInt8], signature: String, publicKey: String) throws -> Int32 {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-verify-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let report = directory.appendingPathComponent("report.json"), signatureFile = directory.appendingPathComponent("report.sig")
    try Data(document).write(to: report)
    try Data((signature + "\n").utf8).write(to: signatureFile)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("verify_signature.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path, report.path, signatureFile.path, publicKey]
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    _ = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    // 0 valid, 1 not valid; anything else (missing python3 or PyNaCl) is a failure of the test, not a skip.
    if process.terminationStatus > 1 {
        Issue.record("verify_signature.py failed (is PyNaCl installed?): \(String(decoding: err, as: UTF8.self))")
    }
    return process.terminationStatus
}
