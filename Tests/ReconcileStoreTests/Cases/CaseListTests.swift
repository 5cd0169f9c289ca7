import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

@Suite struct CaseWorkflowListTests {
    typealias H = WorkflowHarness

    @Test func filtersByStageAssigneeAndOverdue() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let p1 = try h.staff(.practitioner), p2 = try h.staff(.practitioner)
        let now = H.now  // Wednesday 11 March 2026, 12:00
        // Received: Thursday (overdue), Friday evening (overdue, target end of Tuesday), Saturday (overdue),
        // Monday (target end of Wednesday: not yet), Wednesday morning (not).
        let thursday = try await h.newCase(receivedAt: H.date("2026-03-05T09:00:00Z"))
        let friday = try await h.newCase(receivedAt: H.date("2026-03-06T19:00:00Z"))
        let saturday = try await h.newCase(receivedAt: H.date("2026-03-07T10:00:00Z"))
        let monday = try await h.newCase(receivedAt: H.date("2026-03-09T10:00:00Z"))
        let wednesday = try await h.newCase(receivedAt: H.date("2026-03-11T08:00:00Z"))
        // Old but acknowledged: never overdue.
        let acknowledged = try await h.newCase(receivedAt: H.date("2026-03-02T09:00:00Z"))
        _ = try await h.stores.cases.acknowledge(caseID: acknowledged, method: .email, note: nil, by: lead, now: now)
        try await h.stores.cases.assign(caseID: friday, toPractitionerEmail: try h.email(p1), by: lead, now: now)
        try await h.stores.cases.assign(caseID: monday, toPractitionerEmail: try h.email(p1), by: lead, now: now)
        try await h.stores.cases.assign(caseID: acknowledged, toPractitionerEmail: try h.email(p2), by: lead, now: now)

        func ids(_ filter: CaseListFilter, by actor: StaffActor? = nil) async throws -> [CaseID] {
            try await h.stores.cases.caseList(filter: filter, limit: 100, cursor: nil, by: actor ?? lead,
                                    acknowledgementWorkingDays: H.workingDays, now: now).cases.map(\.id)
        }
        #expect(try await ids(.init()) == [wednesday, monday, saturday, friday, thursday, acknowledged], "newest first")
        #expect(try await ids(.init(overdue: true)) == [saturday, friday, thursday])
        #expect(try await ids(.init(overdue: false)) == [wednesday, monday, acknowledged])
        #expect(try await ids(.init(stage: .acknowledged)) == [acknowledged])
        #expect(try await ids(.init(stage: .acknowledged, overdue: true)) == [])
        #expect(try await ids(.init(stage: .received, overdue: false)) == [wednesday, monday])
        #expect(try await ids(.init(assignedTo: p1.id)) == [monday, friday])
        #expect(try await ids(.init(assignedTo: p1.id, overdue: true)) == [friday])
        #expect(try await ids(.init(unassigned: true)) == [wednesday, saturday, thursday])
        #expect(try await ids(.init(unassigned: true, overdue: true)) == [saturday, thursday])

        // A practitioner sees only their own, whatever the filter asks.
        #expect(try await ids(.init(), by: p1) == [monday, friday])
        #expect(try await ids(.init(assignedTo: p2.id), by: p1) == [])
        #expect(try await ids(.init(unassigned: true), by: p1) == [])
        #expect(try await ids(.init(overdue: true), by: p1) == [friday])
        #expect(try await ids(.init(), by: p2) == [acknowledged])

        let page = try await h.stores.cases.caseList(filter: .init(), limit: 100, cursor: nil, by: lead, acknowledgementWorkingDays: 2, now: now)
        let fridaySummary = try #require(page.cases.first { $0.id == friday })
        #expect(fridaySummary.assignedTo == (try h.email(p1)) && fridaySummary.overdue && fridaySummary.stage == .received)
        #expect(fridaySummary.councilArea == "shropshire" && fridaySummary.receivedAt == H.date("2026-03-06T19:00:00Z"))
        #expect(page.cases.first { $0.id == wednesday }?.assignedTo == nil)
        #expect(page.nextCursor == nil)
        // A practitioner's list is not audited as a read: it holds no personal field.
        let encoded = String(decoding: try JSONEncoder().encode(page.cases), as: UTF8.self)
        #expect(!encoded.contains("CANARY"))
    }

    @Test func pagingVisitsEveryCaseExactlyOnce() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        let base = H.now
        var all: [CaseID] = []
        for i in 0..<250 {
            // Groups of three share a received time, so the id breaks ties.
            all.append(try await h.newCase(receivedAt: base.addingTimeInterval(-Double(i / 3) * 3 * 3600)))
        }
        func walk(_ filter: CaseListFilter, limit: Int) async throws -> (ids: [CaseID], pages: Int) {
            var seen: [CaseID] = [], cursor: String? = nil, pages = 0
            repeat {
                let page = try await h.stores.cases.caseList(filter: filter, limit: limit, cursor: cursor, by: lead,
                                                   acknowledgementWorkingDays: H.workingDays, now: base)
                pages += 1
                #expect(page.cases.count <= limit)
                if page.nextCursor != nil { #expect(page.cases.count == limit) }
                seen += page.cases.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil && pages < 1000
            return (seen, pages)
        }
        let (ids, pages) = try await walk(.init(), limit: 100)
        #expect(pages == 3)
        #expect(ids.count == 250 && Set(ids) == Set(all))
        let full = try await h.stores.cases.caseList(filter: .init(), limit: 1000, cursor: nil, by: lead, acknowledgementWorkingDays: 2, now: base)
        #expect(full.cases.map(\.id) == ids, "pages join up into the one ordering")
        #expect(zip(full.cases, full.cases.dropFirst()).allSatisfy { $0.receivedAt > $1.receivedAt || ($0.receivedAt == $1.receivedAt && $0.id > $1.id) })

        // Overdue filtering across pages (most of these are overdue; the newest few are not).
        let overdue = full.cases.filter(\.overdue).map(\.id)
        let notOverdue = full.cases.filter { !$0.overdue }.map(\.id)
        #expect(!overdue.isEmpty && !notOverdue.isEmpty)
        #expect(try await walk(.init(overdue: true), limit: 7).ids == overdue)
        #expect(try await walk(.init(overdue: false), limit: 3).ids == notOverdue)
        #expect(try await walk(.init(), limit: 1).ids == ids)
        // An exact multiple of the limit ends without an empty page.
        #expect(try await walk(.init(), limit: 125).pages == 2)
    }

    @Test func aMalformedCursorIsRefused() async throws {
        let h = try H()
        let lead = try h.staff(.lead)
        for _ in 0..<3 { _ = try await h.newCase() }
        let first = try await h.stores.cases.caseList(filter: .init(), limit: 1, cursor: nil, by: lead, acknowledgementWorkingDays: 2)
        let good = try #require(first.nextCursor)
        #expect(!good.contains("=") && !good.contains("+") && !good.contains("/"))
        _ = try await h.stores.cases.caseList(filter: .init(), limit: 1, cursor: good, by: lead, acknowledgementWorkingDays: 2)
        func b64(_ s: String) -> String {
            Data(s.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        for bad in ["", "!!!", "not base64 at all", String(repeating: "A", count: 500), b64("v1|yesterday|abc"),
                    b64("v2|2026-03-11 12:00:00.000|abc"), b64("v1|2026-03-11 12:00:00.000|abc' OR 1=1 --"),
                    b64("v1|2026-03-11 12:00:00.000"), good + "%"] {
            await #expect(throws: WorkflowError.invalidCursor, "\(bad)") {
                _ = try await h.stores.cases.caseList(filter: .init(), limit: 1, cursor: bad, by: lead, acknowledgementWorkingDays: 2)
            }
        }
    }
}
