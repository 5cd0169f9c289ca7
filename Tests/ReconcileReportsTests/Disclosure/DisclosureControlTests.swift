import Foundation
import Testing
@testable import ReconcileReports

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator, so every random case can be replayed
/// from the seed printed when it fails.
struct DisclosureSplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed for a run of property cases: `DISCLOSURE_SEED` replays one, otherwise a fixed default.
let disclosureBaseSeed: UInt64 = ProcessInfo.processInfo.environment["DISCLOSURE_SEED"].flatMap { UInt64($0) } ?? 20_260_401
/// How many times its default each costly property loop runs: `PROPERTY_SCALE=10` for a long run before a release
/// (and with `DISCLOSURE_SEED`, new cases); the default keeps the whole suite within a couple of minutes.
let propertyScale: Int = ProcessInfo.processInfo.environment["PROPERTY_SCALE"].flatMap { Int($0) }.map { max(1, $0) } ?? 1

@Suite struct DisclosureControlTests {
    static let policy = DisclosurePolicy()

    func table(_ counts: [String: Int], total: Int? = nil, additive: Bool = true, name: String = "t") -> RawTable {
        RawTable(name: name, counts: counts, total: total ?? counts.values.reduce(0, +), additive: additive)
    }

    func protect(_ table: RawTable, _ policy: DisclosurePolicy = policy) -> ProtectedTable {
        DisclosureControl.protect([table], policy: policy)[0]
    }

    // MARK: - Hand-written cases

    @Test func aLoneSmallCellTakesTheSmallestOtherNonZeroCellWithIt() {
        let result = protect(table(["a": 3, "b": 10, "c": 12, "d": 0]))
        #expect(result.cells == ["a": .suppressed, "b": .suppressed, "c": .count(12), "d": .count(0)])
        #expect(result.total == .count(25))
        #expect(result.name == "t")
    }

    @Test func tiesForTheSecondaryCellAreBrokenByName() {
        let result = protect(table(["z": 2, "m": 8, "b": 8, "x": 30]))
        #expect(result.cells == ["z": .suppressed, "b": .suppressed, "m": .count(8), "x": .count(30)])
    }

    @Test func zeroCellsAreNeverTheSecondaryChoice() {
        let result = protect(table(["a": 3, "b": 0, "c": 0, "d": 40]))
        #expect(result.cells == ["a": .suppressed, "b": .count(0), "c": .count(0), "d": .suppressed])
        #expect(result.total == .count(43))
    }

    @Test func aLoneSuppressedCellWithNoOtherNonZeroCellSuppressesTheTotal() {
        // The total counts something the categories do not (say, "not recorded"): 3 is the only non-zero cell.
        let result = protect(table(["a": 3, "b": 0], total: 20))
        #expect(result.cells == ["a": .suppressed, "b": .count(0)])
        #expect(result.total == .suppressed)
    }

    @Test func twoSuppressedOnesWouldBePinnedSoAThirdCellGoes() {
        // c + c = 2 with each c ≥ 1 (zeros are shown) gives both away: a third cell is suppressed too.
        let result = protect(table(["a": 1, "b": 1, "c": 20, "d": 30]))
        #expect(result.cells == ["a": .suppressed, "b": .suppressed, "c": .suppressed, "d": .count(30)])
        #expect(result.total == .count(52))
    }

    @Test func allOnesAndNothingElseSuppressesTheTotal() {
        let result = protect(table(["a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0]))
        #expect(result.cells.values.filter(\.isSuppressed).count == 5)
        #expect(result.cells["f"] == .count(0))
        #expect(result.total == .suppressed)
    }

    @Test func aSmallTotalIsSuppressedWithItsCells() {
        let result = protect(table(["a": 2, "b": 1, "c": 0]))
        #expect(result.cells == ["a": .suppressed, "b": .suppressed, "c": .count(0)])
        #expect(result.total == .suppressed)
    }

    @Test func multiSelectTablesGetOnlyPrimarySuppression() {
        // Each referral may tick several harms: cells need not add up to the total, so nothing can be solved for.
        let result = protect(table(["a": 3, "b": 12, "c": 7, "d": 0], total: 15, additive: false))
        #expect(result.cells == ["a": .suppressed, "b": .count(12), "c": .count(7), "d": .count(0)])
        #expect(result.total == .count(15))
        let small = protect(table(["a": 3, "b": 2], total: 4, additive: false))
        #expect(small.cells == ["a": .suppressed, "b": .suppressed])
        #expect(small.total == .suppressed)
    }

    @Test func multiSelectCellPinnedByTheAtLeastOneTickInequalityTakesAnotherCell() {
        // 16 referrals, each ticking at least one harm; 12 ticked "a", so "b" ≥ 4, and as a `c` it is ≤ 4.
        let result = protect(table(["a": 12, "b": 4], total: 16, additive: false))
        #expect(result.cells == ["a": .suppressed, "b": .suppressed])
        #expect(result.total == .count(16))
        let notPinned = protect(table(["a": 13, "b": 4], total: 16, additive: false))   // b ∈ 3...4
        #expect(notPinned.cells == ["a": .count(13), "b": .suppressed])
    }

    @Test func roundingIsToTheNearestMultipleHalvesUpAfterSuppression() {
        var policy = DisclosurePolicy()
        policy.roundingBase = 5
        let result = protect(table(["a": 12, "b": 13, "c": 17, "d": 18, "e": 0, "f": 3, "g": 9]), policy)
        #expect(result.cells == ["a": .count(10), "b": .count(15), "c": .count(15), "d": .count(20), "e": .count(0),
                                 "f": .suppressed, "g": .suppressed])
        #expect(result.total == .count(70))   // 72, rounded on its own

        // Totals are rounded independently: 10 + 10 ≠ 25.
        let independent = protect(table(["a": 12, "b": 12]), policy)
        #expect(independent.cells == ["a": .count(10), "b": .count(10)])
        #expect(independent.total == .count(25))

        policy.roundingBase = 10
        #expect(DisclosureControl.protect(figure: 15, policy: policy) == .count(20))
        #expect(DisclosureControl.protect(figure: 14, policy: policy) == .count(10))
        #expect(DisclosureControl.protect(figure: 5, policy: policy) == .count(10))
        #expect(DisclosureControl.protect(figure: 0, policy: policy) == .count(0))
        #expect(DisclosureControl.protect(figure: 4, policy: policy) == .suppressed)
    }

    @Test func roundingNeverLandsAShownCountInsideTheSuppressedRange() {
        var policy = DisclosurePolicy()
        policy.roundingBase = 20
        #expect(DisclosureControl.protect(figure: 6, policy: policy) == .count(20))   // nearest would be 0
        policy.roundingBase = 4
        #expect(DisclosureControl.protect(figure: 5, policy: policy) == .count(8))    // nearest would be 4
        policy.roundingBase = 3
        #expect(DisclosureControl.protect(figure: 5, policy: policy) == .count(6))
    }

    @Test func aThresholdOfNineSuppressesOneToNine() {
        var policy = DisclosurePolicy()
        policy.threshold = 9
        let result = protect(table(["a": 9, "b": 10, "c": 11, "d": 5, "e": 0]), policy)
        #expect(result.cells == ["a": .suppressed, "b": .count(10), "c": .count(11), "d": .suppressed, "e": .count(0)])
        #expect(DisclosureControl.protect(figure: 9, policy: policy) == .suppressed)
        #expect(DisclosureControl.protect(figure: 10, policy: policy) == .count(10))
        #expect(DisclosureControl.protect(figure: 0, policy: policy) == .count(0))
        #expect(DisclosureControl.protect(figure: -1, policy: policy) == .suppressed)
    }

    @Test func percentagesOnlyOnAShownLargeEnoughBase() {
        let p = Self.policy
        #expect(DisclosureControl.percent(20, of: 40, policy: p) == 50)
        #expect(DisclosureControl.percent(0, of: 40, policy: p) == 0)
        #expect(DisclosureControl.percent(40, of: 40, policy: p) == 100)
        #expect(DisclosureControl.percent(5, of: 10, policy: p) == 50)
        #expect(DisclosureControl.percent(0, of: 0, policy: p) == nil, "no base")
        #expect(DisclosureControl.percent(0, of: 3, policy: p) == nil, "suppressed base")
        #expect(DisclosureControl.percent(5, of: 9, policy: p) == nil, "base under the minimum")
        #expect(DisclosureControl.percent(2, of: 40, policy: p) == nil, "5% of a shown 40 gives the suppressed 2 back")
        #expect(DisclosureControl.percent(38, of: 40, policy: p) == nil, "95% gives back the 2 outside it")
        #expect(DisclosureControl.percent(41, of: 40, policy: p) == nil)
        var strict = DisclosurePolicy()
        strict.minimumBaseForPercent = 50
        #expect(DisclosureControl.percent(20, of: 40, policy: strict) == nil)
        strict.threshold = 9
        strict.minimumBaseForPercent = 5
        #expect(DisclosureControl.percent(3, of: 9, policy: strict) == nil, "base 9 is suppressed under threshold 9")
    }

    @Test func correctionsKeepEarlierSuppressionsAndProtectAgain() {
        let earlier = PublishedTables(quarter: "2026-Q1", tables: [
            ProtectedTable(name: "t", cells: ["a": .suppressed, "b": .suppressed, "c": .count(12)], total: .count(25)),
        ])
        // "b" has moved and "a" risen above the threshold: both stay suppressed all the same.
        let corrected = DisclosureControl.protect([table(["a": 6, "b": 9, "c": 12])], policy: Self.policy, keepingSuppressed: [earlier])[0]
        #expect(corrected.cells == ["a": .suppressed, "b": .suppressed, "c": .count(12)])
        // A carried cell alone still gets a partner.
        let partial = PublishedTables(quarter: "2026-Q1", tables: [
            ProtectedTable(name: "t", cells: ["a": .suppressed, "b": .count(9), "c": .count(12)], total: .count(27)),
        ])
        let again = DisclosureControl.protect([table(["a": 6, "b": 9, "c": 12])], policy: Self.policy, keepingSuppressed: [partial])[0]
        #expect(again.cells == ["a": .suppressed, "b": .suppressed, "c": .count(12)])
        let hiddenTotal = PublishedTables(quarter: "2026-Q1", tables: [ProtectedTable(name: "t", cells: [:], total: .suppressed)])
        #expect(DisclosureControl.protect([table(["a": 30])], policy: Self.policy, keepingSuppressed: [hiddenTotal])[0].total == .suppressed)
    }

    // MARK: - Properties over random tables

    /// A random table shaped like the report's: a few categories, many zeros and small counts, some large.
    static func randomTable(_ rng: inout DisclosureSplitMix64, additive: Bool) -> RawTable {
        let size = Int.random(in: 1...8, using: &rng)
        var counts: [String: Int] = [:]
        for index in 0..<size {
            let name = ["under_1_year", "b", "c", "d", "e", "f", "g", "h"][index]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<3: counts[name] = 0
            case 3..<7: counts[name] = Int.random(in: 1...10, using: &rng)
            default: counts[name] = Int.random(in: 11...60, using: &rng)
            }
        }
        let sum = counts.values.reduce(0, +)
        let total = additive ? sum : Int.random(in: (counts.values.max() ?? 0)...max(sum, counts.values.max() ?? 0), using: &rng)
        return RawTable(name: "random", counts: counts, total: total, additive: additive)
    }

    static func randomPolicy(_ rng: inout DisclosureSplitMix64, rounding: Bool) -> DisclosurePolicy {
        var policy = DisclosurePolicy()
        policy.threshold = Int.random(in: 1...9, using: &rng)
        if rounding, Bool.random(using: &rng) { policy.roundingBase = [2, 3, 4, 5, 10, 20].randomElement(using: &rng) }
        return policy
    }

    /// The values a suppressed cell could take, found by dynamic programming over every way of filling the
    /// suppressed cells: each in `low...total`, together making up `total − sum(shown cells)`.
    static func possibleValues(suppressed k: Int, rest: Int, total: Int, low: Int) -> Set<Int> {
        guard k >= 1, rest >= 0 else { return [] }
        // reach[s]: can k − 1 cells, each in low...total, sum to exactly s (s ≤ rest)?
        var reach = [Bool](repeating: false, count: rest + 1)
        reach[0] = true
        for _ in 0..<(k - 1) {
            var next = [Bool](repeating: false, count: rest + 1)
            var window = 0   // how many of reach[s - total ... s - low] are true
            for s in 0...rest {
                if s - low >= 0, reach[s - low] { window += 1 }
                if s - total - 1 >= 0, reach[s - total - 1] { window -= 1 }
                next[s] = window > 0
            }
            reach = next
        }
        return Set((low...max(low, min(total, rest))).filter { $0 <= rest && reach[rest - $0] })
    }

    @Test func propertiesHoldOverThousandsOfRandomTables() {
        var cases = 0, secondaries = 0
        for index in 0..<6_000 {
            let seed = disclosureBaseSeed &+ UInt64(index)
            var rng = DisclosureSplitMix64(seed: seed)
            let additive = index % 4 != 0
            let raw = Self.randomTable(&rng, additive: additive)
            let policy = Self.randomPolicy(&rng, rounding: index % 3 == 0)
            let result = DisclosureControl.protect([raw], policy: policy)[0]
            cases += 1

            // (1) nothing shown is in 1...threshold.
            for cell in Array(result.cells.values) + [result.total] {
                if let n = cell.shown, (1...policy.threshold).contains(n) {
                    Issue.record("shown \(n) within 1...\(policy.threshold); seed \(seed)")
                }
            }
            // Primary: everything small is suppressed.
            for (name, n) in raw.counts where (1...policy.threshold).contains(n) && result.cells[name] != .suppressed {
                Issue.record("\(name)=\(n) not suppressed; seed \(seed)")
            }
            // (4) deterministic, whatever order the dictionary was built in.
            let reordered = RawTable(name: raw.name, counts: Dictionary(uniqueKeysWithValues: raw.counts.sorted { $0.key > $1.key }),
                                     total: raw.total, additive: raw.additive)
            if DisclosureControl.protect([reordered], policy: policy)[0] != result || DisclosureControl.protect([raw], policy: policy)[0] != result {
                Issue.record("not deterministic; seed \(seed)")
            }
            guard additive, policy.roundingBase == nil, result.total.shown != nil else { continue }

            // (2) with a shown total, 0 or ≥ 2 suppressed cells.
            let hidden = raw.counts.keys.filter { result.cells[$0] == .suppressed }
            if hidden.count == 1 { Issue.record("exactly one suppressed cell beside a shown total; seed \(seed)") }
            if hidden.contains(where: { (raw.counts[$0]! > policy.threshold) }) { secondaries += 1 }
            // (3) the equation total = sum(cells), with what is shown, leaves every suppressed cell at least
            // two possible values, even to a reader who knows a suppressed count is never 0.
            guard !hidden.isEmpty else { continue }
            let rest = raw.total - raw.counts.filter { result.cells[$0.key] != .suppressed }.values.reduce(0, +)
            for low in [0, 1] {
                let values = Self.possibleValues(suppressed: hidden.count, rest: rest, total: raw.total, low: low)
                if values.count < 2 { Issue.record("a suppressed cell is pinned (\(values.count) value(s), low \(low)); seed \(seed)") }
                for name in hidden where !values.contains(raw.counts[name]!) {
                    Issue.record("true value of \(name) not among the possible ones; seed \(seed)")
                }
            }
        }
        #expect(cases == 6_000)
        #expect(secondaries > 500, "the generator exercises secondary suppression")
    }

    @Test func theBruteForceOracleAgreesWithHandCounting() {
        // a + b = 5, each 1...5: a ∈ 1...4. a + b = 2, each ≥ 1: a = 1 only. a alone = 3: 3 only.
        #expect(Self.possibleValues(suppressed: 2, rest: 5, total: 30, low: 1) == [1, 2, 3, 4])
        #expect(Self.possibleValues(suppressed: 2, rest: 2, total: 30, low: 1) == [1])
        #expect(Self.possibleValues(suppressed: 2, rest: 2, total: 30, low: 0) == [0, 1, 2])
        #expect(Self.possibleValues(suppressed: 1, rest: 3, total: 30, low: 1) == [3])
        #expect(Self.possibleValues(suppressed: 3, rest: 7, total: 30, low: 1) == [1, 2, 3, 4, 5])
    }
}

@Suite struct DisclosurePolicyTests {
    static let shipped = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/disclosure.json")

    func write(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("disclosure-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func shippedFileHoldsTheDefaults() throws {
        let policy = try DisclosurePolicy.load(from: Self.shipped)
        #expect(policy == DisclosurePolicy())
        #expect(policy.threshold == 4 && policy.marker == "c" && policy.roundingBase == nil && policy.minimumBaseForPercent == 10)
    }

    @Test func goodValuesLoadAndMissingKeysKeepTheirDefaults() throws {
        let policy = try DisclosurePolicy.load(from: write(#"{"threshold": 9, "marker": "[c]", "rounding_base": 5}"#))
        #expect(policy.threshold == 9 && policy.marker == "[c]" && policy.roundingBase == 5 && policy.minimumBaseForPercent == 10)
        #expect(try DisclosurePolicy.load(from: write("{}")) == DisclosurePolicy())
        #expect(try DisclosurePolicy.load(from: write(#"{"threshold": 1, "rounding_base": null}"#)).threshold == 1)
    }

    @Test func encodingRoundTripsWithSnakeCaseKeysAndAnExplicitNull() throws {
        var policy = DisclosurePolicy()
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        #expect(json.contains(#""rounding_base":null"#) && json.contains(#""minimum_base_for_percent":10"#))
        policy.roundingBase = 10
        policy.marker = "*"
        #expect(try JSONDecoder().decode(DisclosurePolicy.self, from: JSONEncoder().encode(policy)) == policy)
    }

    @Test(arguments: [
        (#"{"threshold": 0}"#, "threshold"),
        (#"{"threshold": 100}"#, "threshold"),
        (#"{"threshold": "4"}"#, "threshold"),
        (#"{"threshold": true}"#, "threshold"),
        (#"{"threshold": 2.5}"#, "threshold"),
        (#"{"threshold": null}"#, "threshold"),
        (#"{"marker": ""}"#, "marker"),
        (#"{"marker": "5"}"#, "marker"),
        (#"{"marker": "1e3"}"#, "marker"),
        (#"{"marker": "nan"}"#, "marker"),
        (#"{"marker": "-2.5"}"#, "marker"),
        (#"{"marker": "suppressed"}"#, "marker"),
        (#"{"marker": " c"}"#, "marker"),
        (#"{"marker": "c\n"}"#, "marker"),
        (#"{"marker": 4}"#, "marker"),
        (#"{"rounding_base": 1}"#, "rounding_base"),
        (#"{"rounding_base": 101}"#, "rounding_base"),
        (#"{"rounding_base": "5"}"#, "rounding_base"),
        (#"{"rounding_base": false}"#, "rounding_base"),
        (#"{"minimum_base_for_percent": 0}"#, "minimum_base_for_percent"),
        (#"{"minimum_base_for_percent": -10}"#, "minimum_base_for_percent"),
        (#"{"minimum_base_for_percent": "10"}"#, "minimum_base_for_percent"),
        (#"{"thresold": 4}"#, "thresold"),
        (#"{"threshold": 4, "suppression_marker": "c"}"#, "suppression_marker"),
    ])
    func badValuesAreRefusedNamingTheKey(json: String, key: String) throws {
        let url = try write(json)
        do {
            _ = try DisclosurePolicy.load(from: url)
            Issue.record("\(json) was accepted")
        } catch let error as DisclosurePolicyError {
            #expect(error.description.contains(key), "\(error.description)")
            #expect(error.description.hasPrefix(url.lastPathComponent))
        }
    }

    @Test func unreadableOrMalformedFilesAreRefused() throws {
        #expect(throws: DisclosurePolicyError.self) { try DisclosurePolicy.load(from: URL(fileURLWithPath: "/nonexistent/disclosure.json")) }
        #expect(throws: DisclosurePolicyError.self) { try DisclosurePolicy.load(from: write("not json")) }
        #expect(throws: DisclosurePolicyError.self) { try DisclosurePolicy.load(from: write("[4]")) }
    }

    @Test func validateNamesTheKeyOfAPolicyBuiltInCode() {
        var policy = DisclosurePolicy()
        policy.threshold = 0
        #expect(throws: DisclosurePolicyError.self) { try policy.validate() }
        policy = DisclosurePolicy()
        policy.marker = "0x1F"
        #expect(throws: DisclosurePolicyError.self) { try policy.validate() }
        #expect(throws: Never.self) { try DisclosurePolicy().validate() }
    }
}
