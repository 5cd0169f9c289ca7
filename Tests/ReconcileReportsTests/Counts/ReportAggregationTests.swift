import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileReports
@testable import ReconcileStore

/// 2025-Q1 is April–June 2025 (British Summer Time: the quarter ends 2025-06-30T23:00:00Z).
@Suite struct ReportAggregationTests {
    typealias H = ReportHarness
    static let q1 = Quarter("2025-Q1")!
    static let after = H.date("2025-08-01T09:00:00Z")

    /// A hand-built quarter: every case below says which figures it should land in.
    static func handBuilt() async throws -> H {
        let h = try H()
        // c1: received, acknowledged next day (within target), listened, assessed level 2, signposted (accepted), completed.
        let c1 = try await h.newCase("2025-04-01T08:00:00Z", role: .parentOrCarer, setting: .secondary,
                               harm: [.sexualAssault, .onlineOrImageBased], when: .oneToThreeYears, told: [.school],
                               wishes: [.toBeListenedTo])
        try await h.acknowledge(c1, "2025-04-02T10:00:00Z")
        try await h.listen(c1, "2025-04-07T10:00:00Z")
        try await h.assess(c1, "2025-04-10T10:00:00Z", level: .additional, needs: [.counselling, .emotionalSupport])
        let s1 = try await h.signpost(c1, "2025-04-11T10:00:00Z", need: .counselling)
        try await h.outcome(c1, s1, .accepted, "2025-04-20T10:00:00Z")
        try await h.close(c1, .completed, "2025-05-01T10:00:00Z")

        // c2: received on a Friday, acknowledged the next Wednesday (5 days, late), two sessions, assessed level 3 then
        // revised to 4 (the first assessment counts), signposted (pending), one safeguarding escalation; open at end.
        let c2 = try await h.newCase("2025-04-04T16:00:00Z", role: .youngPerson, setting: .primary, harm: [.sexualHarassment],
                               when: .underOneYear, told: [.none], wishes: [.counselling, .independentLegalAdvice])
        try await h.acknowledge(c2, "2025-04-09T09:00:00Z")
        try await h.listen(c2, "2025-04-10T10:00:00Z")
        try await h.listen(c2, "2025-04-20T10:00:00Z")
        try await h.assess(c2, "2025-04-22T10:00:00Z", level: .complex, needs: [.independentLegalAdvice])
        try await h.signpost(c2, "2025-04-23T10:00:00Z", need: .independentLegalAdvice)
        try await h.safeguard(c2, "2025-04-25T10:00:00Z")
        try await h.assess(c2, "2025-05-02T10:00:00Z", level: .acuteOrSpecialist, needs: [.mentalHealth])

        // c3: received on a Saturday, acknowledged Monday (2 days, within), closed withdrawn.
        let c3 = try await h.newCase("2025-05-10T12:00:00Z", role: .parentOrCarer, setting: .secondary, harm: [.sexualAssault],
                               when: .overThreeYears, told: [.school, .police], wishes: [.toBeListenedTo])
        try await h.acknowledge(c3, "2025-05-12T09:00:00Z")
        try await h.close(c3, .withdrawn, "2025-06-01T10:00:00Z")

        // c4: received 22:00 London time on the quarter's last day: in the quarter; never acknowledged; open at end.
        try await h.newCase("2025-06-30T21:00:00Z", role: .otherFamilyMember, setting: .online, harm: [.onlineOrImageBased],
                      when: .underOneYear, told: [.none], wishes: [.informationOnly])

        // c5: received in the previous quarter; first assessment (level 1) and a session in this one; closed after it.
        let c5 = try await h.newCase("2025-03-20T10:00:00Z")
        try await h.acknowledge(c5, "2025-03-20T12:00:00Z")
        try await h.listen(c5, "2025-03-25T10:00:00Z")
        try await h.assess(c5, "2025-04-02T10:00:00Z", level: .universal, needs: [.information])
        try await h.listen(c5, "2025-04-03T10:00:00Z")
        try await h.close(c5, .declined, "2025-07-02T10:00:00Z")

        // c6: received and closed in the previous quarter: nothing.
        let c6 = try await h.newCase("2025-02-01T10:00:00Z")
        try await h.close(c6, .withdrawn, "2025-02-10T10:00:00Z")

        // c7: no consent to statistics: counted only as not consenting, whatever was done.
        let c7 = try await h.newCase("2025-04-15T10:00:00Z", consent: false, setting: .college)
        try await h.acknowledge(c7, "2025-04-16T10:00:00Z")
        try await h.listen(c7, "2025-04-17T10:00:00Z")
        try await h.safeguard(c7, "2025-04-18T10:00:00Z")
        try await h.close(c7, .declined, "2025-04-19T10:00:00Z")

        // c8: another council area.
        try await h.newCase("2025-05-20T10:00:00Z", area: "herefordshire")

        // c9: 00:30 London time on 1 July: the next quarter.
        try await h.newCase("2025-06-30T23:30:00Z")

        // c10: erased, but its statistics stay and count; open at end.
        let c10 = try await h.newCase("2025-05-05T10:00:00Z", setting: .college, harm: [.otherHarmfulSexualBehaviour],
                                when: .preferNotToSay, told: [.health], wishes: [.socialSupport])
        // Feedback: c1 and c3 answer in the quarter (c3 only one question, then replaces it the same quarter),
        // c7 did not consent (not counted), c2 answers in the next quarter.
        try await h.feedback(c1, "2025-05-02T10:00:00Z", listenedTo: 5, believed: 4, helpWasRight: 5, comment: "thank you")
        try await h.feedback(c3, "2025-06-02T10:00:00Z", believed: 2)
        try await h.feedback(c3, "2025-06-03T10:00:00Z", listenedTo: 3, believed: 3)
        try await h.feedback(c7, "2025-05-02T10:00:00Z", listenedTo: 1)
        try await h.feedback(c2, "2025-07-02T10:00:00Z", listenedTo: 1)
        // Complaints received in the quarter (Thu 3 Apr 2025): answered in 10, 11, 21 working days, and not yet;
        // one about the non-consenting c7 (not counted); compliments; one received in the next quarter.
        try await h.complaint(.complaint, received: "2025-04-03", responded: "2025-04-17")   // 10 working days
        try await h.complaint(.complaint, received: "2025-04-03", responded: "2025-04-18")   // 11
        try await h.complaint(.complaint, received: "2025-04-03", responded: "2025-05-02")   // 21
        try await h.complaint(.complaint, received: "2025-06-30")
        try await h.complaint(.complaint, received: "2025-05-01", caseID: c7)
        try await h.complaint(.compliment, received: "2025-05-01", caseID: c1)
        try await h.complaint(.compliment, received: "2025-06-30", responded: "2025-07-01")
        try await h.complaint(.complaint, received: "2025-07-01")
        try h.erase(c10)
        return h
    }

    func expectTable(_ counts: ReportCounts, _ name: String, _ expected: [String: Int], total: Int,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let table = counts.table(name) else {
            Issue.record("no table \(name)", sourceLocation: sourceLocation)
            return
        }
        #expect(table.categories == ReportTables.categories(name), "\(name): every category of the fixed list",
                sourceLocation: sourceLocation)
        let nonZero = table.counts.filter { $0.value != 0 }
        #expect(nonZero == expected, "\(name)", sourceLocation: sourceLocation)
        #expect(table.total == total, "\(name) total", sourceLocation: sourceLocation)
    }

    @Test func everyFigureAndTableIsCountedExactly() async throws {
        let h = try await Self.handBuilt()
        let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        let c = report.counts
        #expect(c.referralsReceived == 5)
        #expect(c.notConsented == 1)
        #expect(c.listeningSessions == 4)
        #expect(c.safeguardingEscalations == 1)
        #expect(c.openCasesAtEnd == 4)
        #expect(c.acknowledgementDays.sorted() == [1, 2, 5])
        #expect(c.acknowledgedWithinTarget == 2)
        #expect(c.medianDaysToAcknowledge == 2)

        expectTable(c, "referrals_by_referrer_role", ["parent_or_carer": 3, "young_person": 1, "other_family_member": 1], total: 5)
        expectTable(c, "referrals_by_setting", ["secondary": 2, "primary": 1, "online": 1, "college": 1], total: 5)
        expectTable(c, "referrals_by_harm", ["sexual_assault": 2, "online_or_image_based": 2, "sexual_harassment": 1,
                                             "other_harmful_sexual_behaviour": 1], total: 5)
        expectTable(c, "referrals_by_when", ["1_to_3_years": 1, "under_1_year": 2, "over_3_years": 1, "prefer_not_to_say": 1], total: 5)
        expectTable(c, "referrals_by_told_before", ["school": 2, "none": 2, "police": 1, "health": 1], total: 5)
        expectTable(c, "referrals_by_wishes", ["to_be_listened_to": 2, "counselling": 1, "independent_legal_advice": 1,
                                               "information_only": 1, "social_support": 1], total: 5)
        expectTable(c, "level_of_need", ["1": 1, "2": 1, "3": 1], total: 3)
        expectTable(c, "needs_identified", ["counselling": 1, "emotional_support": 1, "independent_legal_advice": 1,
                                            "information": 1], total: 3)
        expectTable(c, "signposts_by_need", ["counselling": 1, "independent_legal_advice": 1], total: 2)
        expectTable(c, "signposts_by_outcome", ["accepted": 1, "pending": 1], total: 2)
        expectTable(c, "closures_by_reason", ["completed": 1, "withdrawn": 1], total: 2)
        expectTable(c, "feedback_listened_to", ["5": 1, "3": 1], total: 2)
        expectTable(c, "feedback_believed", ["4": 1, "3": 1], total: 2)
        expectTable(c, "feedback_help_was_right", ["5": 1, "not_answered": 1], total: 2)
        expectTable(c, "complaints_by_kind", ["complaint": 4, "compliment": 2], total: 6)
        expectTable(c, "complaints_by_response_time", ["within_10_working_days": 1, "11_to_20_working_days": 1,
                                                       "over_20_working_days": 1, "not_yet_responded": 1], total: 4)
        #expect(c.tables.map(\.name) == ReportTables.order)
        #expect(c.tables.filter { !$0.additive }.map(\.name).sorted()
                == ["experience_themes", "needs_identified", "referrals_by_harm", "referrals_by_pattern", "referrals_by_told_before", "referrals_by_wishes",
                    "safeguarding_by_route"])
    }

    @Test func theNextQuarterAndOtherAreasAreSeparate() async throws {
        let h = try await Self.handBuilt()
        let q2 = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1.next, now: Self.after).counts
        #expect(q2.referralsReceived == 1, "only the case received at 00:30 on 1 July")
        #expect(q2.table("closures_by_reason")?.counts["declined"] == 1, "c5 closed on 2 July")
        #expect(q2.table("level_of_need")?.total == 0, "a revised assessment does not count the case again")
        #expect(q2.openCasesAtEnd == 4, "c2, c4, c9, c10")
        let hereford = try await h.builder.build(councilArea: "herefordshire", quarter: Self.q1, now: Self.after).counts
        #expect(hereford.referralsReceived == 1 && hereford.openCasesAtEnd == 1 && hereford.notConsented == 0)
    }

    @Test func nonConsentingCasesAreOnlyCountedAsNotConsenting() async throws {
        let h = try H()
        for day in 1...6 {
            let id = try await h.newCase("2025-05-0\(day)T10:00:00Z", consent: false, setting: .college)
            try await h.acknowledge(id, "2025-05-0\(day)T11:00:00Z")
            try await h.listen(id, "2025-05-0\(day)T12:00:00Z")
            try await h.safeguard(id, "2025-05-0\(day)T13:00:00Z")
        }
        let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        #expect(report.counts.notConsented == 6)
        #expect(report.counts.referralsReceived == 0 && report.counts.listeningSessions == 0)
        #expect(report.counts.safeguardingEscalations == 0 && report.counts.openCasesAtEnd == 0)
        #expect(report.counts.acknowledgementDays.isEmpty)
        #expect(report.counts.tables.allSatisfy { $0.total == 0 && $0.counts.values.allSatisfy { $0 == 0 } })
        let figures = try #require(try jsonObject(report.document)["figures"] as? [String: Any])
        #expect(figures["not_consented_to_statistics"] as? Int == 6, "one protected figure, shown when above the threshold")
        #expect(figures["referrals_received"] as? Int == 0)
    }

    @Test func theDocumentHasTheContractShapeAndSuppressesSmallCounts() async throws {
        let h = try await Self.handBuilt()
        let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        let root = try jsonObject(report.document)
        #expect(Set(root.keys) == ["quarter", "council_area", "kind", "generated_at", "policy", "figures", "tables", "themes", "voices"])
        #expect(root["quarter"] as? String == "2025-Q1" && root["council_area"] as? String == "shropshire")
        #expect(root["kind"] as? String == "quarter" && root["generated_at"] as? String == "2025-08-01T09:00:00Z")
        let policy = try #require(root["policy"] as? [String: Any])
        #expect(policy["threshold"] as? Int == 4 && policy["suppression_marker"] as? String == "c")
        #expect(policy["rounding_base"] is NSNull && policy["minimum_base_for_percent"] as? Int == 10)
        let figures = try #require(root["figures"] as? [String: Any])
        #expect(Set(figures.keys) == Set(ReportContent.figureOrder))
        for name in ["not_consented_to_statistics", "listening_sessions", "safeguarding_escalations", "open_cases_at_end"] {
            #expect(figures[name] as? String == "c", "\(name) is 1–4 here and suppressed")
        }
        #expect(figures["referrals_received"] as? Int == 5)
        #expect(figures["median_days_to_acknowledge"] is NSNull, "a base of 3 is below the minimum of 10")
        #expect(figures["acknowledged_within_target_percent"] is NSNull)
        let tables = try #require(root["tables"] as? [String: [String: Any]])
        #expect(Set(tables.keys) == Set(ReportTables.order))
        for name in ReportTables.order {
            let cells = try #require(tables[name])
            #expect(Set(cells.keys) == Set(ReportTables.categories(name) + ["total"]), "\(name): every category and total")
            let raw = try #require(report.counts.table(name))
            for category in ReportTables.categories(name) + ["total"] {
                let n = category == "total" ? raw.total : raw.count(category)
                if (1...4).contains(n) { #expect(cells[category] as? String == "c", "\(name).\(category)") }
                if n == 0 { #expect(cells[category] as? Int == 0, "\(name).\(category): zeros are shown") }
            }
        }
        #expect(try smallCounts(report.document).isEmpty)
        #expect((root["themes"] as? [Any])?.isEmpty == true)
    }

    @Test func largerCountsAreShownWithTheMedianAndShareWithinTarget() async throws {
        let h = try H()
        // Fifteen referrals on Monday 7 April 2025: 8 acknowledged Tuesday, 2 Wednesday (within the 2 working days),
        // 5 Thursday (late).
        for i in 0..<15 {
            let id = try await h.newCase("2025-04-07T09:00:00Z", setting: i < 10 ? .secondary : .primary)
            let day = i < 8 ? "08" : i < 10 ? "09" : "10"
            try await h.acknowledge(id, "2025-04-\(day)T09:00:00Z")
        }
        let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        #expect(report.counts.acknowledgedWithinTarget == 10)
        let root = try jsonObject(report.document)
        let figures = try #require(root["figures"] as? [String: Any])
        #expect(figures["referrals_received"] as? Int == 15)
        #expect(figures["open_cases_at_end"] as? Int == 15)
        #expect((figures["median_days_to_acknowledge"] as? NSNumber)?.doubleValue == 1)
        #expect((figures["acknowledged_within_target_percent"] as? NSNumber)?.doubleValue == 66.7)
        let setting = try #require((root["tables"] as? [String: [String: Any]])?["referrals_by_setting"])
        #expect(setting["secondary"] as? Int == 10 && setting["primary"] as? Int == 5 && setting["total"] as? Int == 15)
        #expect(setting["online"] as? Int == 0)
        let text = String(decoding: report.document, as: UTF8.self)
        #expect(text.contains(#"{"acknowledged_within_target_percent":66.7,"cases_reopened":0,"duplicate_referrals":0,"listening_sessions":0,"median_days_to_acknowledge":1,"#))
    }

    @Test func theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        var counts = ReportCounts()
        counts.acknowledgementDays = [4, 1, 3, 2]
        #expect(counts.medianDaysToAcknowledge == 2.5)
        counts.acknowledgementDays = []
        #expect(counts.medianDaysToAcknowledge == nil)
        #expect(CanonicalJSON.number(2.5).bytes == Array("2.5".utf8))
        #expect(CanonicalJSON.number(66.66666).bytes == Array("66.7".utf8))
        #expect(CanonicalJSON.number(3).bytes == Array("3".utf8))
    }

    @Test func theDocumentIsCanonicalAndStableByteForByte() async throws {
        let h = try await Self.handBuilt()
        _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "Families want \"quick\" replies\nand ünïcode",
                                    councilAreas: h.settings.areas.councilAreas, by: h.lead)
        let first = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        let second = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        #expect(first.document == second.document)
        let text = String(decoding: first.document, as: UTF8.self)
        #expect(!text.contains(" :") && !text.contains(": ") && !text.contains("\n") && !text.contains(", "))
        #expect(text.hasPrefix(#"{"council_area":"shropshire","figures":{"acknowledged_within_target_percent":null,"#))
        #expect(text.contains(#""themes":["Families want \"quick\" replies\nand ünïcode"],"voices":[]}"#))
        // Re-encoding the parsed document gives the same bytes: the form is canonical.
        #expect(try CanonicalJSON.parse(first.document).bytes == first.document)
        // A different generated_at changes only that field.
        let later = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after.addingTimeInterval(60))
        #expect(String(decoding: later.document, as: UTF8.self)
                == text.replacingOccurrences(of: "2025-08-01T09:00:00Z", with: "2025-08-01T09:01:00Z"))
    }

    @Test func csvAndHtmlCarryTheSameFiguresAsTheJson() async throws {
        let h = try await Self.handBuilt()
        for i in 0..<12 { try await h.newCase("2025-05-1\(i % 10)T09:00:00Z", setting: .online) }
        _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "=HYPERLINK(\"x\") <script>alert(1)</script>",
                                    councilAreas: h.settings.areas.councilAreas, by: h.lead)
        let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.after)
        let csv = report.csv()
        #expect(csv == (try ReportBuilder.csv(for: report.document)))
        #expect(csv.hasPrefix("table,table_title,category,category_label,value\r\n"))
        #expect(csv.contains("\r\nfigures,Headline figures,referrals_received,Referrals received (families who agreed to be counted),17\r\n"))
        #expect(csv.contains("\r\nreferrals_by_setting,Referrals by where it happened,online,Online,13\r\n"))
        #expect(csv.contains("\r\nreferrals_by_setting,Referrals by where it happened,primary,Primary school,[c]\r\n"), "[c], never a number")
        #expect(csv.contains("\r\nreferrals_by_setting,Referrals by where it happened,special_school,Special school,0\r\n"))
        #expect(csv.contains("\r\n\r\nnote,text\r\n"), "a notes section after a blank line")
        #expect(csv.contains("\r\ntheme_1,\"Lesson learned: =HYPERLINK(\"\"x\"\") <script>alert(1)</script>\"\r\n"), "quotes doubled")
        let html = report.html()
        #expect(html == (try ReportBuilder.html(for: report.document)))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.contains("role=\"img\""))
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;"))
        #expect(!html.contains("style=") && !html.contains("<style"), "nothing the Content-Security-Policy would block")
        #expect(html.contains("<td>17</td>"))
    }

    @Test func anUnknownAreaIsRefused() async throws {
        let h = try H()
        await #expect(throws: ReportError.unknownCouncilArea) {
            _ = try await h.builder.build(councilArea: "atlantis", quarter: Self.q1, now: Self.after)
        }
    }
}
