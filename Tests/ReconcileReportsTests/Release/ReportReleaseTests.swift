import Foundation
import GRDB
import ReconcileCore
import ReconcileDemo
import Sodium
import Testing
@testable import ReconcileReports
@testable import ReconcileStore

@Suite struct ReportReleaseTests {
    typealias H = ReportHarness
    static let q1 = Quarter("2025-Q1")!, q2 = Quarter("2025-Q2")!
    static let afterQ1 = H.date("2025-07-15T09:00:00Z"), afterQ2 = H.date("2025-10-15T09:00:00Z")

    /// `n` referrals received in the quarter starting at `month` (2025), with the given setting.
    func referrals(_ h: H, _ n: Int, month: Int, setting: ReconcileCore.Setting = .secondary) async throws {
        for i in 0..<n { try await h.newCase(String(format: "2025-%02d-%02dT10:00:00Z", month, 1 + i % 28), setting: setting) }
    }

    @Test func aReleaseIsSignedOverItsExactBytesAndVerifiesIndependently() async throws {
        let h = try H()
        try await referrals(h, 12, month: 5)
        let released = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: h.lead.id,
                                                   now: Self.afterQ1)
        let built = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: Self.afterQ1)
        #expect(released.document == built.document, "the signed bytes are the built document")
        #expect(released.kind == "quarter" && released.quarter == "2025-Q1" && released.councilArea == "shropshire")
        let publicKey = ReportSignature.publicKeyBase64(h.keys.signing)
        #expect(ReportSignature.verify(released.document, signatureBase64: released.signature, publicKeyBase64: publicKey))
        #expect(try pythonVerify(document: released.document, signature: released.signature, publicKey: publicKey) == 0)
        var tampered = released.document
        tampered[tampered.count / 2] ^= 0x01
        #expect(!ReportSignature.verify(tampered, signatureBase64: released.signature, publicKeyBase64: publicKey))
        #expect(try pythonVerify(document: tampered, signature: released.signature, publicKey: publicKey) == 1)
        #expect(try pythonVerify(document: released.document, signature: released.signature,
                                 publicKey: ReportSignature.publicKeyBase64(.generate())) == 1)

        // Stored: the exact bytes and signature, readable back for the council.
        let stored = try #require(try await h.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1"))
        #expect(stored == released)
        #expect(try await h.stores.reports.releasedReport(councilArea: "herefordshire", quarter: "2025-Q1") == nil)
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").map(\.id) == [released.id])
        #expect(try await h.stores.reports.releasedReport(id: released.id, councilArea: "shropshire") == released)
        #expect(try await h.stores.reports.releasedReport(id: released.id, councilArea: "herefordshire") == nil)

        // Every figure and every table cell and total is in the ledger; suppressed ones as NULL.
        let cells = try h.db.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT table_name, category, value FROM release_cell WHERE release_id = ?",
                             arguments: [released.id])
        }
        let expected = ReportContent.figureOrder.count + ReportTables.order.reduce(0) { $0 + ReportTables.categories($1).count + 1 }
        #expect(cells.count == expected)
        let value = { (t: String, c: String) -> DatabaseValue? in
            cells.first { ($0["table_name"] as String) == t && ($0["category"] as String) == c }.map { $0["value"] as DatabaseValue }
        }
        #expect(value("figures", "referrals_received") == 12.databaseValue)
        #expect(value("referrals_by_setting", "secondary") == 12.databaseValue)
        #expect(value("referrals_by_setting", "online") == 0.databaseValue)
        #expect(value("figures", "median_days_to_acknowledge") == .null)
        let audit = try h.db.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT actor, action, detail FROM audit_log WHERE action = 'report.release'")
        }
        #expect(audit.count == 1 && audit.first?["actor"] == h.lead.id)
        #expect((audit.first?["detail"] as String?)?.contains("release=\(released.id)") == true)
        #expect(try await h.stores.audit.verifyAuditChain().isIntact)
    }

    @Test func theLedgerRefusesUpdateAndDelete() async throws {
        let h = try H()
        try await referrals(h, 6, month: 4)
        let released = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli", now: Self.afterQ1)
        for sql in ["UPDATE report_release SET document = X'00'", "DELETE FROM report_release",
                    "UPDATE release_cell SET value = 1", "DELETE FROM release_cell", "UPDATE report_release SET kind = 'correction'"] {
            #expect(throws: DatabaseError.self, "\(sql)") { try h.db.writer.write { db in try db.execute(sql: sql) } }
        }
        #expect(try await h.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1") == released)
    }

    @Test func aQuarterIsReleasedOnceThenOnlyCorrected() async throws {
        let h = try H()
        try await referrals(h, 12, month: 5)
        try await referrals(h, 2, month: 6, setting: .online)
        let first = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli", now: Self.afterQ1)
        do {
            _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli",
                                            now: Self.afterQ1.addingTimeInterval(60))
            Issue.record("a second release of the same quarter was accepted")
        } catch ReportError.refused(let problems) {
            #expect(problems == ["2025-Q1 has already been released for Shropshire; release a correction to change it"], "the area in its own name")
        }
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").count == 1)

        // A correction: three more online referrals recorded late. "online" was suppressed (2) and stays so (now 5).
        try await referrals(h, 3, month: 6, setting: .online)
        let correction = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, kind: .correction, by: "cli", now: Self.afterQ1.addingTimeInterval(3600))
        let setting = try #require((try jsonObject(correction.document)["tables"] as? [String: [String: Any]])?["referrals_by_setting"])
        #expect(setting["online"] as? String == "c", "suppressed in the original, so kept suppressed")
        #expect(correction.kind == "correction")
        #expect(try await h.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q1") == correction, "the latest version")
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").map(\.id) == [correction.id, first.id], "newest first")

        // A correction of a quarter never released is refused.
        await #expect(throws: ReportError.self) {
            _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q2, kind: .correction, by: "cli",
                                            now: Self.afterQ2)
        }
    }

    @Test func aQuarterNotYetOverIsRefused() async throws {
        let h = try H()
        try await referrals(h, 6, month: 4)
        await #expect(throws: ReportError.quarterNotOver) {
            _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli",
                                            now: H.date("2025-06-30T22:59:59Z"))
        }
        await #expect(throws: ReportError.unknownCouncilArea) {
            _ = try await h.builder.release(councilArea: "atlantis", quarter: Self.q1, by: "cli", now: Self.afterQ1)
        }
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").isEmpty)
        // The first instant after the quarter (midnight, London summer time) is allowed.
        _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli",
                                        now: H.date("2025-06-30T23:00:00Z"))
    }

    @Test func aYearToDateThatWouldRevealASuppressedQuarterCellIsProtectedAndReleased() async throws {
        let h = try H()
        // Q1: online 2 (suppressed; primary 6 suppressed alongside it); Q2: every setting shown.
        try await referrals(h, 12, month: 4, setting: .secondary)
        try await referrals(h, 6, month: 5, setting: .primary)
        try await referrals(h, 2, month: 6, setting: .online)
        try await referrals(h, 15, month: 7, setting: .secondary)
        try await referrals(h, 10, month: 8, setting: .primary)
        try await referrals(h, 10, month: 9, setting: .online)
        let q1 = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli", now: Self.afterQ2)
        let q1Setting = try #require((try jsonObject(q1.document)["tables"] as? [String: [String: Any]])?["referrals_by_setting"])
        #expect(q1Setting["online"] as? String == "c" && q1Setting["primary"] as? String == "c")
        _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q2, by: "cli", now: Self.afterQ2)

        // On its own the year to date looks safe (online 12, primary 16, secondary 27), but online 12 − Q2's 10
        // would give Q1's 2 back: the year to date goes out with those cells suppressed instead of being refused.
        let ytd = try await h.builder.release(councilArea: "shropshire", quarter: Self.q2, kind: .yearToDate, by: "cli",
                                              now: Self.afterQ2)
        let setting = try #require((try jsonObject(ytd.document)["tables"] as? [String: [String: Any]])?["referrals_by_setting"])
        #expect(setting["online"] as? String == "c" || setting["primary"] as? String == "c", "\(setting)")
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").count == 3)
        // The year's releases together leave every suppressed count at least two possible values.
        let audit = try await h.builder.audit(councilArea: "shropshire", quarter: Self.q2)
        #expect(audit.releases.count == 3 && audit.disclosing.isEmpty && !audit.ranges.isEmpty)
    }

    @Test func aYearToDateThatRevealsNothingIsReleasedUnderItsRange() async throws {
        let h = try H()
        try await referrals(h, 12, month: 5)
        try await referrals(h, 14, month: 8)
        _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: "cli", now: Self.afterQ2)
        _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q2, by: "cli", now: Self.afterQ2)
        let ytd = try await h.builder.release(councilArea: "shropshire", quarter: Self.q2, kind: .yearToDate, by: "cli", now: Self.afterQ2)
        let root = try jsonObject(ytd.document)
        #expect(root["kind"] as? String == "year_to_date")
        #expect((root["figures"] as? [String: Any])?["referrals_received"] as? Int == 26)
        #expect(ytd.kind == "year_to_date")
        #expect(try await h.stores.reports.releasedReport(councilArea: "shropshire", quarter: "2025-Q2")?.kind == "quarter",
                "the council's quarter view is the quarter's own release")
        // The same year to date twice is refused.
        await #expect(throws: ReportError.self) {
            _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q2, kind: .yearToDate, by: "cli",
                                            now: Self.afterQ2)
        }
        let ledger = try await h.stores.reports.ledgerReleases(councilArea: "shropshire")
        #expect(ledger.map(\.summary.kind) == ["quarter", "quarter", "year_to_date"])
    }

    @Test func aThemeHoldingACaseEmailOrPostcodeIsRefusedByNumberWithoutTheValue() async throws {
        let h = try H()
        try await referrals(h, 6, month: 4)
        let email = "Jo.Bloggs-Canary@Example.ORG", postcode = "SY3 8XQ"
        try await h.newCase("2025-05-02T10:00:00Z", name: "Jo Canary-Bloggs", email: email, phone: "07700 900 481",
                      address: "14 Canary Lane\nShrewsbury\n\(postcode)")
        let areas = h.settings.areas.councilAreas
        _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "Families wanted to be heard the same week.",
                                    councilAreas: areas, by: h.lead)
        let bad = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire",
                                          text: "One parent (JO.BLOGGS-CANARY @ example.org) asked for evening calls.",
                                          councilAreas: areas, by: h.lead)
        var refusal: [String] = []
        do {
            _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: h.lead.id, now: Self.afterQ1)
            Issue.record("a theme holding a case's email was released")
        } catch ReportError.refused(let problems) {
            refusal = problems
        }
        #expect(refusal.count == 1 && refusal.first?.hasPrefix("theme 2 ") == true, "\(refusal)")

        // Withdraw it; a theme with the postcode written differently is refused as well.
        #expect(try await h.stores.reports.removeTheme(id: bad, by: h.lead))
        _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "Someone near sy38xq felt unheard.",
                                    councilAreas: areas, by: h.lead)
        do {
            _ = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: h.lead.id, now: Self.afterQ1)
            Issue.record("a theme holding a case's postcode was released")
        } catch let error as ReportError {
            guard case .refused(let problems) = error else { Issue.record("\(error)"); return }
            #expect(problems.count == 1 && problems.first?.hasPrefix("theme 2 ") == true)
            refusal += problems + [error.description]
        }
        let leaked = [email, email.lowercased(), postcode, "sy38xq", "SY38XQ", "Canary", "canary", "07700"]
        for text in refusal { for value in leaked { #expect(!text.contains(value), "a refusal message holds a personal value") } }
        let auditText = try await h.db.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT actor, action, detail FROM audit_log").map { "\($0)" }.joined(separator: "\n")
        }
        for value in leaked { #expect(!auditText.contains(value), "the audit log holds a personal value") }
        #expect(try await h.stores.reports.releasedReports(councilArea: "shropshire").isEmpty)

        // Clean themes are released, in approval order.
        let themes = try await h.stores.reports.themes(quarter: Self.q1, councilArea: "shropshire")
        #expect(try await h.stores.reports.removeTheme(id: themes[1].id, by: h.lead))
        let released = try await h.builder.release(councilArea: "shropshire", quarter: Self.q1, by: h.lead.id,
                                                   now: Self.afterQ1)
        #expect(try jsonObject(released.document)["themes"] as? [String] == ["Families wanted to be heard the same week."])
    }

    @Test func themesAreForLeadsAndBounded() async throws {
        let h = try H()
        let areas = h.settings.areas.councilAreas
        let practitioner = StaffActor(id: "p", role: .practitioner)
        await #expect(throws: CaseAccessError.forbidden) {
            _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "x", councilAreas: areas, by: practitioner)
        }
        await #expect(throws: ThemeError.empty) {
            _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "  \n ", councilAreas: areas, by: h.lead)
        }
        await #expect(throws: ThemeError.tooLong) {
            _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: String(repeating: "a", count: 2001),
                                        councilAreas: areas, by: h.lead)
        }
        await #expect(throws: ThemeError.unknownCouncilArea) {
            _ = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "atlantis", text: "x", councilAreas: areas, by: h.lead)
        }
        let id = try await h.stores.reports.addTheme(quarter: Self.q1, councilArea: "shropshire", text: "  " + String(repeating: "a", count: 2000) + " ",
                                         councilAreas: areas, by: h.lead)
        let themes = try await h.stores.reports.themes(quarter: Self.q1, councilArea: "shropshire")
        #expect(themes.map(\.id) == [id] && themes.first?.text.count == 2000 && themes.first?.quarter == "2025-Q1")
        #expect(try await h.stores.reports.themes(quarter: Self.q2, councilArea: "shropshire").isEmpty)
        let actions = try await h.db.reader.read { db in try String.fetchAll(db, sql: "SELECT action FROM audit_log") }
        #expect(actions == ["theme.add"])
    }

    @Test func personalValueScreenMatchesValuesNotWords() {
        var screen = PersonalValueScreen()
        screen.add(name: "Sam", email: "Sam.Smith@Example.org", phone: "+44 7700 900123", address: "Flat 2, 9 High St\nLudlow SY8 1AA")
        screen.add(name: "Ann Lee", email: nil, phone: nil, address: nil)
        screen.add(name: "Al", email: nil, phone: "12", address: nil)   // shorter than 3: ignored
        #expect(screen.matches("We spoke to sam about it"))
        #expect(screen.matches("SAM's family"))
        #expect(!screen.matches("the same school"), "a name matches as a word, not inside one")
        #expect(screen.matches("ann  LEE said") && screen.matches("annlee@somewhere"))
        #expect(screen.matches("write to sam . smith @ example . org"))
        #expect(screen.matches("call 07700 900123") && screen.matches("ring (07700) 900-123") && screen.matches("0044 7700 900 123")
                && screen.matches("447700900123"))
        #expect(screen.matches("near sy8 1aa") && screen.matches("NEAR SY81AA") && screen.matches("at 9 high st"))
        #expect(!screen.matches("Ludlow families said"), "a town alone is not screened")
        #expect(!screen.matches("Al and 12 others"))
        #expect(!screen.matches("in 2025 we saw 12 families"))
        #expect(PersonalValueScreen.postcodes(in: "a, B1 1AA and ec1a1bb, not 12 3AB") == ["B11AA", "ec1a1bb"])
    }

    @Test func demoSeedIsDeterministicWithASeed() async throws {
        let directory = try H.shippedDirectory()
        let now = H.date("2025-08-01T09:00:00Z")
        func seeded(_ seed: UInt64) async throws -> (H, [UInt8]) {
            let h = try H()
            let count = try await h.stores.seedDemo(
                DemoSeedRequest(cases: 40, councilArea: "shropshire", quarter: Self.q1, seed: seed, quarterStartMonth: 4),
                directory: directory, councilAreas: h.settings.areas.councilAreas, passwordCost: .minimum, now: now)
            #expect(count == 40)
            let report = try await h.builder.build(councilArea: "shropshire", quarter: Self.q1, now: now)
            return (h, report.document)
        }
        let (h, a) = try await seeded(7)
        let (_, b) = try await seeded(7)
        let (_, c) = try await seeded(8)
        #expect(a == b, "the same seed gives the same report")
        #expect(a != c, "another seed gives other data")

        // Every referral is in the quarter, worked by the demo lead, with obviously fictional contact values.
        let rows = try h.db.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT id, received_at, stage FROM referral_case")
        }
        let start = Self.q1.start(startMonth: 4), end = Self.q1.end(startMonth: 4)
        #expect(rows.count == 40 && rows.allSatisfy { ($0["received_at"] as Date) >= start && ($0["received_at"] as Date) < end })
        #expect(Set(rows.map { $0["stage"] as String }).count >= 4, "realistic spread of stages")
        let first = try h.stores.intake.decryptedReferral(caseID: rows[0]["id"])
        #expect(first.contact.email?.hasSuffix("@example.invalid") == true && first.contact.name?.hasPrefix("Demo ") == true)
        let lead = try #require(try await h.stores.staff.staffAccount(email: DemoSeed.leadEmail))
        #expect(lead.role == .lead)
        let outside = try await h.db.reader.read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM case_event WHERE at < ? OR at >= ?)
                     + (SELECT COUNT(*) FROM listening_session WHERE held_on < '2025-04-01' OR held_on > '2025-06-30')
                """, arguments: [start, end])
        }
        #expect(outside == 0, "every step is dated inside the quarter")
        let levels = try h.db.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT level_of_need, COUNT(*) AS n FROM assessment GROUP BY 1")
        }
        #expect(!levels.isEmpty)
        // A second seed run reuses the demo lead.
        _ = try await h.stores.seedDemo(DemoSeedRequest(cases: 1, councilArea: "shropshire", quarter: Self.q1, seed: 1, quarterStartMonth: 4),
                                    directory: directory, councilAreas: h.settings.areas.councilAreas,
                                    passwordCost: .minimum, now: now)
        let leads = try await h.db.reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM staff_account WHERE email = ?", arguments: [DemoSeed.leadEmail])
        }
        #expect(leads == 1)
    }

    @Test func aReleaseAfterDemoSeedShowsNoCountFromOneToFour() async throws {
        let h = try H()
        let now = H.date("2025-08-01T09:00:00Z")
        _ = try await h.stores.seedDemo(
            DemoSeedRequest(cases: 60, councilArea: "worcestershire", quarter: Self.q1, seed: 7, quarterStartMonth: 4),
            directory: try H.shippedDirectory(), councilAreas: h.settings.areas.councilAreas, passwordCost: .minimum,
            now: now)
        let released = try await h.builder.release(councilArea: "worcestershire", quarter: Self.q1, by: "cli", now: now)
        let small = try smallCounts(released.document)
        #expect(small.isEmpty, "\(small)")
        let text = String(decoding: released.document, as: UTF8.self)
        #expect(text.contains(#""c""#), "some small counts were suppressed")
        let figures = try #require(try jsonObject(released.document)["figures"] as? [String: Any])
        #expect(figures["referrals_received"] as? Int ?? 0 > 40)
    }

    @Test func demoSeedRefusesBadRequests() async throws {
        let h = try H()
        let directory = try H.shippedDirectory()
        let areas = h.settings.areas.councilAreas
        await #expect(throws: DemoSeedError.invalidCount) {
            _ = try await h.stores.seedDemo(DemoSeedRequest(cases: 0, councilArea: "shropshire", quarter: Self.q1, seed: 1, quarterStartMonth: 4),
                                        directory: directory, councilAreas: areas, passwordCost: .minimum)
        }
        await #expect(throws: DemoSeedError.unknownCouncilArea) {
            _ = try await h.stores.seedDemo(DemoSeedRequest(cases: 1, councilArea: "atlantis", quarter: Self.q1, seed: 1, quarterStartMonth: 4),
                                        directory: directory, councilAreas: areas, passwordCost: .minimum)
        }
        await #expect(throws: DemoSeedError.quarterNotStarted) {
            _ = try await h.stores.seedDemo(DemoSeedRequest(cases: 1, councilArea: "shropshire", quarter: Self.q1, seed: 1, quarterStartMonth: 4),
                                        directory: directory, councilAreas: areas, passwordCost: .minimum,
                                        now: H.date("2025-03-01T00:00:00Z"))
        }
    }
}
