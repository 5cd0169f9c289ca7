import Foundation

/// Service settings, each defined once here: its name (the property, snake-cased in the file and the environment),
/// type and default. Sources, later overriding earlier: these defaults, `config/reconcile.json` (the shipped
/// defaults), `--config FILE`, then environment variables `RECONCILE_<SECTION>_<KEY>` (`SettingsLoading.swift`).
/// Ranges are checked in `SettingsValidation.swift`; `docs/CONFIGURATION.md` says what each one means.
public struct Settings: Sendable, Equatable, Codable {
    public struct Server: Sendable, Equatable, Codable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Sent as HSTS and used for the `Secure` cookie decision when TLS terminates in front of us.
        public var publicUrl = ""
        /// Addresses of reverse proxies whose `X-Forwarded-For` is believed, so rate limits apply per real
        /// client rather than to everyone behind the proxy. Empty: the header is ignored (it is forgeable).
        public var trustedProxies: [String] = []
    }

    public struct Limits: Sendable, Equatable, Codable {
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

    public struct Workflow: Sendable, Equatable, Codable {
        /// Acknowledgement target in working days (Monday–Friday).
        public var acknowledgementWorkingDays = 2
        /// A signpost still without an outcome this many days after it was made is listed as due on the desk.
        public var signpostFollowUpDays = 14
    }

    public struct Reporting: Sendable, Equatable, Codable {
        /// Month (1–12) in which the financial year starts; April in England.
        public var quarterStartMonth = 4
        /// The release timetable: a quarter's report is due this many days after the quarter ends (shown to leads
        /// as what is due, and on the spreadsheet's cover as the next release).
        public var releaseDaysAfterQuarter = 30
        /// Who a council analyst asks about the figures (the spreadsheet's cover sheet).
        public var contact = "The partner's reporting lead (contact details to be confirmed by the partner)"
    }

    /// Families' own words to the council.
    public struct Voices: Sendable, Equatable, Codable {
        /// An area-quarter's approved statements go out only when at least this many are approved for the same
        /// release, so no statement stands alone (fewer wait for the next release).
        public var minimumPerRelease = 3
    }

    public struct Areas: Sendable, Equatable, Codable {
        public var councilAreas = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]
    }

    public struct Security: Sendable, Equatable, Codable {
        /// Argon2id cost for staff passwords: "moderate", "interactive" or "minimum" ("minimum" only for tests
        /// and load benchmarks). Family passphrases are random and kept as a keyed hash, not stretched.
        public var passwordHashCost = PasswordHashCost.moderate
        /// Threads that run Argon2id; 0 = one fewer than the processor count, at least 1. Memory used by
        /// hashing is at most this × the cost's memory (256 MiB at "moderate").
        public var hashWorkers = 0
        /// Sign-ins allowed to wait for a hashing thread; more get 503 + Retry-After at once.
        public var hashQueue = 16
    }

    public struct Metrics: Sendable, Equatable, Codable {
        /// `GET /metrics` answers only with `Authorization: Bearer <token>`; empty: `/metrics` does not exist (404).
        public var token = ""
    }

    public struct Backup: Sendable, Equatable, Codable {
        /// Where `serve` ships encrypted backups: a mount of storage off this machine. Empty: shipping is off.
        public var targetDir = ""
        /// Seconds between backup cycles (a cycle with no commit since the last backup writes nothing).
        public var intervalSeconds = 300
        /// The most recent backups always kept, and the days for which the newest backup of each day is kept.
        public var keep = 24
        public var keepDays = 30
    }

    /// Notifications by SMTP. Off while `host` is empty.
    public struct Mail: Sendable, Equatable, Codable {
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
        public var starttls = StartTLS.required
        /// PEM certificates to trust for the relay instead of the system's (a partner's own CA; tests).
        public var tlsCaFile = ""
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
    public struct Database: Sendable, Equatable, Codable {
        public var cacheMib = 64
        public var mmapMib = 256
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

/// Argon2id cost for staff passwords. "minimum" is for tests and load benchmarks only.
public enum PasswordHashCost: String, Sendable, Codable, CaseIterable, SettingChoice {
    case moderate, interactive, minimum
    public init(from decoder: any Decoder) throws { self = try Self.choice(from: decoder) }
}

/// Whether the SMTP relay must offer STARTTLS. "off" is for a relay on this machine only.
public enum StartTLS: String, Sendable, Codable, CaseIterable, SettingChoice {
    case required, off
    public init(from decoder: any Decoder) throws { self = try Self.choice(from: decoder) }
}

public struct SettingsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
