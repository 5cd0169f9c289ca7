import Testing
@testable import ReconcileReports

/// Findings of `scripts/fuzz` (FuzzCSV) kept as ordinary tests: a theme is multi-line free text, and a
/// textarea sends its line breaks as CR LF, which Swift compares as one Character.
@Suite struct CSVCellTests {
    @Test func aLineBreakFromATextareaIsQuotedSoNoRowCanBeForged() {
        let theme = "Bullying on the bus\r\nfigures,referrals_received,9999"
        #expect(ReportContent.csvField(theme) == "\"Bullying on the bus\r\nfigures,referrals_received,9999\"")
    }

    @Test func aCommaOrQuoteCarryingACombiningMarkIsStillQuotedAndDoubled() {
        #expect(ReportContent.csvField("a,\u{301}b") == "\"a,\u{301}b\"")
        #expect(ReportContent.csvField("say \"\u{301}hi") == "\"say \"\"\u{301}hi\"")
    }

    @Test func plainTextIsLeftAlone() {
        #expect(ReportContent.csvField("Bullying on the bus") == "Bullying on the bus")
        #expect(ReportContent.csvField("17") == "17")
    }
}

extension CSVCellTests {
    /// Swift's `Double("…")` accepts these, so an exemption for numbers let them start a cell unneutralised.
    @Test(arguments: ["-inf", "+nan", "-0x1p3", "+1\u{0}=cmd|' /C calc'!A0", "-1"])
    func textThatMerelyParsesAsANumberIsStillNeutralised(_ theme: String) {
        #expect(ReportContent.csvField(theme).hasPrefix("'") || ReportContent.csvField(theme).hasPrefix("\"'"))
    }
}
