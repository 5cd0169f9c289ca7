import Foundation

/// Service settings. Sources, later overriding earlier: built-in defaults, `config/reconcile.json`
/// (the shipped defaults), `--config FILE`, then environment variables `RECONCILE_<SECTION>_<KEY>`.
public struct Settings: Sendable, Equatable {
    public struct Server: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Sent as HSTS and used for the `Secure` cookie decision when TLS terminates in front of us.
        public var publicURL = ""
        /// Addresses of reverse proxies whose `X-Forwarded-For` is believed, so rate limits apply per real
        /// client rather than to everyone behind the proxy. Empty: the header is ignored (it is forgeable).
        public var trustedProxies: [String] = []
    }

    public struct Limits: Sendable, Equatable {
        /// Referrals per minute per client address; 0 = unlimited.
        public var intakePerMinute = 20
        /// Failed logins allowed per account/reference and per address within the window; 0 = unlimited.
        public var loginFailures = 10
        public var loginWindowMinutes = 15
        /// Request bodies above this size are refused with 413 before they are read in full.
        public var maxBodyBytes = 65_536
        /// Referrals allowed to wait for the next group commit; more get 503 + Retry-After at once.
        public var intakeQueue = 256
        /// A resubmitted referral form (back button, refresh) shows the passphrase again only this long after
        /// the first answer, and only in the same browser; then the page says the referral was received.
        public var formReplayMinutes = 10
        /// Complaints and compliments one family may send from the portal in a London day; 0 = unlimited. Each is
        /// counted in the council's report, so one session must not be able to fill the figure with repeats.
        public var familyComplaintsPerDay = 3
        /// Messages one family may send from the portal in a London day; 0 = unlimited. A session (or someone who found
        /// the words) cannot fill the partner's work list.
        public var familyMessagesPerDay = 20
        /// Feedback sends one family may make in a London day (each replaces the last); 0 = unlimited.
        public var familyFeedbackPerDay = 5
        /// A family's portal session ends after this many minutes unused, whatever the browser does (a shared phone
        /// left on the page). Staff sessions keep their own limits.
        public var portalIdleMinutes = 15
        /// New passphrases the partner may issue for one case in a London day; 0 = unlimited.
        public var passphraseReissuesPerDay = 3
    }

    public struct Workflow: Sendable, Equatable {
        /// Acknowledgement target in working days (Monday–Friday).
        public var acknowledgementWorkingDays = 2
    }

    public struct Reporting: Sendable, Equatable {
        /// Month (1–12) in which the financial year starts; April in England.
        public var quarterStartMonth = 4
        /// The release timetable: a quarter's report is due this many days after the quarter ends (shown to leads
        /// as what is due, and on the spreadsheet's cover as the next release).
        public var releaseDaysAfterQuarter = 30
        /// Who a council analyst asks about the figures (the spreadsheet's cover sheet).
        public var contact = "The partner's reporting lead (contact details to be confirmed by the partner)"
    }

    /// Families' own words to the council.
    public struct Voices: Sendable, Equatable {
        /// An area-quarter's approved statements go out only when at least this many are approved for the same
        /// release, so no statement stands alone (fewer wait for the next release).
        public var minimumPerRelease = 3
    }

    public struct Areas: Sendable, Equatable {
        public var councilAreas = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]
    }

    public struct Security: Sendable, Equatable {
        /// Argon2id cost for staff passwords: "moderate", "interactive" or "minimum" ("minimum" only for tests
        /// and load benchmarks). Family passphrases are random and kept as a keyed hash, not stretched.
        public var passwordHashCost = "moderate"
        /// Threads that run Argon2id; 0 = one fewer than the processor count, at least 1. Memory used by
        /// hashing is at most this × the cost's memory (256 MiB at "moderate").
        public var hashWorkers = 0
        /// Sign-ins allowed to wait for a hashing thread; more get 503 + Retry-After at once.
        public var hashQueue = 16
    }

    public struct Metrics: Sendable, Equatable {
        /// `GET /metrics` answers only with `Authorization: Bearer <token>`; empty: `/metrics` does not exist (404).
        public var token = ""
    }

    public struct Backup: Sendable, Equatable {
        /// Where `serve` ships encrypted backups: a mount of storage off this machine. Empty: shipping is off.
        public var targetDir = ""
        /// Seconds between backup cycles (a cycle with no commit since the last backup writes nothing).
        public var intervalSeconds = 300
        /// The most recent backups always kept, and the days for which the newest backup of each day is kept.
        public var keep = 24
        public var keepDays = 30
    }

    /// Notifications by SMTP (issue 20). Off while `host` is empty.
    public struct Mail: Sendable, Equatable {
        public var host = ""
        /// The submission port; the connection is upgraded with STARTTLS before anything else is said.
        public var port = 587
        public var username = ""
        /// A file holding the relay password (0600 or 0400), so it is never in the configuration or environment.
        public var passwordFile = ""
        /// The envelope and header sender, e.g. `notifications@partner.example`.
        public var from = ""
        /// "required" (default): refuse a relay that does not offer STARTTLS. "off": plain SMTP, for a relay on
        /// this machine only.
        public var starttls = "required"
        /// PEM certificates to trust for the relay instead of the system's (a partner's own CA; tests).
        public var tlsCAFile = ""
        /// `check` and `/readyz` warn when a message has been failing for longer than this.
        public var alertAfterSeconds = 1800
        /// The longest wait between tries of one message (the wait doubles from 5 s up to this).
        public var retryMaxSeconds = 900
        /// The London hour at which the daily digest and the overdue email are queued.
        public var digestHour = 7

        public var enabled: Bool { !host.isEmpty }
    }

    /// SQLite's memory per connection. A page cache that holds the hot pages of the case table and its indexes
    /// saves the kernel copy of each page on every read; mapped I/O reads the file without copying at all.
    public struct Database: Sendable, Equatable {
        public var cacheMiB = 64
        public var mmapMiB = 256
    }

    public var server = Server()
    public var database = Database()
    public var limits = Limits()
    public var workflow = Workflow()
    public var reporting = Reporting()
    public var voices = Voices()
    public var areas = Areas()
    public var security = Security()
    public var metrics = Metrics()
    public var backup = Backup()
    public var mail = Mail()

    public init() {}
}

public struct SettingsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Settings {
    /// Every setting by section and key, as written in the JSON file and (upper-cased) in the environment.
    private static let keys: [(section: String, key: String, kind: Kind)] = [
        ("server", "host", .string), ("server", "port", .int), ("server", "public_url", .string),
        ("server", "trusted_proxies", .list),
        ("database", "cache_mib", .int), ("database", "mmap_mib", .int),
        ("limits", "intake_per_minute", .int), ("limits", "login_failures", .int),
        ("limits", "login_window_minutes", .int), ("limits", "max_body_bytes", .int),
        ("limits", "intake_queue", .int),
        ("limits", "form_replay_minutes", .int), ("limits", "family_complaints_per_day", .int),
        ("limits", "family_messages_per_day", .int), ("limits", "family_feedback_per_day", .int),
        ("limits", "portal_idle_minutes", .int), ("limits", "passphrase_reissues_per_day", .int),
        ("workflow", "acknowledgement_working_days", .int),
        ("reporting", "quarter_start_month", .int), ("reporting", "release_days_after_quarter", .int),
        ("reporting", "contact", .string),
        ("voices", "minimum_per_release", .int),
        ("areas", "council_areas", .list),
        ("security", "password_hash_cost", .string), ("security", "hash_workers", .int), ("security", "hash_queue", .int),
        ("metrics", "token", .string),
        ("backup", "target_dir", .string), ("backup", "interval_seconds", .int), ("backup", "keep", .int), ("backup", "keep_days", .int),
        ("mail", "host", .string), ("mail", "port", .int), ("mail", "username", .string), ("mail", "password_file", .string),
        ("mail", "from", .string), ("mail", "starttls", .string), ("mail", "tls_ca_file", .string),
        ("mail", "alert_after_seconds", .int), ("mail", "retry_max_seconds", .int), ("mail", "digest_hour", .int),
    ]

    private enum Kind { case string, int, list }

    private enum Value: Equatable { case string(String), int(Int), list([String]) }

    /// Loads settings from the given files (in order, missing optional ones skipped) and the environment.
    /// - Parameters:
    ///   - files: each file must exist unless it is listed in `optionalFiles`.
    public static func load(
        files: [URL], optionalFiles: Set<URL> = [], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Settings {
        var values: [String: Value] = [:]
        for file in files {
            guard FileManager.default.fileExists(atPath: file.path) else {
                if optionalFiles.contains(file) { continue }
                throw SettingsError("configuration file not found: \(file.path)")
            }
            let data = try Data(contentsOf: file)
            try merge(json: data, source: file.lastPathComponent, into: &values)
        }
        for (section, key, kind) in keys {
            let name = "RECONCILE_\(section.uppercased())_\(key.uppercased())"
            guard let raw = environment[name] else { continue }
            values["\(section).\(key)"] = try parse(raw, as: kind, name: name)
        }
        var configuration = Settings()
        try configuration.apply(values)
        try configuration.validate()
        return configuration
    }

    /// A setting as written in JSON; booleans and numbers with fractions are refused by decoding.
    private enum FileValue: Decodable {
        case int(Int), string(String), list([String]), other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { _ = b; self = .other }
            else if let n = try? c.decode(Int.self) { self = .int(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let l = try? c.decode([String].self) { self = .list(l) }
            else { self = .other }
        }
    }

    private static func merge(json: Data, source: String, into values: inout [String: Value]) throws {
        guard let root = try? JSONDecoder().decode([String: [String: FileValue]].self, from: json) else {
            throw SettingsError("\(source): not a JSON object of sections")
        }
        for (section, body) in root {
            for (key, raw) in body {
                guard let kind = keys.first(where: { $0.section == section && $0.key == key })?.kind else {
                    throw SettingsError("\(source): unknown setting \"\(section).\(key)\"")
                }
                let value: Value
                switch (kind, raw) {
                case (.string, .string(let s)): value = .string(s)
                case (.int, .int(let n)): value = .int(n)
                case (.list, .list(let l)): value = .list(l)
                default: throw SettingsError("\(source): setting \"\(section).\(key)\" has the wrong type")
                }
                values["\(section).\(key)"] = value
            }
        }
    }

    private static func parse(_ raw: String, as kind: Kind, name: String) throws -> Value {
        switch kind {
        case .string: return .string(raw)
        case .int:
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                throw SettingsError("\(name) must be a whole number")
            }
            return .int(n)
        case .list:
            return .list(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    private mutating func apply(_ values: [String: Value]) throws {
        for (path, value) in values {
            switch (path, value) {
            case ("server.host", .string(let v)): server.host = v
            case ("server.port", .int(let v)): server.port = v
            case ("server.public_url", .string(let v)): server.publicURL = v
            case ("server.trusted_proxies", .list(let v)): server.trustedProxies = v
            case ("voices.minimum_per_release", .int(let v)): voices.minimumPerRelease = v
            case ("database.cache_mib", .int(let v)): database.cacheMiB = v
            case ("database.mmap_mib", .int(let v)): database.mmapMiB = v
            case ("limits.intake_per_minute", .int(let v)): limits.intakePerMinute = v
            case ("limits.login_failures", .int(let v)): limits.loginFailures = v
            case ("limits.login_window_minutes", .int(let v)): limits.loginWindowMinutes = v
            case ("limits.max_body_bytes", .int(let v)): limits.maxBodyBytes = v
            case ("limits.intake_queue", .int(let v)): limits.intakeQueue = v
            case ("limits.form_replay_minutes", .int(let v)): limits.formReplayMinutes = v
            case ("limits.family_complaints_per_day", .int(let v)): limits.familyComplaintsPerDay = v
            case ("limits.family_messages_per_day", .int(let v)): limits.familyMessagesPerDay = v
            case ("limits.family_feedback_per_day", .int(let v)): limits.familyFeedbackPerDay = v
            case ("limits.portal_idle_minutes", .int(let v)): limits.portalIdleMinutes = v
            case ("limits.passphrase_reissues_per_day", .int(let v)): limits.passphraseReissuesPerDay = v
            case ("workflow.acknowledgement_working_days", .int(let v)): workflow.acknowledgementWorkingDays = v
            case ("reporting.quarter_start_month", .int(let v)): reporting.quarterStartMonth = v
            case ("reporting.release_days_after_quarter", .int(let v)): reporting.releaseDaysAfterQuarter = v
            case ("reporting.contact", .string(let v)): reporting.contact = v
            case ("areas.council_areas", .list(let v)): areas.councilAreas = v
            case ("security.password_hash_cost", .string(let v)): security.passwordHashCost = v
            case ("security.hash_workers", .int(let v)): security.hashWorkers = v
            case ("security.hash_queue", .int(let v)): security.hashQueue = v
            case ("metrics.token", .string(let v)): metrics.token = v
            case ("backup.target_dir", .string(let v)): backup.targetDir = v
            case ("backup.interval_seconds", .int(let v)): backup.intervalSeconds = v
            case ("backup.keep", .int(let v)): backup.keep = v
            case ("backup.keep_days", .int(let v)): backup.keepDays = v
            case ("mail.host", .string(let v)): mail.host = v
            case ("mail.port", .int(let v)): mail.port = v
            case ("mail.username", .string(let v)): mail.username = v
            case ("mail.password_file", .string(let v)): mail.passwordFile = v
            case ("mail.from", .string(let v)): mail.from = v
            case ("mail.starttls", .string(let v)): mail.starttls = v
            case ("mail.tls_ca_file", .string(let v)): mail.tlsCAFile = v
            case ("mail.alert_after_seconds", .int(let v)): mail.alertAfterSeconds = v
            case ("mail.retry_max_seconds", .int(let v)): mail.retryMaxSeconds = v
            case ("mail.digest_hour", .int(let v)): mail.digestHour = v
            default: throw SettingsError("setting \(path) has the wrong type")
            }
        }
    }

    /// Refuses settings that would make the service unsafe or meaningless, naming the setting.
    public func validate() throws {
        guard (1...65_535).contains(server.port) else { throw SettingsError("server.port must be 1–65535") }
        guard (1...4_096).contains(database.cacheMiB) else { throw SettingsError("database.cache_mib must be 1–4096") }
        guard (0...65_536).contains(database.mmapMiB) else { throw SettingsError("database.mmap_mib must be 0 (off) to 65536") }
        guard limits.intakePerMinute >= 0, limits.loginFailures >= 0 else {
            throw SettingsError("limits must be 0 (unlimited) or more")
        }
        guard limits.loginWindowMinutes >= 1 else { throw SettingsError("limits.login_window_minutes must be at least 1") }
        guard (1_024...10_485_760).contains(limits.maxBodyBytes) else {
            throw SettingsError("limits.max_body_bytes must be between 1024 and 10485760")
        }
        guard (1...1_440).contains(limits.formReplayMinutes) else {
            throw SettingsError("limits.form_replay_minutes must be 1–1440 (the JSON API's Idempotency-Key keeps 24 hours)")
        }
        guard (0...30).contains(workflow.acknowledgementWorkingDays) else {
            throw SettingsError("workflow.acknowledgement_working_days must be 0–30")
        }
        guard (1...12).contains(reporting.quarterStartMonth) else {
            throw SettingsError("reporting.quarter_start_month must be 1–12")
        }
        guard (2...50).contains(voices.minimumPerRelease) else {
            throw SettingsError("voices.minimum_per_release must be 2–50 (one statement alone would stand out)")
        }
        guard (1...365).contains(reporting.releaseDaysAfterQuarter) else {
            throw SettingsError("reporting.release_days_after_quarter must be 1–365")
        }
        guard (1...200).contains(reporting.contact.count), !reporting.contact.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SettingsError("reporting.contact must be 1–200 characters with no control characters")
        }
        guard !areas.councilAreas.isEmpty,
              areas.councilAreas.allSatisfy({ $0.range(of: "^[a-z][a-z0-9_]{1,63}$", options: .regularExpression) != nil }),
              Set(areas.councilAreas).count == areas.councilAreas.count else {
            throw SettingsError("areas.council_areas must be a non-empty list of distinct lower_snake_case names")
        }
        guard (1...100_000).contains(limits.intakeQueue) else { throw SettingsError("limits.intake_queue must be 1–100000") }
        guard (0...100).contains(limits.familyComplaintsPerDay) else {
            throw SettingsError("limits.family_complaints_per_day must be 0 (unlimited) to 100")
        }
        guard (0...1_000).contains(limits.familyMessagesPerDay) else {
            throw SettingsError("limits.family_messages_per_day must be 0 (unlimited) to 1000")
        }
        guard (0...100).contains(limits.familyFeedbackPerDay) else {
            throw SettingsError("limits.family_feedback_per_day must be 0 (unlimited) to 100")
        }
        guard (1...120).contains(limits.portalIdleMinutes) else {
            throw SettingsError("limits.portal_idle_minutes must be 1–120 (a session also ends 2 hours after sign-in)")
        }
        guard (0...100).contains(limits.passphraseReissuesPerDay) else {
            throw SettingsError("limits.passphrase_reissues_per_day must be 0 (unlimited) to 100")
        }
        guard (0...64).contains(security.hashWorkers) else { throw SettingsError("security.hash_workers must be 0 (automatic) to 64") }
        guard (0...10_000).contains(security.hashQueue) else { throw SettingsError("security.hash_queue must be 0–10000") }
        guard metrics.token.isEmpty || metrics.token.utf8.count >= 24 else {
            throw SettingsError("metrics.token must be empty or at least 24 characters")
        }
        guard ["moderate", "interactive", "minimum"].contains(security.passwordHashCost) else {
            throw SettingsError("security.password_hash_cost must be moderate, interactive or minimum")
        }
        guard (1...86_400).contains(backup.intervalSeconds) else { throw SettingsError("backup.interval_seconds must be 1–86400") }
        guard backup.keep >= 1 else { throw SettingsError("backup.keep must be at least 1") }
        guard (0...3_650).contains(backup.keepDays) else { throw SettingsError("backup.keep_days must be 0–3650") }
        guard backup.targetDir.isEmpty || backup.targetDir.hasPrefix("/") else {
            throw SettingsError("backup.target_dir must be an absolute path (or empty for no shipped backups)")
        }
        try validateMail()
    }

    private func validateMail() throws {
        guard (1...65_535).contains(mail.port) else { throw SettingsError("mail.port must be 1–65535") }
        guard ["required", "off"].contains(mail.starttls) else { throw SettingsError("mail.starttls must be required or off") }
        guard (1...604_800).contains(mail.alertAfterSeconds) else { throw SettingsError("mail.alert_after_seconds must be 1–604800") }
        guard (1...86_400).contains(mail.retryMaxSeconds) else { throw SettingsError("mail.retry_max_seconds must be 1–86400") }
        guard (0...23).contains(mail.digestHour) else { throw SettingsError("mail.digest_hour must be 0–23") }
        guard mail.passwordFile.isEmpty || mail.passwordFile.hasPrefix("/") else { throw SettingsError("mail.password_file must be an absolute path") }
        guard mail.tlsCAFile.isEmpty || mail.tlsCAFile.hasPrefix("/") else { throw SettingsError("mail.tls_ca_file must be an absolute path") }
        guard mail.enabled else { return }
        // One address, no display name or line breaks: it goes into MAIL FROM and the From header as it is.
        guard mail.from.range(of: "^[^@\\s<>\"]+@[^@\\s<>\"]+$", options: .regularExpression) != nil else {
            throw SettingsError("mail.from must be one email address when mail.host is set")
        }
        guard mail.username.isEmpty == mail.passwordFile.isEmpty else {
            throw SettingsError("mail.username and mail.password_file go together (both set, or both empty)")
        }
    }
}
