import GRDB

/// A capability's store: the database and the key ring, held once, so a caller asks `cases.caseDetail(…)` and never
/// passes keys through. Each store's reads and writes live in its folder (`Cases/`, `Portal/`, …) as an extension of
/// its type; the SQL helpers that several capabilities share inside one transaction stay static on `AppDatabase`.
protocol CapabilityStore: Sendable {
    var database: AppDatabase { get }
    var keys: KeyRing { get }
}

/// Every capability's store over one database and key ring: what `serve` builds once and hands to its doors.
public struct Stores: Sendable {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(database: AppDatabase, keys: KeyRing) { (self.database, self.keys) = (database, keys) }

    public var retention: RetentionStore { RetentionStore(database, keys) }
    public var staff: StaffStore { StaffStore(database, keys) }
    public var intake: IntakeStore { IntakeStore(database, keys) }
    public var cases: CaseStore { CaseStore(database, keys) }
    public var portal: PortalStore { PortalStore(database, keys) }
    public var reports: ReportStore { ReportStore(database, keys) }
    public var mail: MailStore { MailStore(database, keys) }
    public var desk: DeskStore { DeskStore(database, keys) }
}

extension CapabilityStore {
    var reader: any DatabaseReader { database.reader }
    var writer: any DatabaseWriter { database.writer }
}

/// Erasure, holds and the retention run (`Retention/`).
public struct RetentionStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// Staff accounts, their sign-in and sessions, council tokens (`Staff/`).
public struct StaffStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// The outbox of notices, their delivery and the family's and staff's choices (`Mail/`).
public struct MailStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// The practitioner's desk: search, what is due, the diary, follow-ups, reassignment (`Desk/`).
public struct DeskStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// Quarterly figures, releases and their ledger, themes, complaints, offer rounds and families' words for review (`Reports/`).
public struct ReportStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// The family's portal: sign-in, their case, messages, feedback, their own words, export and a new passphrase (`Portal/`).
public struct PortalStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// A case's reads and steps: detail, timeline, assignment, listening sessions, assessment, signposts, links, meetings, records checks, reopening (`Cases/`).
public struct CaseStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}

/// Referrals coming in: the group-committed intake, replays of a keyed submission, passphrase checks (`Intake/`).
public struct IntakeStore: CapabilityStore {
    public let database: AppDatabase
    public let keys: KeyRing
    public init(_ database: AppDatabase, _ keys: KeyRing) { (self.database, self.keys) = (database, keys) }
}
