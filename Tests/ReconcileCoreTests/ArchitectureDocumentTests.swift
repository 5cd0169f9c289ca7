import Foundation
import Testing
import ReconcileCore

/// `docs/ARCHITECTURE.md` is how a newcomer finds their way: every file, folder, type, member and setting it
/// names in backticks must exist, so a move or a rename that leaves it behind fails here.
@Suite struct ArchitectureDocumentTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The short target names the document uses, and where each lives.
    static let targets = ["Store": "ReconcileStore", "Server": "ReconcileServer", "Core": "ReconcileCore",
                          "Reports": "ReconcileReports"]

    /// Every Swift file under Sources and Tests: its path from the root, and its text.
    static let swiftFiles: [(path: String, text: String)] = {
        var files: [(String, String)] = []
        for top in ["Sources", "Tests"] {
            let base = root.appendingPathComponent(top)
            let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)
            for case let url as URL in walker?.allObjects ?? [] where url.pathExtension == "swift" {
                let relative = String(url.path.dropFirst(root.path.count + 1))
                files.append((relative, (try? String(contentsOf: url, encoding: .utf8)) ?? ""))
            }
        }
        return files
    }()

    /// The names declared in some files, and the identifier-like strings the sources use as names.
    static func declaredNames(in files: [(path: String, text: String)]) -> Set<String> {
        var names = Set<String>()
        let declaration = try? NSRegularExpression(pattern: "(?:struct|class|enum|protocol|actor|typealias|extension|func|var|let|case)\\s+([A-Za-z_][A-Za-z0-9_]*)")
        let quoted = try? NSRegularExpression(pattern: "\"([A-Za-z_][A-Za-z0-9_]*)\"")
        for file in files {
            names.insert(String(file.path.split(separator: "/").last?.dropLast(".swift".count) ?? ""))
            let range = NSRange(file.text.startIndex..., in: file.text)
            let patterns = file.path.hasPrefix("Sources/") ? [declaration, quoted] : [declaration]
            for case let regex? in patterns {
                for match in regex.matches(in: file.text, range: range) {
                    if let r = Range(match.range(at: 1), in: file.text) { names.insert(String(file.text[r])) }
                }
            }
        }
        return names
    }

    static let everyDeclaredName = declaredNames(in: swiftFiles)

    /// A declaration of `name` (or a target, or a string the code uses as a name, such as a key's label).
    static func declares(_ name: String) -> Bool {
        everyDeclaredName.contains(name) || FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/\(name)").path)
    }

    static let fileExtensions: Set<String> = ["swift", "js", "json", "sh", "py", "md", "yaml", "css", "mustache", "sql", "lua"]

    /// `Folder/File.member`: the file exists and declares the member.
    static func existsWithMember(_ path: String) -> Bool {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = last.firstIndex(of: "."), !fileExtensions.contains(String(last.split(separator: ".").last ?? "")) else {
            return exists(path)
        }
        let file = String(path.dropLast(last.count - last.distance(from: last.startIndex, to: dot)))
        let member = String(last[last.index(after: dot)...])
        guard exists(file) else { return false }
        return declaredNames(in: swiftFiles.filter { $0.path.hasSuffix("/\(file.split(separator: "/").last ?? "").swift") }).contains(member)
    }

    /// A path exists as written from the root, or under Sources/ or a target (short names expanded), as a file,
    /// a Swift file without its extension, or a folder.
    static func exists(_ path: String) -> Bool {
        var parts = path.split(separator: "/").map(String.init)
        if let long = targets[parts[0]] { parts[0] = long }
        let expanded = parts.joined(separator: "/")
        let testTargets = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Tests").path)) ?? []
        let bases = ["", "Sources/"] + targets.values.flatMap { ["Sources/\($0)/", "Sources/\($0)/Resources/"] }
            + testTargets.map { "Tests/\($0)/" }
        return bases.contains { base in
            [expanded, expanded + ".swift"].contains { FileManager.default.fileExists(atPath: root.appendingPathComponent(base + $0).path) }
        }
    }

    static func names() throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        let regex = try NSRegularExpression(pattern: "`([^`\\n]+)`")
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// What a name in backticks should be checked as, or nil for code words and values (`synchronous = FULL`).
    enum Reference: Equatable { case path(String), type(String), member(String, String), setting(String) }

    static func reference(_ name: String) -> Reference? {
        if name.contains(" ") || name.hasPrefix("\"") || name.hasPrefix("/") || name.hasPrefix("?") { return nil }
        if name.contains("/") { return .path(name.components(separatedBy: "(")[0]) }
        if name.range(of: "^[a-z]+\\.[a-z_]+$", options: .regularExpression) != nil,
           let section = name.split(separator: ".").first,
           Settings.names.contains(where: { $0.hasPrefix(section + ".") }) {
            return .setting(name)
        }
        let bare = name.components(separatedBy: "(")[0]
        let parts = bare.split(separator: ".").map(String.init)
        guard parts.allSatisfy({ $0.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil }) else { return nil }
        if parts.count == 1, parts[0].first?.isUppercase == true { return .type(parts[0]) }
        if parts.count == 2, parts[0].first?.isUppercase == true { return .member(parts[0], parts[1]) }
        if parts.count == 1, name.hasSuffix(")") || parts[0].contains(where: \.isUppercase) { return .member("", parts[0]) }
        return nil
    }

    @Test func everyPathTypeMemberAndSettingItNamesExists() throws {
        var missing: [String] = []
        var checked = 0
        for name in try Self.names() {
            guard let reference = Self.reference(name) else { continue }
            checked += 1
            let found: Bool
            switch reference {
            case .path(let path): found = Self.existsWithMember(path)
            case .type(let type): found = Self.declares(type)
            case .member(let type, let member): found = (type.isEmpty || Self.declares(type)) && Self.declares(member)
            case .setting(let setting): found = Settings.names.contains(setting)
            }
            if !found { missing.append(name) }
        }
        #expect(checked > 100, "the document names at least this much, or the reader above stopped finding it")
        #expect(missing.isEmpty, "docs/ARCHITECTURE.md names what does not exist: \(Array(Set(missing)).sorted())")
    }

    @Test func theCheckerTellsANameThatExistsFromOneThatDoesNot() {
        #expect(Self.exists("Store/Schema/RowReading"))
        #expect(Self.exists("Tests/system/run-all"))
        #expect(!Self.exists("Store/Schema/NoSuchFile"))
        #expect(Self.declares("CaseLifecycle"))
        #expect(!Self.declares("CaseLifecycleThatWasRenamed"))
        #expect(Self.reference("limits.max_body_bytes") == .setting("limits.max_body_bytes"))
        #expect(Self.reference("synchronous = FULL") == nil)
        #expect(Self.reference("CaseLifecycle.stage(after:from:)") == .member("CaseLifecycle", "stage"))
        #expect(Self.existsWithMember("Store/Cases/CaseSteps.workableCase"))
        #expect(!Self.existsWithMember("Store/Cases/CaseSteps.noSuchStep"))
        #expect(!Self.existsWithMember("Store/Cases/CaseWorkflow.workableCase"), "a member in another file of the folder")
        #expect(Self.existsWithMember("static/quick-exit.js"))
    }
}

/// Issue numbers mean nothing to someone holding only the repository: a comment says why in words.
@Suite struct NoIssueNumbersTests {
    @Test func noSourceOrTestCitesAnIssueNumber() {
        let citing = ArchitectureDocumentTests.swiftFiles.filter {
            $0.text.range(of: "\\b[Ii]ssues? #?[0-9]+", options: .regularExpression) != nil
        }.map(\.path)
        #expect(citing.isEmpty, "cite no issue numbers: \(citing)")
    }
}
