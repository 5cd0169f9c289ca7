import Foundation
import Testing

/// A trap (`try!`, a force unwrap, `as!`, `fatalError`, `precondition`, a GRDB row subscript read as a
/// non-optional) on a path a request or a background service reaches ends the whole process: every family
/// mid-form and every worker loses the service. This scans the sources that `serve` runs and fails on any trap
/// site not in the short list below, each of which cannot fire for the reason given.
///
/// The command-line executable and the demo seed are not scanned: a trap there ends one command, and no request
/// reaches them.
@Suite struct TrapSitesTests {
    /// (path suffix, a fragment of the trapping line, why it cannot fire). A fragment may cover several lines.
    static let allowed: [(path: String, fragment: String, reason: String)] = [
        ("Sources/Sodium/", ".baseAddress!", "the wrapper passes only non-empty buffers to C (empty ones are returned or guarded before)"),
        ("Sources/ReconcileStore/Backup/EncryptedBackupFile.swift", ".baseAddress!", "reads and writes of at least one byte (loop conditions)"),
        ("Sources/ReconcileStore/Keys/KeyDirectory.swift", ".baseAddress!", "a key file's bytes are never empty"),
        ("Sources/Sodium/Signing.swift", "try! fromSeed(seed)", "a seed of seedLength random bytes is always accepted"),
        ("Sources/Sodium/Random.swift", "precondition(upperBound > 0)", "callers pass list sizes of fixed, non-empty lists"),
        ("Sources/Sodium/OneTimePassword.swift", "precondition(", "secrets are made by us at 160 bits, digits and period are constants"),
        ("Sources/Sodium/Sodium.swift", "precondition(initialised", "libsodium fails to initialise only without a usable random source: nothing could run"),
        ("Sources/ReconcileStore/Reports/ThemeScreening.swift", "try! NSRegularExpression(", "a literal pattern, exercised by the theme screening tests"),
        ("Sources/ReconcileStore/Keys/KeyRing.swift", "try! KeyDerivation.deriveSubkey", "a 32-byte key and literal 8-byte contexts: derivation cannot fail"),
        ("Sources/ReconcileStore/Keys/KeyRing.swift", "precondition(!masterKeys.isEmpty)", "the key directory refuses to open without a master key"),
        ("Sources/ReconcileStore/Intake/IntakeBatcher.swift", "precondition(maximumBatch >= 1)", "a constant of the commit service"),
        ("Sources/ReconcileStore/Portal/FamilyFeedback.swift", "precondition(scores.values.allSatisfy", "both doors refuse a score outside 1-5 before calling (422)"),
        ("Sources/ReconcileStore/Reports/StatisticsCounts.swift", "precondition(code.rawValue.allSatisfy", "codes are compile-time enum cases"),
        ("Sources/ReconcileServer/HTTP/SecurityHeadersMiddleware.swift", "\")!", "literal header names, valid tokens; every response carries them in the tests"),
        ("Sources/ReconcileServer/HTTP/CSRFProtection.swift", "Self(\"Sec-Fetch-Site\")!", "a literal header name, a valid token"),
        ("Sources/ReconcileServer/HTTP/ClientAddressMiddleware.swift", "Self(\"X-Forwarded-For\")!", "a literal header name, a valid token"),
        ("Sources/ReconcileServer/Portal/PortalController.swift", "Self(\"Content-Disposition\")!", "a literal header name, a valid token"),
        ("Sources/ReconcileServer/Portal/PortalController.swift", "Self(\"Clear-Site-Data\")!", "a literal header name, a valid token"),
        ("Sources/ReconcileServer/Languages/MessageCatalogue.swift", "preconditionFailure(\"message catalogue", "catalogues are read when serve starts (buildApplication): a broken build stops there"),
        ("Sources/ReconcileServer/Languages/MessageCatalogue.swift", "all[language]!", "every language was loaded at start, or the start stopped (above)"),
        ("Sources/ReconcileCore/Rules/Calendar/WorkingDays.swift", "preconditionFailure(\"calendar cannot add a day\")", "a Gregorian calendar adds a day to any date"),
        ("Sources/ReconcileCore/Rules/Calendar/WorkingDays.swift", "preconditionFailure(\"time zone Europe/London", "read at start by buildApplication: a machine without the tz database stops there"),
    ]

    struct Site: CustomStringConvertible {
        let path: String, line: Int, text: String, kind: String
        var description: String { "\(path):\(line): \(kind): \(text)" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scanned = ["Sodium", "LinearProgramming", "ReconcileCore", "ReconcileStore", "ReconcileReports", "ReconcileServer"]

    static func sources() throws -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        for target in scanned {
            let dir = root.appendingPathComponent("Sources/\(target)")
            guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "swift" {
                let relative = String(url.path.dropFirst(root.path.count + 1))
                files.append((relative, try String(contentsOf: url, encoding: .utf8)))
            }
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// The code of each line with comments and the contents of string literals blanked, so a "!" in a message
    /// or a comment is not a trap and a trap in code cannot hide behind one.
    static func codeLines(_ text: String) -> [String] {
        var lines: [String] = [], current = ""
        var inBlockComment = false, inString = false, inMultiline = false
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i], next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "\n" {
                lines.append(current); current = ""
                if inString && !inMultiline { inString = false }
                i += 1; continue
            }
            if inBlockComment {
                if c == "*", next == "/" { inBlockComment = false; i += 2 } else { i += 1 }
                continue
            }
            if inString {
                if c == "\\", next == "(" {
                    // An interpolation is code: keep it (up to its closing parenthesis) so a trap cannot hide there.
                    var depth = 0
                    i += 1
                    while i < chars.count, chars[i] != "\n" {
                        if chars[i] == "\"" {   // a string inside the interpolation: blank it like any other
                            current.append("\""); i += 1
                            while i < chars.count, chars[i] != "\"", chars[i] != "\n" { i += chars[i] == "\\" ? 2 : 1 }
                            current.append("\""); i += 1; continue
                        }
                        if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                        current.append(chars[i]); i += 1
                        if depth == 0 { break }
                    }
                    continue
                }
                if c == "\\" { i += 2; continue }
                if inMultiline, c == "\"", next == "\"", i + 2 < chars.count, chars[i + 2] == "\"" {
                    inString = false; inMultiline = false; current += "\"\"\""; i += 3; continue
                }
                if !inMultiline, c == "\"" { inString = false; current.append("\"") }
                i += 1; continue
            }
            if c == "/", next == "/" {   // line comment: skip to the end of the line
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", next == "*" { inBlockComment = true; i += 2; continue }
            if c == "\"" {
                if next == "\"", i + 2 < chars.count, chars[i + 2] == "\"" {
                    inString = true; inMultiline = true; current += "\"\"\""; i += 3; continue
                }
                inString = true; current.append("\""); i += 1; continue
            }
            current.append(c); i += 1
        }
        lines.append(current)
        return lines
    }

    // Made by each caller and let go after it: a Regex kept in a static until exit is reported by LeakSanitizer,
    // which cannot follow Swift's indirect enum payloads (docs/SANITIZERS-AND-FUZZING.md).
    static func patterns() -> [(kind: String, regex: Regex<Substring>)] { [
        ("try!", try! Regex(#"\btry!"#)),
        ("as!", try! Regex(#"\bas!"#)),
        ("force unwrap", try! Regex(#"[\w\)\]]!(?!=)"#)),
        ("trap call", try! Regex(#"\b(?:fatalError|precondition|preconditionFailure|assertionFailure)\("#)),
    ] }
    /// In a file that reads rows: a subscript by column name or on a row by index (use `row.value(...)`).
    static func rowSubscripts() -> [Regex<Substring>] { [try! Regex(#"[\w\)\]]\[""\]"#), try! Regex(#"(?:\brow|\$\d)\[\d"#)] }

    static func trapSites() throws -> [Site] {
        let patterns = Self.patterns(), rowSubscripts = Self.rowSubscripts()
        var sites: [Site] = []
        for (path, text) in try sources() {
            let readsRows = text.contains("import GRDB") && !path.hasSuffix("RowReading.swift")
            let source = text.components(separatedBy: "\n")
            for (index, code) in codeLines(text).enumerated() {
                var kinds = patterns.filter { code.contains($0.regex) }.map(\.kind)
                if readsRows, rowSubscripts.contains(where: { code.contains($0) }) { kinds.append("row subscript") }
                for kind in kinds {
                    sites.append(Site(path: path, line: index + 1, text: source[index].trimmingCharacters(in: .whitespaces), kind: kind))
                }
            }
        }
        return sites
    }

    static func isAllowed(_ site: Site) -> Bool {
        allowed.contains { site.path.hasPrefix($0.path) || site.path.hasSuffix($0.path) ? site.text.contains($0.fragment) : false }
    }

    @Test func noTrapOutsideTheListOfThoseThatCannotFire() throws {
        let unexpected = try Self.trapSites().filter { !Self.isAllowed($0) }
        #expect(unexpected.isEmpty, "trap sites a request or service may reach:\n\(unexpected.map(\.description).joined(separator: "\n"))")
    }

    @Test func everyListedTrapStillExists() throws {
        // A stale entry would let a new trap of the same shape in unnoticed.
        let sites = try Self.trapSites()
        for entry in Self.allowed {
            #expect(sites.contains { ($0.path.hasPrefix(entry.path) || $0.path.hasSuffix(entry.path)) && $0.text.contains(entry.fragment) },
                    "no trap left at \(entry.path) matching \(entry.fragment): remove it from the list")
        }
    }

    @Test func theScanFindsEachKindOfTrap() {
        // The scanner itself: each shape is found in code, and none inside a string or a comment.
        let code = """
        let a = x!
        let b = try! f()
        let c = y as! Int
        let d = row["assigned_to"] as String
        fatalError("no")
        let e = "Hello!" // not a trap!
        let f = a != b && !g
        let g = "\\(row["quarter"] as String)"
        """
        let lines = Self.codeLines(code)
        let patterns = Self.patterns(), rowSubscripts = Self.rowSubscripts()
        let found = lines.map { line in patterns.filter { line.contains($0.regex) }.map(\.kind) + (rowSubscripts.contains { line.contains($0) } ? ["row subscript"] : []) }
        #expect(found[0] == ["force unwrap"])
        #expect(found[1].contains("try!"))
        #expect(found[2].contains("as!"))
        #expect(found[3] == ["row subscript"])
        #expect(found[4] == ["trap call"])
        #expect(found[5].isEmpty)
        #expect(found[6].isEmpty)
        #expect(found[7] == ["row subscript"], "a trap inside an interpolation is still code")
    }
}
