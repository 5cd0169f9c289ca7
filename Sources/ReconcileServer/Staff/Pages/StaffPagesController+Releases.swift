import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

// `/staff/themes` for leads: approve lessons-learned themes and release a report — a quarter, a correction of
// one, or the year to date — for one council area. A refused release is an answer, not a fault: the same page
// comes back with the problems in plain words and the choice kept, and nothing was published.

extension StaffPagesController {
    var lastQuarter: Quarter {
        let now = Quarter.containing(Date(), startMonth: settings.reporting.quarterStartMonth)
        return now.previous
    }

    @Sendable func themesPage(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let query = request.uri.queryParameters
        let quarter = query["quarter"].flatMap { Quarter(String($0)) } ?? lastQuarter
        let areas = settings.areas.councilAreas
        let area = query["area"].map(String.init).flatMap { areas.contains($0) ? $0 : nil } ?? areas[0]
        let done: String? = switch query["done"].map(String.init) {
        case "theme": "Theme approved."
        case "release": "Report released. The council officer for that area can now read it."
        case "withdrawn": "Theme withdrawn."
        default: nil
        }
        return try await themes(request, staff, quarter: quarter, area: area, kind: .quarter, done: done)
    }

    struct ThemesModel: PageModel {
        struct Theme: Sendable, Encodable { let id, text, at: String }
        struct Kind: Sendable, Encodable { let value, label, hint: String; let checked: Bool }
        struct Released: Sendable, Encodable { let title, area, kind, at, href: String }
        struct Due: Sendable, Encodable { let quarter, area, areaCode, date: String; let overdue: Bool }
        let title, quarter, areaLabel: String
        let areas: [Choice]
        let themes: [Theme]
        let kinds: [Kind]
        let released: [Released]
        let hasReleased: Bool
        let due: [Due]
        let hasDue: Bool
        let dueDays: Int
        let done: String?
        let problems: [String]
        let hasProblems: Bool
    }

    static let kindHints: [ReleaseKind: String] = [
        .quarter: "The quarter's first release. Each quarter is released once.",
        .correction: "Replaces the figures of a quarter already released, for example after referrals recorded late. A count the earlier releases hid stays hidden.",
        .yearToDate: "The financial year so far, counted together. Released once for each quarter.",
    ]

    /// The themes page for one quarter and area, with the release form set to `kind`.
    func themes(_ request: Request, _ staff: StaffAccount, quarter: Quarter, area: String, kind: ReleaseKind,
                done: String? = nil, problems: [String] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let areas = settings.areas.councilAreas
        let startMonth = settings.reporting.quarterStartMonth
        var released: [ThemesModel.Released] = []
        var due: [ThemesModel.Due] = []
        let timetable = ReleaseTimetable(settings), now = Date()
        for a in areas {
            let reports = try await stores.reports.releasedReports(councilArea: a)
            for r in reports {
                let kind = ReleaseKind(rawValue: r.kind) ?? .quarter
                let title = Quarter(r.quarter).map { kind.title($0, startMonth: startMonth) } ?? r.quarter
                released.append(.init(title: title, area: IntakeQuestions.areaLabel(r.councilArea), kind: StaffPageKit.words(r.kind),
                                      at: r.releasedAt.formatted(StaffPageKit.dateTime),
                                      href: "/staff/reports/\(r.councilArea)/\(r.quarter)?kind=\(kind.rawValue)"))
            }
            // The timetable: each ended quarter of the last year not yet released for this area, oldest first.
            let done = Set(reports.filter { $0.kind == ReleaseKind.quarter.rawValue }.map(\.quarter))
            for q in timetable.endedQuarters(before: now).reversed() where !done.contains(q.description) {
                due.append(.init(quarter: q.description, area: IntakeQuestions.areaLabel(a), areaCode: a, date: timetable.dueWords(q),
                                 overdue: timetable.due(q).addingTimeInterval(86_400) < now))
            }
        }
        let model = ThemesModel(
            title: problems.isEmpty ? "Themes and reports" : "There is a problem - Themes and reports",
            quarter: quarter.description, areaLabel: IntakeQuestions.areaLabel(area),
            areas: areas.map { Choice(value: $0, label: IntakeQuestions.areaLabel($0), selected: $0 == area) },
            themes: try await stores.reports.themes(quarter: quarter, councilArea: area).map {
                .init(id: $0.id, text: $0.text, at: $0.approvedAt.formatted(StaffPageKit.dateTime))
            },
            kinds: ReleaseKind.allCases.map {
                let label = $0 == .quarter ? "\(quarter), " + ReleaseKind.months(from: quarter, to: quarter, startMonth: startMonth)
                    : $0.title(quarter, startMonth: startMonth)
                return .init(value: $0.rawValue, label: label, hint: Self.kindHints[$0] ?? "", checked: $0 == kind)
            },
            released: released, hasReleased: !released.isEmpty, due: due, hasDue: !due.isEmpty,
            dueDays: settings.reporting.releaseDaysAfterQuarter, done: done, problems: problems, hasProblems: !problems.isEmpty)
        return kit.render("staff-themes", request, staff, model, status: status)
    }

    /// Withdraws a theme (for instance one a release refused) and comes back to its quarter and area.
    @Sendable func withdrawTheme(request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await kit.readForm(request)
        let (quarter, area) = try quarterAndArea(form)
        guard let id = context.parameters.get("id"), CaseTarget.isID(id),
              try await stores.reports.removeTheme(id: id, by: context.staff.actor) else {
            throw APIError(.notFound, code: "not_found", message: "There is no such theme. It may have been withdrawn already.")
        }
        return Response(status: .seeOther, headers: [.location: "/staff/themes" + StaffPageKit.query([("quarter", quarter.description), ("area", area), ("done", "withdrawn")])])
    }

    @Sendable func addTheme(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let form = try await kit.readForm(request)
        let (quarter, area) = try quarterAndArea(form)
        do {
            _ = try await stores.reports.addTheme(quarter: quarter, councilArea: area, text: form["text"] ?? "", councilAreas: settings.areas.councilAreas,
                                            by: staff.actor)
        } catch {
            return kit.error(request, staff, APIError.answer(for: error), back: "/staff/themes")
        }
        return Response(status: .seeOther, headers: [.location: "/staff/themes" + StaffPageKit.query([("quarter", quarter.description), ("area", area), ("done", "theme")])])
    }

    @Sendable func release(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let form = try await kit.readForm(request)
        let (quarter, area) = try quarterAndArea(form)
        // No kind (a form from before kinds existed): the quarter's first release.
        let kind = try ReleaseKind.named(form["kind"]) ?? .quarter
        do {
            let released = try await ReportBuilder(reports: stores.reports, settings: settings, policy: disclosure)
                .release(councilArea: area, quarter: quarter, kind: kind, by: staff.id)
            context.logger.info("report released", metadata: ["report.id": "\(released.id)", "quarter": "\(released.quarter)", "area": "\(area)",
                                                              "kind": "\(released.kind)"])
        } catch let refusal as ReportError {
            // The builder's messages name a table, theme number or rule, never a hidden count or a personal value.
            let api = APIError.answer(for: refusal)
            let problems = api.fields?.compactMap { $0["message"] } ?? [api.message]
            return try await themes(request, staff, quarter: quarter, area: area, kind: kind, problems: problems, status: api.status)
        } catch {
            return kit.error(request, staff, APIError.answer(for: error), back: "/staff/themes")
        }
        return Response(status: .seeOther, headers: [.location: "/staff/themes" + StaffPageKit.query([("quarter", quarter.description), ("area", area), ("done", "release")])])
    }

    private func quarterAndArea(_ form: FormBody) throws -> (Quarter, String) {
        guard let quarter = Quarter((form["quarter"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw APIError.field("quarter", "invalid_quarter", "Quarters look like 2026-Q1.")
        }
        guard let area = form["council_area"], settings.areas.councilAreas.contains(area) else {
            throw APIError.field("council_area", "unknown_value", "Choose a council area from the list.")
        }
        return (quarter, area)
    }
}
