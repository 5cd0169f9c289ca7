import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

@Suite struct CaseExportTests {
    typealias H = WorkflowHarness

    @Test func theExportHoldsEverythingButSafeguardingNotes() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let leadEmail = try h.email(lead)
        let canary = "CANARY-\(UUID().uuidString)"
        let receipt = try await h.referral(canary: canary)
        let id = receipt.caseID, keys = h.keys, db = h.db, now = H.now
        _ = try await CaseStore(db, keys).acknowledge(caseID: id, method: .phone, note: "\(canary)-ack", by: lead, now: now)
        _ = try await CaseStore(db, keys).recordListeningSession(caseID: id, heldOn: "2026-03-10", durationMinutes: 45, modality: .inPerson,
                                                note: "\(canary)-session", practice: PracticeRecord(adviceGiven: "\(canary)-advice"), by: lead, now: now)
        _ = try await CaseStore(db, keys).recordAssessment(caseID: id, level: .additional, needs: [.counselling, .familySupport],
                                          note: "\(canary)-assess", by: lead, now: now)
        _ = try await CaseStore(db, keys).addSignpost(caseID: id, service: H.nspcc, need: .counselling, note: "\(canary)-signpost",
                                     kind: .referralMadeWithConsent, practice: PracticeRecord(actionsAgreed: "\(canary)-actions"), by: lead, now: now)
        _ = try await CaseStore(db, keys).recordSafeguarding(caseID: id, route: .police, note: "\(canary)-SECRET-safeguarding", by: lead, now: now)
        _ = try await CaseStore(db, keys).sendMessage(caseID: id, body: "\(canary)-partner-message", by: lead, now: now)
        _ = try await PortalStore(db, keys).familyMessage(caseID: id, body: "\(canary)-family-message", now: now)
        _ = try await RetentionStore(db, keys).requestErasure(caseID: id, policy: RetentionPolicy(), now: now)

        let export = try await PortalStore(db, keys).exportCase(caseID: id, now: now)
        #expect(export.reference == receipt.reference && export.stage == .signposted)
        #expect(export.story == "\(canary)-story" && export.contact.name == "\(canary)-name")
        #expect(export.messages.map(\.from) == ["partner", "you"])
        #expect(export.listeningSessions.first?.note == "\(canary)-session")
        #expect(export.assessments.first?.levelOfNeed == .additional && export.assessments.first?.note == "\(canary)-assess")
        #expect(export.signposts.first?.serviceID == "nspcc" && export.signposts.first?.note == "\(canary)-signpost")
        #expect(export.safeguardingEscalations.count == 1 && export.safeguardingEscalations[0].route == .police)
        #expect(export.erasure?.dueAt == now.addingTimeInterval(14 * 86_400))

        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(export)
        let json = String(decoding: data, as: UTF8.self)
        for expected in ["\(canary)-story", "\(canary)-name", "\(canary)-address", "\(canary)-times", "\(canary)-ack",
                         "\(canary)-session", "\(canary)-advice", "\(canary)-actions", "\(canary)-assess", "\(canary)-signpost", "\(canary)-partner-message",
                         "\(canary)-family-message"] {
            #expect(json.contains(expected), "export holds \(expected)")
        }
        #expect(!json.contains("SECRET-safeguarding"), "safeguarding notes are withheld, from escalations and events alike")
        #expect(!json.contains(leadEmail) && !json.contains(lead.id), "no staff names or ids")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["reference", "exported_at", "received_at", "acknowledged_at", "stage", "stage_text",
                                     "close_reason", "closed_at", "answers", "consent", "contact", "story", "access_needs", "closure_summary", "messages",
                                     "listening_sessions", "assessments", "signposts", "safeguarding_escalations", "events",
                                     "erasure", "withheld", "feedback", "complaints"])
        #expect(object["close_reason"] is NSNull, "absent values are null, so the shape is stable")
        #expect(object["feedback"] is NSNull && (object["complaints"] as? [Any])?.isEmpty == true)
        #expect(object["access_needs"] is NSNull, "no access needs were given")
        let answers = try #require(object["answers"] as? [String: Any])
        for key in ["involvement", "age_band", "parent_knows", "heard_from", "pattern", "monitoring", "channel"] {
            #expect(answers.keys.contains(key), "the export's answers hold \(key), even when not answered")
        }
        #expect(answers["channel"] as? String == "web")
        #expect((object["withheld"] as? String)?.contains("safeguarding") == true)
        #expect((object["received_at"] as? String) == "2026-03-11T12:00:00Z")
        let erasure = try #require(object["erasure"] as? [String: Any])
        #expect(Set(erasure.keys) == ["requested_at", "due_at", "held", "cancelled", "held_for_evidence"])
        let escalation = try #require((object["safeguarding_escalations"] as? [[String: Any]])?.first)
        #expect(Set(escalation.keys) == ["at", "route", "routes"] && escalation["route"] as? String == "police")
        #expect(escalation["routes"] as? [String] == ["police"])
        #expect(answers["referrer_role"] as? String == "parent_or_carer" && answers["when"] as? String == "1_to_3_years")
        let session = try #require((object["listening_sessions"] as? [[String: Any]])?.first)
        #expect(session["modality"] as? String == "in_person" && session["duration_minutes"] as? Int == 45)
        // The family's copy holds what was advised and agreed, as their record does.
        #expect(Set(session.keys) == ["date", "duration_minutes", "modality", "note", "advice_given", "actions_agreed"])
        let signpost = try #require((object["signposts"] as? [[String: Any]])?.first)
        #expect(signpost["kind"] as? String == "referral_made_with_consent" && signpost["reason"] is NSNull)
        let events = try #require(object["events"] as? [[String: Any]])
        #expect(events.allSatisfy { Set($0.keys) == ["at", "action", "from_stage", "to_stage", "note"] })

        let audit = try #require(try AuditStore(db, keys).auditEntries(caseID: id).last)
        #expect(audit.action == "portal.export" && audit.actor == "family:\(id)")
    }
}
