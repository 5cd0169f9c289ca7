import GRDB

/// A capability's store: the database and the key ring, held once, so a caller asks `cases.caseDetail(…)` and never
/// passes keys through. Each store's reads and writes live in its folder (`Cases/`, `Portal/`, …) as an extension of
/// its type (`extension CaseStore`); the SQL helpers that several capabilities share inside one transaction stay
/// static on `AppDatabase`. One generic type, told apart by a tag, so every store is built the same way.
public struct CapabilityStore<Capability>: Sendable {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }

    var reader: any DatabaseReader { database.reader }
    var writer: any DatabaseWriter { database.writer }
}

/// The tags that tell the stores apart (never instantiated).
public enum Capability {
    public enum Intake {}
    public enum Cases {}
    public enum Desk {}
    public enum Portal {}
    public enum Staff {}
    public enum Reports {}
    public enum Mail {}
    public enum Retention {}
    public enum Audit {}
}

/// Referrals coming in: the group-committed intake, replays of a keyed submission, passphrase checks (`Intake/`).
public typealias IntakeStore = CapabilityStore<Capability.Intake>
/// A case's reads and steps: detail, timeline, assignment, listening sessions, assessment, signposts, links, meetings, records checks, reopening (`Cases/`).
public typealias CaseStore = CapabilityStore<Capability.Cases>
/// The practitioner's desk: search, what is due, the diary, follow-ups, reassignment (`Desk/`).
public typealias DeskStore = CapabilityStore<Capability.Desk>
/// The family's portal: sign-in, their case, messages, feedback, their own words, export and a new passphrase (`Portal/`).
public typealias PortalStore = CapabilityStore<Capability.Portal>
/// Staff accounts, their sign-in and sessions, council tokens (`Staff/`).
public typealias StaffStore = CapabilityStore<Capability.Staff>
/// Quarterly figures, releases and their ledger, themes, complaints, offer rounds and families' words for review (`Reports/`).
public typealias ReportStore = CapabilityStore<Capability.Reports>
/// The outbox of notices, their delivery and the family's and staff's choices (`Mail/`).
public typealias MailStore = CapabilityStore<Capability.Mail>
/// Erasure, holds and the retention run (`Retention/`).
public typealias RetentionStore = CapabilityStore<Capability.Retention>
/// The tamper-evident audit log: recording a row and verifying the chain (`Audit/`).
public typealias AuditStore = CapabilityStore<Capability.Audit>

/// Every capability's store over one database and key ring: what `serve` builds once and hands to its doors.
public struct Stores: Sendable {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(database: AppDatabase, keys: KeyRing) { (self.database, self.keys) = (database, keys) }

    public var intake: IntakeStore { IntakeStore(database, keys) }
    public var cases: CaseStore { CaseStore(database, keys) }
    public var desk: DeskStore { DeskStore(database, keys) }
    public var portal: PortalStore { PortalStore(database, keys) }
    public var staff: StaffStore { StaffStore(database, keys) }
    public var reports: ReportStore { ReportStore(database, keys) }
    public var mail: MailStore { MailStore(database, keys) }
    public var retention: RetentionStore { RetentionStore(database, keys) }
    public var audit: AuditStore { AuditStore(database, keys) }
}
