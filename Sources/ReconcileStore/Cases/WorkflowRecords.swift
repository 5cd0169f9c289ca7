import Foundation
import GRDB
import ReconcileCore

// One plain record per table of migration "v5-case-workflow". Statistical facts are plain typed values;
// every note and message is ciphertext sealed with the case's data key under a field name that includes
// the table and the row's own id (`WorkflowField`), so a ciphertext copied to another row or another
// case fails to open instead of showing the wrong words.
//
// Column names are snake_case: use `Columns`, never `Column(CodingKeys.x)`.

/// Field names bound into the associated data of workflow ciphertexts. Anything in the module that reads
/// or writes these columns (the portal's messages, erasure, export) must use these names.
enum WorkflowField {
    static func eventNote(_ id: String) -> String { "case_event.note/\(id)" }
    static func listeningNote(_ id: String) -> String { "listening_session.note/\(id)" }
    static func assessmentNote(_ id: String) -> String { "assessment.note/\(id)" }
    static func signpostNote(_ id: String) -> String { "signpost.note/\(id)" }
    static func safeguardingNote(_ id: String) -> String { "safeguarding_escalation.note/\(id)" }
    static func messageBody(_ id: String) -> String { "case_message.body/\(id)" }
    static func closureSummary(_ caseID: CaseID) -> String { "referral_case.closure_summary/\(caseID)" }
    static func followUpNote(_ id: String) -> String { "case_follow_up.note/\(id)" }
    static func appointmentNote(_ id: String) -> String { "case_appointment.note/\(id)" }
    /// `advice_given`, `actions_agreed` or `reason` of a session, assessment or signpost row.
    static func practice(_ table: String, _ column: String, _ id: String) -> String { "\(table).\(column)/\(id)" }
}

/// One row of `case_event`: a step in a case's history. `actor` is a staff account id, or `family` /
/// `system`; `detail` holds only codes and ids (never personal values); `note` is sealed.
public struct CaseEventRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "case_event"

    public var id: String
    public var caseId: CaseID
    public var at: Date
    public var actor: String
    public var action: String
    public var fromStage: Stage
    public var toStage: Stage
    public var detail: String?
    public var note: Data?

    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let at = Column("at")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One row of `listening_session`. `heldOn` is a calendar date `YYYY-MM-DD` (Europe/London).
public struct ListeningSessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "listening_session"

    public var id: String
    public var caseId: CaseID
    public var heldOn: String
    public var durationMinutes: Int
    public var modality: ListeningModality
    public var recordedAt: Date
    public var recordedBy: String
    public var note: Data?
    public var adviceGiven: Data? = nil
    public var actionsAgreed: Data? = nil

    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let heldOn = Column("held_on")
        public static let recordedAt = Column("recorded_at")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One row of `assessment`. `needs` is stored as a JSON array of need codes.
public struct AssessmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "assessment"

    public var id: String
    public var caseId: CaseID
    public var levelOfNeed: LevelOfNeed
    public var needs: [Need]
    /// `needs` as a bit set (`FixedList.answerBits`), for counting in one pass.
    public var needsBits: Int64
    public var assessedAt: Date
    public var assessedBy: String
    public var note: Data?
    public var adviceGiven: Data? = nil
    public var actionsAgreed: Data? = nil
    public var reason: Data? = nil

    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let assessedAt = Column("assessed_at")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One row of `signpost`: a service from the directory, the need it is meant to meet, and what came of it.
public struct SignpostRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "signpost"

    public var id: String
    public var caseId: CaseID
    public var serviceId: String
    public var need: Need
    public var outcome: SignpostOutcome
    public var createdAt: Date
    public var createdBy: String
    public var outcomeAt: Date?
    public var note: Data?
    public var adviceGiven: Data? = nil
    public var actionsAgreed: Data? = nil
    public var reason: Data? = nil
    public var kind: SignpostKind = .informationGiven

    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let outcome = Column("outcome")
        public static let outcomeAt = Column("outcome_at")
        public static let createdAt = Column("created_at")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One row of `safeguarding_escalation`.
public struct SafeguardingEscalationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "safeguarding_escalation"

    public var id: String
    public var caseId: CaseID
    /// The first of `routesBits`' routes (kept for readers from before v11).
    public var route: SafeguardingRoute
    public var escalatedAt: Date
    public var escalatedBy: String
    public var note: Data?
    // v11: safeguarding in full.
    public var routesBits: Int64
    public var referredOn: String?
    public var areaReferredTo: String?
    public var parentsInformed: Bool?
    public var parentsNotInformedReason: ParentsNotInformedReason?
    public var outcome: SafeguardingOutcome = .pending
    public var outcomeAt: Date?
    public var reReferralOf: String?

    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let escalatedAt = Column("escalated_at")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One row of `case_message`: a message between the partner and the family. `author` is the staff account
/// id for partner messages and nil for the family's; `body` is sealed (`WorkflowField.messageBody`).
public struct CaseMessageRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "case_message"

    public enum Sender: String, Codable, Sendable, CaseIterable {
        case partner, family
    }

    public var id: String
    public var caseId: CaseID
    public var sender: Sender
    public var author: String?
    public var sentAt: Date
    public var body: Data
    public var readAt: Date?

    public enum Columns {
        public static let id = Column("id")
        public static let caseId = Column("case_id")
        public static let sentAt = Column("sent_at")
        public static let readAt = Column("read_at")
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
