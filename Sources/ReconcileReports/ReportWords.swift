import Foundation
import ReconcileCore

/// The staff and council words (`Resources/words.en.json`): how pages, reports, charts and spreadsheets name each
/// table, figure, category, council area and code. One catalogue, as `Resources/messages` is for families. No label
/// is made from a code: a code the catalogue lacks is shown as the code itself, and a test fails on any such gap.
public struct WordCatalogue: Sendable, Equatable {
    public let areas: [String: String]
    public let releaseKinds: [String: String]
    public let figures: [String: String]
    /// Table → (title, the list its categories come from).
    public let tables: [String: (title: String, list: String)]
    /// List → code → words.
    public let lists: [String: [String: String]]
    /// Staff-only lists (stages, modalities, roles …): list → code → words.
    public let staff: [String: [String: String]]

    public static func == (a: WordCatalogue, b: WordCatalogue) -> Bool {
        a.areas == b.areas && a.figures == b.figures && a.lists == b.lists && a.staff == b.staff
            && a.tables.mapValues { [$0.title, $0.list] } == b.tables.mapValues { [$0.title, $0.list] }
    }

    /// The shipped catalogue. `serve` calls `load()` at start and stops if it is broken, so this empty fallback is
    /// only ever seen by a process that skipped that check.
    public static let standard: WordCatalogue = (try? load()) ?? WordCatalogue(
        areas: [:], releaseKinds: [:], figures: [:], tables: [:], lists: [:], staff: [:])

    public init(areas: [String: String], releaseKinds: [String: String], figures: [String: String],
                tables: [String: (title: String, list: String)], lists: [String: [String: String]], staff: [String: [String: String]]) {
        (self.areas, self.releaseKinds, self.figures, self.tables, self.lists, self.staff) = (areas, releaseKinds, figures, tables, lists, staff)
    }

    public static func load() throws -> WordCatalogue {
        struct TableEntry: Decodable { let title: String; let list: String }
        struct File: Decodable {
            let areas, releaseKinds, figures: [String: String]
            let tables: [String: TableEntry]
            let lists, staff: [String: [String: String]]
            enum CodingKeys: String, CodingKey { case areas, releaseKinds = "release_kinds", figures, tables, lists, staff }
        }
        guard let url = Bundle.module.url(forResource: "Resources/words.en", withExtension: "json") else {
            throw ReportDocumentError("the staff and council word catalogue (words.en.json) is missing")
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        for (name, entry) in file.tables where file.lists[entry.list] == nil {
            throw ReportDocumentError("words.en.json: table \(name) names the list \(entry.list), which it does not have")
        }
        return WordCatalogue(areas: file.areas, releaseKinds: file.releaseKinds, figures: file.figures,
                             tables: file.tables.mapValues { ($0.title, $0.list) }, lists: file.lists, staff: file.staff)
    }

    /// A council area's name: "telford_and_wrekin" → "Telford and Wrekin"; an area the catalogue does not name
    /// (one configured later) is shown by its id with spaces, never guessed at.
    public func area(_ id: String) -> String { areas[id] ?? id.replacingOccurrences(of: "_", with: " ") }

    public func table(_ name: String) -> String { tables[name]?.title ?? name }

    public func figure(_ name: String) -> String { figures[name] ?? name }

    /// A table's category in words, without an area's own words (see `ReportWords`).
    public func category(table: String, code: String) -> String {
        if code == "total" { return "Total" }
        guard let list = tables[table]?.list else { return code }
        return lists[list]?[code] ?? code
    }

    /// A code shown on a staff page, from `list` (a staff list or a report list), or the code itself.
    public func code(_ code: String, list: String) -> String { staff[list]?[code] ?? lists[list]?[code] ?? code }

    /// A code whose list the caller does not name: the staff lists first, then the report lists, else the code.
    /// Lists read only by name: their codes (`accepted`, `pending`, `withdrawn`, scores) are shared with older lists,
    /// whose words `anyCode` must keep giving.
    static let readByNameOnly: Set<String> = ["meeting_status", "meeting_outcome", "meeting_helped"]

    public func anyCode(_ code: String) -> String {
        for list in staff.keys.sorted() where !Self.readByNameOnly.contains(list) { if let words = staff[list]?[code] { return words } }
        for list in lists.keys.sorted() where !Self.readByNameOnly.contains(list) { if let words = lists[list]?[code] { return words } }
        if let words = areas[code] ?? releaseKinds[code] { return words }
        return code.replacingOccurrences(of: "_", with: " ")
    }
}

/// The words of one report: the catalogue, with the level of need in each area's own words (`policies/levels.json`),
/// so Herefordshire's report says "Statutory social care" where Shropshire's says "Acute or specialist".
public struct ReportWords: Sendable {
    public let catalogue: WordCatalogue
    public let levels: LevelLabels

    public init(levels: LevelLabels = LevelLabels(), catalogue: WordCatalogue = .standard) {
        self.levels = levels
        self.catalogue = catalogue
    }

    public func category(table: String, code: String, area: String) -> String {
        if table == ReportTables.levelOfNeed, let n = Int(code), let level = LevelOfNeed(rawValue: n) {
            return "\(catalogue.category(table: table, code: code)): \(levels.label(level, in: area))"
        }
        return catalogue.category(table: table, code: code)
    }

    public func table(_ name: String) -> String { catalogue.table(name) }
    public func figure(_ name: String) -> String { catalogue.figure(name) }
    public func area(_ id: String) -> String { catalogue.area(id) }
}
