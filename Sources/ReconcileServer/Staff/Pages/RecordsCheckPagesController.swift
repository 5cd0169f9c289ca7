import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

// `/staff/records-check` for leads: the incomplete records, each linked to its case with the rules it
// breaks, and the month's random sample with a form per case for the lead's audit note. Works without JavaScript;
// the review form carries the CSRF token like every staff form. Viewing it is audited by the store.

struct RecordsCheckPagesController {
    let stores: Stores
    let kit: StaffPageKit
    let settings: Settings
    let recording: RecordingPolicy

    func addRoutes(to leads: RouterGroup<StaffRequestContext>) {
        leads.get("records-check", use: page)
        leads.post("records-check/sample/:sid/review", use: review)
    }

    struct Model: PageModel {
        struct Incomplete: Sendable, Encodable { let id: CaseID; let reference, stage, assignedTo: String; let rules: [String] }
        struct Sampled: Sendable, Encodable {
            let id: String
            let caseId: CaseID
            let reference, stage, practitioner, status: String
            let note: String?
            let erased: Bool
        }
        var title = "Records check"
        let month, monthLabel, previousMonth, previousLabel: String
        let incomplete: [Incomplete]
        let hasIncomplete: Bool
        let drawn: String?
        let sampled: [Sampled]
        let hasSampled: Bool
        let done: String?
    }

    @Sendable func page(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let query = request.uri.queryParameters
        let month: AuditMonth?
        // The page's month box may be sent empty: that is the current month.
        do { month = try RecordsCheckController.month(query["month"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }) } catch let error as APIError {
            return kit.error(request, staff, error, back: "/staff/records-check")
        }
        let check = try await stores.cases.recordsCheck(month: month, samplePerPractitioner: recording.samplePerPractitioner, policy: recording,
                                                    acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays,
                                                    by: staff.actor)
        let label = Self.label(check.month)
        let sampled = (check.sample?.cases ?? []).map { c in
            Model.Sampled(id: c.id, caseId: c.caseID, reference: c.reference, stage: CasePagesController.stageLabel(c.stage),
                          practitioner: c.practitioner,
                          status: c.erased ? "Erased" : c.reviewedAt.map { "Reviewed \($0.formatted(StaffPageKit.dateTime)) by \(c.reviewedBy ?? "")" } ?? "Not reviewed yet",
                          note: c.auditNote, erased: c.erased)
        }
        let model = Model(
            month: check.month.description, monthLabel: label,
            previousMonth: check.month.previous.description, previousLabel: Self.label(check.month.previous),
            incomplete: check.incomplete.map { r in
                Model.Incomplete(id: r.caseID, reference: r.reference, stage: CasePagesController.stageLabel(r.stage),
                                 assignedTo: r.assignedTo ?? "Nobody yet", rules: r.problems.map(Self.words))
            },
            hasIncomplete: !check.incomplete.isEmpty,
            drawn: check.sample.map { "Drawn at random \($0.drawnAt.formatted(StaffPageKit.dateTime)) by \($0.drawnBy): up to \($0.perPractitioner) cases of each practitioner." },
            sampled: sampled, hasSampled: !sampled.isEmpty,
            done: query["done"] == "review" ? "Audit note saved and the case marked reviewed." : nil)
        return kit.render("staff-records-check", request, staff, model)
    }

    @Sendable func review(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let form = try await kit.readForm(request)
        let month = (form["month"]).flatMap(AuditMonth.init)?.description ?? ""
        let back = "/staff/records-check" + StaffPageKit.query([("month", month)])
        let sid = context.parameters.get("sid")
        do {
            try await RecordsCheckController.review(sid, reading: FormFields(form: form), stores: stores, context: context)
        } catch {
            return kit.error(request, staff, APIError.answer(for: error), back: back)
        }
        return Response(status: .seeOther, headers: [.location: "/staff/records-check" + StaffPageKit.query([("month", month), ("done", "review")]) + "#sample-\(sid ?? "")"])
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                             "November", "December"]
    static func label(_ m: AuditMonth) -> String { "\(monthNames[m.month - 1]) \(m.year)" }

    /// A rule code in plain words: "Listening session without advice given (2)".
    static func words(_ p: RecordsProblem) -> String {
        let text: String
        switch p.rule {
        case RecordsRules.acknowledgementOverdue: text = "Acknowledgement overdue"
        case RecordsRules.safeguardingOutcomeOverdue:
            text = "Safeguarding referral with no outcome after \(RecordsRules.safeguardingOutcomeWorkingDays) working days"
        default: text = StaffPageKit.words(p.rule)
        }
        return p.count > 1 ? "\(text) (\(p.count))" : text
    }
}
