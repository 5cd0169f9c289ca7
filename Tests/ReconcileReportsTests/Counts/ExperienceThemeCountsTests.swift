import Foundation
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileReports

/// Coded experience themes in the report: consented cases by the quarter each theme was first tagged in.
@Suite struct ExperienceThemeCountsTests {
    @Test func theReportCountsCasesByTheQuarterTheirThemesWereFirstTagged() async throws {
        let h = try ReportHarness()
        let a = try await h.newCase("2025-04-02T09:00:00Z"), b = try await h.newCase("2025-04-03T09:00:00Z")
        let refused = try await h.newCase("2025-04-04T09:00:00Z", consent: false)
        _ = try await h.stores.cases.setExperienceThemes(caseID: a, themes: [.waiting, .beingBelieved], by: h.lead, now: ReportHarness.date("2025-05-01T09:00:00Z"))
        _ = try await h.stores.cases.setExperienceThemes(caseID: b, themes: [.waiting], by: h.lead, now: ReportHarness.date("2025-06-01T09:00:00Z"))
        _ = try await h.stores.cases.setExperienceThemes(caseID: refused, themes: [.waiting], by: h.lead, now: ReportHarness.date("2025-06-01T09:00:00Z"))
        // b gains a theme next quarter: counted then, and its first one stays in Q1.
        _ = try await h.stores.cases.setExperienceThemes(caseID: b, themes: [.waiting, .schoolsResponse], by: h.lead, now: ReportHarness.date("2025-07-10T09:00:00Z"))
        let q1 = try await h.builder.build(councilArea: "shropshire", quarter: Quarter("2025-Q1")!, now: ReportHarness.date("2025-10-01T00:00:00Z")).counts
        let table = try #require(q1.table(ReportTables.experienceThemes))
        #expect(table.counts.filter { $0.value != 0 } == ["waiting": 2, "being_believed": 1] && table.total == 2 && !table.additive)
        let q2 = try await h.builder.build(councilArea: "shropshire", quarter: Quarter("2025-Q2")!, now: ReportHarness.date("2025-10-01T00:00:00Z")).counts
        #expect(q2.table(ReportTables.experienceThemes)?.counts.filter { $0.value != 0 } == ["schools_response": 1])
    }
}
