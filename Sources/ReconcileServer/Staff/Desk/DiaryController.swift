import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// `/staff/diary`: appointments by day (`?date=YYYY-MM-DD`, today by default) or by week (`?week=YYYY-Www`, Monday to
/// Sunday), in London time. A practitioner sees their own; a lead the team's, or one member's (`?practitioner=`).
/// References, times and kinds only (no note, no name), so opening it writes no audit row, as the desk does not.
struct DiaryController {
    let stores: Stores
    let kit: StaffPageKit
    let clock: @Sendable () -> Date

    func addRoutes(to workers: RouterGroup<StaffRequestContext>) {
        workers.get("diary", use: page)
    }

    struct Model: PageModel {
        struct Entry: Sendable, Encodable { let span, reference, href, modality, practitioner, status: String; let moved: Bool }
        struct Day: Sendable, Encodable { let heading, anchor: String; let entries: [Entry]; let hasEntries: Bool }
        var title = "Diary"
        let heading: String
        let byWeek, isLead: Bool
        let days: [Day]
        let previous, next, dayHref, weekHref, todayHref: String
        let practitioners: [Choice]
        let practitioner: String
        let weekValue, dayValue: String
    }

    @Sendable func page(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let query = request.uri.queryParameters
        let today = WorkingDays.londonDate(clock())
        let filter = query["practitioner"].map(String.init)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        // The range asked for: one London day, or the seven of an ISO week.
        let first: String, count: Int, byWeek: Bool
        if let week = query["week"].map(String.init) {
            guard let monday = LondonTime.monday(ofWeek: week) else {
                return kit.error(request, staff, .field("week", "invalid_week", "Give a week as YYYY-Www, like 2026-W50."), back: "/staff/diary")
            }
            (first, count, byWeek) = (monday, 7, true)
        } else if let date = query["date"].map(String.init), !date.isEmpty {
            guard WorkingDays.isDay(date) else {
                return kit.error(request, staff, .field("date", "invalid_date", "Give a real date, YYYY-MM-DD."), back: "/staff/diary")
            }
            (first, count, byWeek) = (date, 1, false)
        } else {
            (first, count, byWeek) = (today, 1, false)
        }
        let dayNames = (0..<count).compactMap { WorkingDays.day($0, after: first) }
        guard let start = WorkingDays.day(first), let endDay = WorkingDays.day(count, after: first), let end = WorkingDays.day(endDay) else {
            return kit.error(request, staff, .field("date", "invalid_date", "Give a real date, YYYY-MM-DD."), back: "/staff/diary")
        }
        let found: [AppointmentView]
        do {
            found = try await stores.desk.diary(from: start, to: end, practitionerEmail: filter.isEmpty ? nil : filter, by: staff.actor)
        } catch {
            return kit.error(request, staff, APIError.answer(for: error), back: "/staff/diary")
        }
        let lead = staff.role == .lead
        let days = dayNames.map { name in
            let entries = found.filter { WorkingDays.londonDate($0.startsAt) == name }.map { a in
                Model.Entry(span: StaffTimes.span(a), reference: a.reference, href: "/staff/cases/\(a.caseID)#appointment-\(a.id)",
                            modality: StaffPageKit.words(a.modality.rawValue), practitioner: a.practitioner,
                            status: StaffTimes.statusWords(a.status), moved: a.status == .moved)
            }
            let label = StaffTimes.weekday(name)
            return Model.Day(heading: name == today ? "\(label) (today)" : label, anchor: "day-\(name)", entries: entries, hasEntries: !entries.isEmpty)
        }
        let keep = filter.isEmpty ? [] : [("practitioner", filter)]
        func link(_ pairs: [(String, String)]) -> String { "/staff/diary" + StaffPageKit.query(pairs + keep) }
        let step = byWeek ? 7 : 1
        let previous = WorkingDays.day(-step, after: first) ?? first, next = WorkingDays.day(step, after: first) ?? first
        let week = LondonTime.week(of: first) ?? ""
        let team = lead ? try await stores.desk.assignableStaff() : []
        let model = Model(
            heading: byWeek ? "Week of \(StaffTimes.weekday(first))" : days.first?.heading ?? first, byWeek: byWeek, isLead: lead, days: days,
            previous: byWeek ? link([("week", LondonTime.week(of: previous) ?? week)]) : link([("date", previous)]),
            next: byWeek ? link([("week", LondonTime.week(of: next) ?? week)]) : link([("date", next)]),
            dayHref: link([("date", first)]), weekHref: link([("week", week)]), todayHref: link([]),
            practitioners: [Choice(value: "", label: "The whole team", selected: filter.isEmpty)]
                + team.map { Choice(value: $0.email, label: $0.email, selected: $0.email == filter) },
            practitioner: filter, weekValue: week, dayValue: first)
        return kit.render("staff-diary", request, staff, model)
    }
}
