import Foundation
import ReconcileCore
import Testing
@testable import ReconcileReports
@testable import ReconcileStore

/// The meeting tables in the reader's model and against an attacker holding a year of releases: meetings by party
/// and by outcome share the meetings asked for; "did it help" adds up to the held cell; in a year to date outcomes
/// and answers are snapshots. GLPK solves the reader's integer programme for the range of every hidden count.
@Suite struct MeetingTablesAuditTests {
    typealias P = Published
    let c = PublishedValue.suppressed
    func n(_ value: Int) -> PublishedValue { .count(value) }

    /// A lone hidden answer, its own total withheld, is pinned through the held cell; protection hides more.
    @Test func aLoneHiddenAnswerIsPinnedThroughTheHeldCellUntilProtected() throws {
        let release = P.release("2026-Q1", [
            ReportTables.meetingsByOutcome: ["held": n(9), "requested": n(6), "total": n(15)],
            ReportTables.meetingHelped: ["5": n(7), "2": c, "total": .withheld],
        ])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, ReportTables.meetingHelped, "2"))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
        let protected = try ReleaseProtection.protect(candidate: release, earlier: [], minimumRange: 2)
        #expect(try DisclosureAudit(releases: [protected]).ranges().allSatisfy { !$0.isNarrower(than: 2) })
    }

    /// The two meeting tables count the same meetings: a party hidden alone is pinned through the outcome total.
    @Test func byPartyAndByOutcomeShareOneTotal() throws {
        let release = P.release("2026-Q1", [
            ReportTables.meetingsByParty: ["school_or_college": n(10), "council_education": c, "total": .withheld],
            ReportTables.meetingsByOutcome: ["requested": n(13), "total": n(13)],
        ])
        let range = try #require(P.range(try DisclosureAudit(releases: [release]).ranges(), release: 0, ReportTables.meetingsByParty, "council_education"))
        #expect(range.minimum == 3 && range.maximum == 3, "\(range)")
        // The referrals total is another population: it pins nothing here.
        let alone = P.release("2026-Q1", figures: ["referrals_received": n(40)],
                              [ReportTables.meetingsByParty: ["school_or_college": n(10), "council_education": c, "total": .withheld]])
        let free = try #require(P.range(try DisclosureAudit(releases: [alone]).ranges(), release: 0, ReportTables.meetingsByParty, "council_education"))
        #expect(free.maximum == nil)
    }

    /// Meetings are held after their quarter is released: the year to date reads outcomes and answers as a snapshot
    /// (the quarters' held cells do not add up to the year's), and still pins an answer through the year's held cell.
    @Test func aYearToDateReadsOutcomesAndAnswersAsASnapshot() throws {
        let q1 = P.release("2026-Q1", [
            ReportTables.meetingsByOutcome: ["requested": n(12), "total": n(12)],
            ReportTables.meetingHelped: ["total": n(0)],
        ])
        let ytd = P.release("2026-Q1", kind: .yearToDate, [
            ReportTables.meetingsByOutcome: ["held": n(12), "total": n(12)],
            ReportTables.meetingHelped: ["4": n(10), "1": c, "total": .withheld],
        ])
        let ranges = try DisclosureAudit(releases: [q1, ytd]).ranges()
        let range = try #require(P.range(ranges, release: 1, ReportTables.meetingHelped, "1"))
        #expect(range.minimum == 2 && range.maximum == 2, "\(range)")
    }

    /// The attacker holds every release of a financial year (four quarters, three years to date, a correction),
    /// built by the service from meetings whose outcomes move after release, with small counts in every table. Each
    /// release goes out, and the integer programme over all of them narrows no hidden meeting count below the
    /// policy's range; no count from one to the threshold is ever shown.
    @Test func anAttackerWithEveryReleaseOfAYearPinsNoSmallMeetingCount() async throws {
        let h = try ReportHarness()
        let months = ["2025-05", "2025-08", "2025-11", "2026-02"]
        let afterYear = ReportHarness.date("2026-04-20T09:00:00Z")
        var meetings: [(caseID: CaseID, id: String)] = []
        var perQuarter: [Int] = []
        for (q, month) in months.enumerated() {
            // Ten asked for in the quarter: mostly the school, one or two of the rarer parties (small counts).
            let parties: [MeetingParty] = Array(repeating: .schoolOrCollege, count: 8 - q) + [.councilEducation]
                + Array(repeating: .councilChildrensServices, count: 1 + q % 2)
            for (i, party) in parties.enumerated() {
                let id = try await h.newCase("\(month)-0\(1 + i % 9)T10:00:00Z")
                meetings.append((id, try await h.meeting(id, "\(month)-1\(i % 9)T10:00:00Z", with: party)))
            }
            perQuarter.append(parties.count)
        }
        // Their course, mostly in the quarter they were asked for; a few change after their quarter is released.
        func progress(_ range: Range<Int>, at day: String) async throws {
            for (k, m) in meetings[range].enumerated() {
                switch k % 5 {
                case 0, 1, 2: try await h.meeting(m.caseID, m.id, .held, day, helped: k % 5 == 2 ? nil : 3 + k % 3)
                case 3: try await h.meeting(m.caseID, m.id, .declinedByOtherParty, day)
                default: try await h.meeting(m.caseID, m.id, .invited, day)
                }
            }
        }
        let quarterEnds = ["2025-06-28T10:00:00Z", "2025-09-28T10:00:00Z", "2025-12-28T10:00:00Z", "2026-03-28T10:00:00Z"]
        var start = 0
        for q in 1...4 {
            let count = perQuarter[q - 1]
            try await progress(start..<(start + count), at: quarterEnds[q - 1])
            let quarter = try #require(Quarter("2025-Q\(q)"))
            _ = try await h.builder.release(councilArea: "shropshire", quarter: quarter, by: "cli", now: afterYear)
            if q == 2 {
                // A meeting of the first quarter is withdrawn late, and that quarter is corrected.
                try await h.meeting(meetings[4].caseID, meetings[4].id, .withdrawn, "2025-10-02T10:00:00Z")
                _ = try await h.builder.release(councilArea: "shropshire", quarter: try #require(Quarter("2025-Q1")), kind: .correction,
                                                by: "cli", now: afterYear)
            }
            if q >= 2 {
                _ = try await h.builder.release(councilArea: "shropshire", quarter: quarter, kind: .yearToDate, by: "cli", now: afterYear)
            }
            start += count
        }
        let ledger = try await h.stores.reports.ledgerReleases(councilArea: "shropshire")
        #expect(ledger.count == 8)
        let threshold = h.policy.threshold
        var hidden = 0
        for release in ledger {
            let tables = try #require(try jsonObject(release.document)["tables"] as? [String: [String: Any]])
            for name in [ReportTables.meetingsByParty, ReportTables.meetingsByOutcome, ReportTables.meetingHelped] {
                let table = try #require(tables[name], "\(name) in every release")
                for (category, value) in table {
                    if let count = value as? Int { #expect(count == 0 || count > threshold, "\(name).\(category) shows \(count)") } else { hidden += 1 }
                }
            }
        }
        #expect(hidden > 0, "the year has small meeting counts to hide")
        let audit = try await h.builder.audit(councilArea: "shropshire", quarter: try #require(Quarter("2025-Q4")))
        #expect(audit.releases.count == 8)
        #expect(audit.disclosing.isEmpty, "\(audit.disclosing)")
        let meetingRanges = audit.ranges.filter { $0.figure.table.hasPrefix("meeting") }
        #expect(!meetingRanges.isEmpty && meetingRanges.allSatisfy { !$0.isNarrower(than: h.policy.minimumRange) })
    }
}
