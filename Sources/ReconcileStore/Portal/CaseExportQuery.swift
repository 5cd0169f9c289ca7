import Foundation
import GRDB
import ReconcileCore

extension PortalStore {
    /// Everything held about the case, decrypted, for the family. Audited as "portal.export" (actor
    /// "family:<case id>") in the same write transaction, before anything is returned. `StoreError.erased`
    /// once the case has been erased.
    public func exportCase(caseID: CaseID, now: Date = Date()) async throws -> CaseExport {
        try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            let rows = try AppDatabase.caseRows(db, caseID: caseID, keys: keys)
            let (record, cipher, referral) = (rows.record, rows.cipher, rows.referral)
            let (sessions, assessments, signposts) = (rows.sessions, rows.assessments, rows.signposts)
            let (escalations, messages, events) = (rows.escalations, rows.messages, rows.events)
            let erasure = try AppDatabase.erasureStatus(db, caseID: caseID)
            // A safeguarding escalation's note is also the note of its timeline event: withhold both.
            // Withheld: safeguarding notes (their escalations' too) and an evidential hold's reason, which could
            // affect a police or court process.
            let withheldNotes: Set<String> = [CaseEvent.recordSafeguarding.rawValue, CaseEvent.evidentialHold.rawValue]
            let intake = try AppDatabase.intakeAnswers(db, caseID: caseID, cipher: cipher)

            var export = CaseExport(
                reference: record.reference, exportedAt: now, receivedAt: record.receivedAt,
                acknowledgedAt: record.acknowledgedAt, stage: current.stage,
                stageText: StageText.forFamily(current.stage, closeReason: current.closeReason),
                closeReason: current.closeReason, closedAt: record.closedAt,
                answers: .init(councilArea: record.councilArea, referrerRole: record.referrerRole, setting: record.setting,
                               harm: record.harm, when: record.whenAgo, toldBefore: record.toldBefore, wishes: record.wishes,
                               intake: intake),
                consent: .init(contact: true, contactAt: record.consentContactAt, statistics: record.consentStatistics,
                               statisticsAt: record.consentStatisticsAt),
                contact: .init(name: referral.contact.name, email: referral.contact.email, phone: referral.contact.phone,
                               address: referral.contact.address, preference: referral.contact.preference,
                               safeToLeaveMessage: referral.contact.safeToLeaveMessage, safeTimes: referral.contact.safeTimes),
                story: referral.story, accessNeeds: intake.accessNeeds,
                closureSummary: try AppDatabase.closureSummary(db, caseID: caseID, cipher: cipher),
                messages: try messages.map { m in
                    .init(from: m.sender == .family ? "you" : "partner",
                          body: try cipher.open(m.body, field: WorkflowField.messageBody(m.id)), at: m.sentAt)
                },
                listeningSessions: try sessions.map { s in
                    .init(date: s.heldOn, durationMinutes: s.durationMinutes, modality: s.modality,
                          note: try cipher.openIfPresent(s.note, field: WorkflowField.listeningNote(s.id)),
                          practice: try AppDatabase.openPractice(cipher, ListeningSessionRecord.databaseTableName, s.id, s.adviceGiven,
                                                                 s.actionsAgreed, nil))
                },
                assessments: try assessments.map { a in
                    .init(at: a.assessedAt, levelOfNeed: a.levelOfNeed, needs: a.needs,
                          note: try cipher.openIfPresent(a.note, field: WorkflowField.assessmentNote(a.id)),
                          practice: try AppDatabase.openPractice(cipher, AssessmentRecord.databaseTableName, a.id, a.adviceGiven,
                                                                 a.actionsAgreed, a.reason))
                },
                signposts: try signposts.map { s in
                    .init(at: s.createdAt, serviceID: s.serviceId, need: s.need, outcome: s.outcome, outcomeAt: s.outcomeAt,
                          note: try cipher.openIfPresent(s.note, field: WorkflowField.signpostNote(s.id)), kind: s.kind,
                          practice: try AppDatabase.openPractice(cipher, SignpostRecord.databaseTableName, s.id, s.adviceGiven,
                                                                 s.actionsAgreed, s.reason))
                },
                safeguardingEscalations: escalations.map { .init(at: $0.escalatedAt, route: $0.route, routes: SafeguardingRoute.answers(fromBits: $0.routesBits)) },
                events: try events.map { e in
                    .init(at: e.at, action: e.action, fromStage: e.fromStage, toStage: e.toStage,
                          note: withheldNotes.contains(e.action)
                              ? nil : try cipher.openIfPresent(e.note, field: WorkflowField.eventNote(e.id)))
                },
                erasure: erasure.map { .init(requestedAt: $0.requestedAt, dueAt: $0.dueAt, held: $0.held, cancelled: $0.cancelled,
                                              heldForEvidence: $0.heldForEvidence) },
                withheld: CaseExport.withheldExplanation)
            export.feedback = try AppDatabase.feedback(db, caseID: caseID, cipher: cipher).map(FeedbackHeld.init)
            export.complaints = try AppDatabase.caseComplaints(db, caseID: caseID, cipher: cipher).map(ComplaintHeld.init)

            try AppDatabase.appendAudit(db, AuditEntry(actor: "family:\(caseID)", action: .portalExport, caseID: caseID,
                                                detail: "messages=\(messages.count),events=\(events.count)"),
                                 at: now, keys: keys)
            return export
        }
    }
}
