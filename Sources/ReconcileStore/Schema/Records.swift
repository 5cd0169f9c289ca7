import Foundation
import GRDB
import ReconcileCore

/// One row of `referral_case`. Statistical fields are plain; personal fields are ciphertext.
public struct CaseRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "referral_case"

    public var id: CaseID
    public var reference: String
    public var stage: Stage
    public var closeReason: CloseReason?
    public var councilArea: String
    public var referrerRole: ReferrerRole
    public var setting: ReconcileCore.Setting
    public var harm: [Harm]
    public var whenAgo: HowLongAgo
    public var toldBefore: [ToldBefore]
    public var wishes: [Wish]
    /// The three answers above as bit sets (`FixedList.answerBits`), for counting in one pass; always made
    /// from them when the row is written (`insertCase`).
    public var harmBits: Int64
    public var toldBeforeBits: Int64
    public var wishesBits: Int64
    public var consentContactAt: Date
    public var consentStatistics: Bool
    public var consentStatisticsAt: Date
    public var receivedAt: Date
    public var passphraseHash: String
    public var contactName: Data?
    public var contactEmail: Data?
    public var contactPhone: Data?
    public var contactAddress: Data?
    public var contactPreference: Data?
    public var contactSafeToLeaveMessage: Data?
    public var contactSafeTimes: Data?
    public var story: Data?
    public var emailIndex: Data?
    public var phoneIndex: Data?
    public var duplicateOf: CaseID?
    public var erasedAt: Date?
    // Added by later migrations; nil on a new referral. (`contact_index_version` is left to its column
    // default and to `upgradeContactIndexes`, which is all that reads it.)
    public var assignedTo: String? = nil
    public var acknowledgedAt: Date? = nil
    public var closedAt: Date? = nil
    public var safeguardingHoldAt: Date? = nil
    public var safeguardingHoldBy: String? = nil
    // (v11's hold and come-back columns are read by their own queries, not mapped here, so a record can still
    // be written to a database migrated only so far, as the migration tests do.)

    /// Database column names (snake_case: `Column(CodingKeys.x)` would use the Swift name and miss).
    public enum Columns {
        public static let id = Column("id")
        public static let reference = Column("reference")
        public static let stage = Column("stage")
        public static let councilArea = Column("council_area")
        public static let receivedAt = Column("received_at")
        public static let emailIndex = Column("email_index")
        public static let phoneIndex = Column("phone_index")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// The wrapped per-case data key.
struct CaseKeyRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "case_key"
    var caseId: CaseID
    var dataKeyVersion: Int
    var masterKeyVersion: Int
    var wrappedKey: Data

    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
