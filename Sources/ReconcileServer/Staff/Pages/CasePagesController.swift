import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// `/staff/cases` for practitioners and leads: the case list, a case page, and a form post for each step. A
/// post runs the same `CaseActions` step as the API and goes back to the case page (Post/Redirect/Get); the
/// page only renders.
struct CasePagesController {
    let stores: Stores
    let directory: ServiceDirectory
    let actions: CaseActions
    let words: CaseWords
    let kit: StaffPageKit
    let acknowledgementWorkingDays: Int

    static let pageSize = 25

    func addRoutes(to workers: RouterGroup<StaffRequestContext>) {
        workers.get("cases", use: caseList)
        workers.get("cases/:id", use: casePage)
        // A form post for every step, at the page path its `CaseStep.route` gives.
        for step in CaseStepCatalogue.all { add(step, to: workers) }
    }

    static func stageLabel(_ stage: Stage) -> String { StaffPageKit.words(stage.rawValue) }

    @Sendable func caseList(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let query = request.uri.queryParameters
        let filter = CaseListPageFilter(Dictionary(query.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first }))
        let storeFilter = try filter.storeFilter(for: staff)
        let cursor = query["cursor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }

        // "Unread replies" is not a store filter: read on in short batches, never past what one page shows,
        // so the cursor stays exact. Bounded, so a long list without replies still answers quickly.
        var found: [CaseSummary] = []
        var next = cursor
        var rounds = 0
        repeat {
            let page = try await stores.cases.caseList(filter: storeFilter, limit: Self.pageSize - found.count, cursor: next, by: staff.actor,
                                                   acknowledgementWorkingDays: acknowledgementWorkingDays)
            found += filter.unread ? page.cases.filter { $0.unreadReplies > 0 } : page.cases
            next = page.nextCursor
            rounds += 1
        } while filter.unread && found.count < Self.pageSize && next != nil && rounds < 40
        return kit.render("staff-cases", request, staff, CaseListPageModel(staff: staff, filter: filter, cases: found, next: next, paged: cursor != nil))
    }

    @Sendable func casePage(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let target = try CaseTarget(context.parameters)
        let detail = try await stores.cases.caseDetail(caseID: target.caseID, by: staff.actor,
                                                   acknowledgementWorkingDays: acknowledgementWorkingDays)
        context.logger.info("case read", metadata: ["case.id": "\(detail.id)"])
        let done = request.uri.queryParameters["done"].flatMap { CaseStepCatalogue.done(named: String($0)) }
        var model = CasePageModel(detail, staff: staff, directory: directory, recording: actions.rules.recording,
                                  levels: words.levels, councilAreas: actions.rules.councilAreas,
                                  themes: words.themes, done: done)
        model.showDesk(detail, staff: staff)
        let team = try await stores.desk.assignableStaff()
        if model.canAssign { model.showAssignees(team, current: detail.assignedTo) }
        model.showAppointments(detail, staff: staff, team: team, now: actions.clock())
        model.voice = try await stores.portal.familyVoice(caseID: target.caseID, by: .staff(staff.actor)).map(VoiceShown.init)
        return kit.render("staff-case", request, staff, model)
    }

    /// Reads the form (CSRF checked), runs the step, and goes back to the case page. A refused step or a bad
    /// value renders an error page with a link back to the case.
    private func add<Step: CaseStep>(_ type: Step.Type, to workers: RouterGroup<StaffRequestContext>) {
        workers.post(RouterPath("cases/:id/\(Step.route.pagePath)"), use: step(type))
    }

    private func step<Step: CaseStep>(_ type: Step.Type) -> @Sendable (Request, StaffRequestContext) async throws -> Response {
        { request, context in
            let (staff, target) = (context.staff, try CaseTarget(context.parameters))
            let form = try await kit.readForm(request)
            do {
                _ = try await actions.run(type, on: target, by: staff, logger: context.logger) { FormFields(form: form) }
            } catch {
                return kit.error(request, staff, APIError.answer(for: error), back: "/staff/cases/\(target.caseID)")
            }
            return Response(status: .seeOther, headers: [.location: "/staff/cases/\(target.caseID)?done=\(Step.name)"])
        }
    }
}
