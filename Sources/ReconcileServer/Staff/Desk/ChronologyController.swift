import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// `/staff/cases/{id}/chronology`: everything that happened on a case in date order with who did it, in the
/// one staff date format, laid out to print (the print stylesheet leaves out navigation, forms and buttons).
/// Opening it writes a "case.chronology" audit row (the store, in the read's transaction).
struct ChronologyController {
    let stores: Stores
    let directory: ServiceDirectory
    let kit: StaffPageKit
    let acknowledgementWorkingDays: Int

    func addRoutes(to workers: RouterGroup<StaffRequestContext>) {
        workers.get("cases/:id/chronology", use: page)
    }

    struct Model: PageModel {
        struct Entry: Sendable, Encodable { let when, who, what: String; let details: [String] }
        let title: String
        let caseId: CaseID
        let reference, stage, printedAt, printedBy: String
        let name: String?
        let entries: [Entry]
    }

    /// Events whose record is listed in full by its own entry (the session, the message, …) are not listed twice.
    static let shownByTheirRecord: Set<String> = Set([
        CaseEvent.recordListeningSession, .recordAssessment, .addSignpost, .recordSafeguarding, .sendMessage, .setFollowUp, .followUpDone,
        .familyMessage,
    ].map(\.rawValue))

    @Sendable func page(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let target = try CaseTarget(context.parameters)
        let d = try await stores.desk.caseChronology(caseID: target.caseID, by: staff.actor,
                                                  acknowledgementWorkingDays: acknowledgementWorkingDays)
        context.logger.info("case chronology read", metadata: ["case.id": "\(d.id)"])
        let moment = StaffPageKit.dateTime
        let words = StaffPageKit.words
        var entries: [(at: Date, entry: Model.Entry)] = []
        func add(_ at: Date, _ who: String, _ what: String, _ details: [String?]) {
            entries.append((at, Model.Entry(when: at.formatted(moment), who: who, what: what, details: details.compactMap { $0 })))
        }
        func labelled(_ label: String, _ text: String?) -> String? { text.map { "\(label): \($0)" } }

        add(d.receivedAt, d.intake.enteredBy ?? "the family", "Referral received", [])
        for e in d.events where !Self.shownByTheirRecord.contains(e.action) {
            let change = e.fromStage == e.toStage ? nil
                : "Stage: \(CasePagesController.stageLabel(e.fromStage)) to \(CasePagesController.stageLabel(e.toStage))"
            add(e.at, CasePageModel.actorWords(e.actor), CasePageModel.eventWords(e), [change, labelled("Note", e.note)])
        }
        for s in d.listeningSessions {
            // A session is kept by its day and written with the day only; recorded that day, it sits where it was
            // recorded, else at noon of its day.
            let at = WorkingDays.londonDate(s.recordedAt) == s.heldOn ? s.recordedAt
                : WorkingDays.day(s.heldOn)?.addingTimeInterval(12 * 3600) ?? s.recordedAt
            entries.append((at, Model.Entry(when: StaffDates.day(s.heldOn), who: s.recordedBy,
                                            what: "Listening session (\(s.durationMinutes) minutes, \(words(s.modality.rawValue).lowercased()))",
                                            details: [labelled("Advice given", s.adviceGiven), labelled("Actions agreed", s.actionsAgreed),
                                                      labelled("Note", s.note)].compactMap { $0 })))
        }
        for a in d.assessments {
            add(a.assessedAt, a.assessedBy, "Assessment: level \(a.level.rawValue)",
                ["Needs: " + a.needs.map { words($0.rawValue) }.joined(separator: "; "), labelled("Reason", a.reason),
                 labelled("Advice given", a.adviceGiven), labelled("Actions agreed", a.actionsAgreed), labelled("Note", a.note)])
        }
        for s in d.signposts {
            add(s.createdAt, s.createdBy, "Signposted to \(directory.service(id: s.serviceID)?.name ?? s.serviceID)",
                ["For: " + words(s.need.rawValue), "Outcome: " + words(s.outcome.rawValue)
                    + (s.outcomeAt.map { " (\($0.formatted(moment)))" } ?? ""),
                 labelled("Reason", s.reason), labelled("Advice given", s.adviceGiven), labelled("Actions agreed", s.actionsAgreed),
                 labelled("Note", s.note)])
        }
        for e in d.safeguarding {
            add(e.escalatedAt, e.escalatedBy, "Safeguarding referral: " + e.routes.map { words($0.rawValue) }.joined(separator: ", "),
                ["Outcome: " + words(e.outcome.rawValue) + (e.outcomeAt.map { " (\($0.formatted(moment)))" } ?? ""),
                 labelled("Referred on", e.referredOn.map(StaffDates.day)), labelled("Note", e.note)])
        }
        for m in d.messages {
            add(m.sentAt, m.sender == "family" ? "the family" : "the partner",
                m.sender == "family" ? "Message from the family" : "Message to the family", [m.body])
        }
        for f in d.followUps {
            add(f.createdAt, f.createdBy, "Follow-up set for \(StaffDates.day(f.dueOn))",
                [labelled("Note", f.note), f.doneAt.map { "Done \($0.formatted(moment)) by \(f.doneBy ?? "someone")" }])
        }
        let model = Model(title: "Chronology of case \(d.reference)", caseId: d.id, reference: d.reference,
                          stage: CasePagesController.stageLabel(d.stage) + (d.closeReason.map { " (\(words($0.rawValue)))" } ?? ""),
                          printedAt: Date().formatted(moment), printedBy: staff.email, name: d.referral.contact.name,
                          entries: entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element.entry))
        return kit.render("staff-chronology", request, staff, model)
    }
}
