import Foundation
import Testing
@testable import ReconcileCore

/// The settings an operator reads about, ships and can set are exactly the settings the code knows.
@Suite struct SettingsDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `section.key` named in the first column of docs/CONFIGURATION.md's table.
    static func documentedNames() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/CONFIGURATION.md"), encoding: .utf8)
        var names = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let firstColumn = line.dropFirst(2).prefix { $0 != "|" }
            for piece in firstColumn.split(separator: "`") where piece.contains(".") && !piece.contains(" ") {
                names.insert(String(piece))
            }
        }
        return names
    }

    @Test func theDocumentedTableIsExactlyTheSettingsTheCodeKnows() throws {
        let known = Set(Settings.names)
        let documented = try Self.documentedNames()
        #expect(known.count > 30)
        #expect(documented.subtracting(known).isEmpty, "documented but unknown: \(documented.subtracting(known).sorted())")
        #expect(known.subtracting(documented).isEmpty, "known but undocumented: \(known.subtracting(documented).sorted())")
    }

    @Test func theShippedFileSpellsOutEverySetting() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("config/reconcile.json"))
        let tree = try JSONDecoder().decode([String: [String: SettingValue]].self, from: data)
        let shipped = Set(tree.flatMap { section, body in body.keys.map { "\(section).\($0)" } })
        #expect(shipped == Set(Settings.names))
    }

    @Test func everySettingCanBeSetFromTheEnvironment() throws {
        // A name the loader did not map would be ignored silently: a changed value of each kind must arrive,
        // including the names whose Swift spelling has an acronym.
        var environment: [String: String] = [:]
        environment["RECONCILE_DATABASE_MMAP_MIB"] = "0"
        environment["RECONCILE_SERVER_PUBLIC_URL"] = "https://refer.example.org"
        environment["RECONCILE_MAIL_TLS_CA_FILE"] = "/etc/ssl/partner.pem"
        environment["RECONCILE_SECURITY_PASSWORD_HASH_COST"] = "interactive"
        environment["RECONCILE_SERVER_TRUSTED_PROXIES"] = "127.0.0.1, ::1"
        let settings = try Settings.load(files: [], environment: environment)
        #expect(settings.database.mmapMib == 0)
        #expect(settings.server.publicUrl == "https://refer.example.org")
        #expect(settings.mail.tlsCaFile == "/etc/ssl/partner.pem")
        #expect(settings.security.passwordHashCost == .interactive)
        #expect(settings.server.trustedProxies == ["127.0.0.1", "::1"])
    }

    @Test func anUnknownChoiceIsRefusedNamingTheSettingAndItsValues() throws {
        #expect(throws: SettingsError("security.password_hash_cost must be moderate, interactive, minimum")) {
            try Settings.load(files: [], environment: ["RECONCILE_SECURITY_PASSWORD_HASH_COST": "fast"])
        }
        #expect(throws: SettingsError("mail.starttls must be required, off")) {
            try Settings.load(files: [], environment: ["RECONCILE_MAIL_STARTTLS": "optional"])
        }
    }
}
