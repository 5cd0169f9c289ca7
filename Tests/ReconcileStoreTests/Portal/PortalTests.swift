import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

extension WorkflowHarness {
    /// A referral made through intake (so it has a real keyed passphrase verifier), with canary values.
    func referral(canary: String = "CANARY-\(UUID().uuidString)", at: Date = WorkflowHarness.now,
                  idempotencyKey: String? = nil) async throws -> IntakeReceipt {
        let claim = try idempotencyKey.map { try IdempotencyClaim(key: $0, body: Array($0.utf8), keys: keys) }
        return try await IntakeStore(db, keys).submitReferral(Fixtures.referral(canary: canary), idempotency: claim,
                                           now: at)
    }

    func auditActions(_ caseID: CaseID) throws -> [String] {
        try AuditStore(db, keys).auditEntries(caseID: caseID).map(\.action)
    }

    func unread(_ caseID: CaseID, by actor: StaffActor) async throws -> Int? {
        let page = try await CaseStore(db, keys).caseList(filter: .init(), limit: 1000, cursor: nil, by: actor, acknowledgementWorkingDays: 2, now: Self.now)
        return page.cases.first { $0.id == caseID }?.unreadReplies
    }
}

@Suite struct PortalSignInTests {
    typealias H = WorkflowHarness

    @Test func theRealPassphraseSignsInHoweverItIsTyped() async throws {
        let h = try H()
        let receipt = try await h.referral()
        let words = receipt.passphrase.split(separator: "-").map(String.init)
        let typings = [
            receipt.passphrase,
            words.joined(separator: " "),
            "  " + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "   ") + " ",
            words.joined(separator: ", ").uppercased(),
        ]
        let references = [receipt.reference, " \(receipt.reference.lowercased()) ", receipt.reference.replacingOccurrences(of: "-", with: "- ")]
        for (i, typed) in typings.enumerated() {
            let reference = references[i % references.count]
            let session = try await h.stores.portal.portalSignIn(reference: reference, passphrase: typed, now: H.now)
            #expect(session.caseID == receipt.caseID)
            #expect(session.token.count == 43)
            #expect(!String(describing: session).contains(session.token), "the token is never printed")
            #expect(try await h.stores.portal.portalSession(token: session.token, now: H.now) == receipt.caseID)
        }
        let signIns = try h.stores.audit.auditEntries(caseID: receipt.caseID).filter { $0.action == "portal.sign_in" }
        #expect(signIns.count == typings.count)
        #expect(signIns.allSatisfy { $0.actor == "family:\(receipt.caseID)" })
        // Only the keyed hash of a token is stored.
        let stored = try await h.db.reader.read { db in try Data.fetchAll(db, sql: "SELECT token_hash FROM portal_session") }
        #expect(stored.count == typings.count && stored.allSatisfy { $0.count == 32 })
    }

    @Test func wrongPassphraseUnknownReferenceAndErasedCaseAllLookTheSame() async throws {
        let h = try H()
        let receipt = try await h.referral()
        let erased = try await h.referral()
        try await h.db.writer.write { db in try AppDatabase.erase(db, caseID: erased.caseID, reason: "request", keys: h.keys, at: H.now) }

        let attempts: [(String, String, String)] = [
            ("wrong passphrase", receipt.reference, "maple-river-lantern-moss-acorn-cloud"),
            ("empty passphrase", receipt.reference, ""),
            ("unknown reference", "RS-2345-6789", receipt.passphrase),
            ("malformed reference", "not a reference", receipt.passphrase),
            ("erased case, right passphrase", erased.reference, erased.passphrase),
        ]
        for (label, reference, passphrase) in attempts {
            await #expect(throws: PortalAuthError.invalidCredentials, "\(label)") {
                _ = try await h.stores.portal.portalSignIn(reference: reference, passphrase: passphrase, now: H.now)
            }
        }
        let failed = try await h.db.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT actor, detail FROM audit_log WHERE action = 'portal.sign_in_failed' ORDER BY seq")
                .map { "\($0["actor"] as String) \($0["detail"] as String)" }
        }
        #expect(failed == [
            "family:\(receipt.caseID) passphrase", "family:\(receipt.caseID) passphrase",
            "unknown unknown_reference", "unknown malformed_reference", "family:\(erased.caseID) erased",
        ])
        #expect(try await h.db.reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM portal_session") } == 0)
    }

    @Test func sessionsEndWhenIdleTooOldSignedOutOrErased() async throws {
        let h = try H()
        let receipt = try await h.referral()
        let policy = PortalSessionPolicy()
        #expect(policy.idle == 20 * 60 && policy.absolute == 2 * 3600)
        func signIn(_ at: Date) async throws -> String {
            try await h.stores.portal.portalSignIn(reference: receipt.reference, passphrase: receipt.passphrase, now: at).token
        }
        func session(_ token: String, _ at: Date) async throws -> CaseID? {
            try await h.stores.portal.portalSession(token: token, now: at)
        }
        let t0 = H.now

        // Idle: 19 minutes is fine; 21 minutes after the last use is not.
        let idle = try await signIn(t0)
        #expect(try await session(idle, t0.addingTimeInterval(19 * 60)) == receipt.caseID)
        #expect(try await session(idle, t0.addingTimeInterval(38 * 60)) == receipt.caseID, "use moves last_seen_at on")
        #expect(try await session(idle, t0.addingTimeInterval(60 * 60)) == nil)

        // last_seen_at is written at most about once a minute.
        let busy = try await signIn(t0)
        func lastSeen(_ token: String) async throws -> Date? {
            let hash = try AppDatabase.portalTokenHash(token, keys: h.keys)
            return try await h.db.reader.read { db in
                try Date.fetchOne(db, sql: "SELECT last_seen_at FROM portal_session WHERE token_hash = ?", arguments: [hash])
            }
        }
        _ = try await session(busy, t0.addingTimeInterval(30))
        #expect(try await lastSeen(busy) == t0, "not moved after 30 seconds")
        _ = try await session(busy, t0.addingTimeInterval(90))
        #expect(try await lastSeen(busy) == t0.addingTimeInterval(90), "moved after a minute")

        // Absolute: used every 10 minutes, still ended after 2 hours.
        let old = try await signIn(t0)
        var t = t0
        for _ in 0..<12 {
            t = t.addingTimeInterval(10 * 60)
            #expect(try await session(old, t) == receipt.caseID)
        }
        #expect(try await session(old, t.addingTimeInterval(60)) == nil)

        // Signed out, unknown, malformed.
        let out = try await signIn(t0)
        try await h.stores.portal.portalSignOut(token: out, now: t0)
        #expect(try await session(out, t0) == nil)
        try await h.stores.portal.portalSignOut(token: out, now: t0)  // a second sign-out is ignored
        #expect(try await session(String(repeating: "A", count: 43), t0) == nil)
        #expect(try await session("short", t0) == nil)
        #expect(try h.auditActions(receipt.caseID).filter { $0 == "portal.sign_out" }.count == 1)

        // A staff token is not a portal token (separate tables and hash domains).
        let live = try await signIn(t0)
        #expect(try await h.stores.staff.staffSession(token: live, now: t0) == nil)

        // Erased: every session ends.
        try await h.db.writer.write { db in try AppDatabase.erase(db, caseID: receipt.caseID, reason: "request", keys: h.keys, at: t0) }
        #expect(try await session(live, t0) == nil)
    }
}

@Suite struct PortalMessageTests {
    typealias H = WorkflowHarness

    @Test func aFamilyMessageIsSealedShownToStaffAndUnreadUntilTheLeadReadsIt() async throws {
        let dir = try TemporaryDirectory()
        let h = try H(try AppDatabase.open(dataDirectory: dir.url, migrate: true))
        let lead = try h.staff(.lead), practitioner = try h.staff(.practitioner), other = try h.staff(.practitioner)
        let receipt = try await h.referral()
        let id = receipt.caseID
        try await h.stores.cases.assign(caseID: id, toPractitionerEmail: try h.email(practitioner), by: lead, now: H.now)
        let canary = "CANARY-\(UUID().uuidString)"
        let t1 = H.now.addingTimeInterval(60), t2 = H.now.addingTimeInterval(120), t3 = H.now.addingTimeInterval(180)

        _ = try await h.stores.cases.sendMessage(caseID: id, body: "Hello from the partner", by: lead, now: t1)
        let m1 = try await h.stores.portal.familyMessage(caseID: id, body: "  \(canary)-reply one \n", now: t2)
        _ = try await h.stores.portal.familyMessage(caseID: id, body: "\(canary)-reply two", now: t3)

        // Stored sealed: the raw files never hold the words, before or after a checkpoint.
        let stored = try await h.db.reader.read { db in try CaseMessageRecord.fetchOne(db, key: m1) }
        #expect(stored?.sender == .family && stored?.author == nil && stored?.readAt == nil)
        for _ in 0..<2 {
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.url.path) {
                let data = try Data(contentsOf: dir.url.appendingPathComponent(file))
                #expect(!data.contains(canary), "\(file) holds a plain family message")
            }
            try await h.db.checkpoint()
        }

        // The family sees both ways, oldest first, trimmed.
        let view = try await h.stores.portal.portalView(caseID: id, now: t3)
        #expect(view.messages == [
            PortalMessage(from: "partner", body: "Hello from the partner", at: t1),
            PortalMessage(from: "you", body: "\(canary)-reply one", at: t2),
            PortalMessage(from: "you", body: "\(canary)-reply two", at: t3),
        ])
        #expect(view.reference == receipt.reference && view.stage == .received && view.closeReason == nil)
        #expect(view.stageText == StageText.forFamily(.received, closeReason: nil))
        #expect(view.erasure == nil)

        // Staff: counted unread in the work list; another practitioner cannot open it, so it stays unread.
        #expect(try await h.unread(id, by: lead) == 2)
        #expect(try await h.unread(id, by: practitioner) == 2)
        await #expect(throws: CaseAccessError.notAssigned) {
            _ = try await h.stores.cases.caseDetail(caseID: id, by: other, acknowledgementWorkingDays: 2, now: t3)
        }
        #expect(try await h.unread(id, by: lead) == 2)
        let detail = try await h.stores.cases.caseDetail(caseID: id, by: lead, acknowledgementWorkingDays: 2, now: t3)
        #expect(detail.messages.map(\.sender) == ["partner", "family", "family"])
        #expect(detail.messages[1].body == "\(canary)-reply one")
        #expect(try await h.unread(id, by: lead) == 0)
        #expect(try await h.db.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_message WHERE sender = 'partner' AND read_at IS NOT NULL")
        } == 0, "read_at tracks the family's replies only")

        // Event with actor family (shown as "family"), audit with actor family:<id>, message id only.
        let event = try #require(detail.events.first { $0.action == "family_message" })
        #expect(event.actor == "family" && event.note == nil && event.detail == "message=\(m1)")
        #expect(event.fromStage == .received && event.toStage == .received)
        let audit = try h.stores.audit.auditEntries(caseID: id).filter { $0.action == "portal.message" }
        #expect(audit.count == 2 && audit.allSatisfy { $0.actor == "family:\(id)" && !($0.detail ?? "").contains(canary) })

        // A new reply after reading is unread again.
        _ = try await h.stores.portal.familyMessage(caseID: id, body: "one more", now: t3)
        #expect(try await h.unread(id, by: practitioner) == 1)
        _ = try await h.stores.cases.caseDetail(caseID: id, by: practitioner, acknowledgementWorkingDays: 2, now: t3)
        #expect(try await h.unread(id, by: practitioner) == 0)
    }

    @Test func messageBoundsAndClosedCases() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let receipt = try await h.referral()
        try await expectRefusedUnchanged(h, WorkflowError.messageEmpty, "blank") {
            _ = try await h.stores.portal.familyMessage(caseID: receipt.caseID, body: " \n\t ")
        }
        try await expectRefusedUnchanged(h, WorkflowError.messageTooLong, "too long") {
            _ = try await h.stores.portal.familyMessage(caseID: receipt.caseID, body: String(repeating: "a", count: 10_001))
        }
        _ = try await h.stores.portal.familyMessage(caseID: receipt.caseID, body: String(repeating: "a", count: 10_000))
        // After closure the partner can no longer write, but the family can.
        try await h.stores.cases.close(caseID: receipt.caseID, reason: .noContact, note: nil, by: lead, now: H.now)
        _ = try await h.stores.portal.familyMessage(caseID: receipt.caseID, body: "I am ready to talk now", now: H.now)
        #expect(try await h.unread(receipt.caseID, by: lead) == 2)
        let view = try await h.stores.portal.portalView(caseID: receipt.caseID)
        #expect(view.stage == .closed && view.closeReason == .noContact)
        #expect(view.stageText == StageText.forFamily(.closed, closeReason: .noContact))

        await #expect(throws: StoreError.caseNotFound) {
            _ = try await h.stores.portal.familyMessage(caseID: CaseID("no-such-case"), body: "hello")
        }
        await #expect(throws: StoreError.caseNotFound) { _ = try await h.stores.portal.portalView(caseID: CaseID("no-such-case")) }
    }

    @Test func withdrawingClosesAsWithdrawnOnce() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let receipt = try await h.referral()
        let id = receipt.caseID
        _ = try await h.stores.cases.acknowledge(caseID: id, method: .portal, note: nil, by: lead, now: H.now)
        let at = H.now.addingTimeInterval(600)
        try await h.stores.portal.withdraw(caseID: id, now: at)

        let record = try #require(try h.stores.intake.caseRecord(id: id))
        #expect(record.stage == .closed && record.closeReason == .withdrawn)
        let closedAt = try await h.db.reader.read { db in try Date.fetchOne(db, sql: "SELECT closed_at FROM referral_case WHERE id = ?", arguments: [id]) }
        #expect(closedAt == at)
        let events = try await h.stores.cases.caseTimeline(caseID: id, by: lead)
        let last = try #require(events.last)
        #expect(last.action == "close" && last.actor == "family" && last.fromStage == .acknowledged && last.toStage == .closed)
        #expect(last.detail == "reason=withdrawn")
        let audit = try #require(try h.stores.audit.auditEntries(caseID: id).last { $0.action == "portal.withdraw" })
        #expect(audit.actor == "family:\(id)" && audit.detail == "reason=withdrawn,stage=acknowledged->closed")
        let view = try await h.stores.portal.portalView(caseID: id)
        #expect(view.stageText == StageText.forFamily(.closed, closeReason: .withdrawn))

        try await expectTransitionRefused(h, "second withdraw") { try await h.stores.portal.withdraw(caseID: id, now: at) }
        // Also when staff closed it first.
        let other = try await h.referral()
        try await h.stores.cases.close(caseID: other.caseID, reason: .declined, note: nil, by: lead, now: H.now)
        try await expectTransitionRefused(h, "withdraw a declined case") { try await h.stores.portal.withdraw(caseID: other.caseID) }
    }
}
