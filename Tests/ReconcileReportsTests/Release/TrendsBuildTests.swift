import Testing
@testable import ReconcileReports

/// `Trends` over hand-made releases: eight consecutive quarters ending at the latest release, years to date left
/// out, a change on the year only between shown counts.
@Suite struct TrendsBuildTests {
    @Test func theYearOnYearChangeIsGivenOnlyBetweenShownCounts() throws {
        func doc(_ quarter: String, _ referrals: PublishedValue) -> [UInt8] {
            let content = Published.release(quarter, figures: ["referrals_received": referrals], [:])
            return Array(content.json.bytes)
        }
        let documents: [(kind: String, document: [UInt8])] = [
            ("quarter", doc("2024-Q1", .count(10))), ("quarter", doc("2024-Q2", .suppressed)), ("quarter", doc("2025-Q1", .count(14))),
            ("quarter", doc("2025-Q2", .count(9))), ("year_to_date", doc("2025-Q2", .count(23))),
        ]
        let trend = try Trends.trend("referrals_received", documents: documents)
        #expect(trend.points.map(\.quarter) == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"])
        #expect(trend.points[6].change == 4 && trend.points[7].change == nil, "Q2 a year before was suppressed: no change given")
        #expect(trend.points[4].value == nil, "2024-Q3 was never released")
        #expect(!trend.svg().contains("<script") && trend.svg().contains(">c<"))
    }
}
