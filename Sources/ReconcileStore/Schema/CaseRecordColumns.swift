import Foundation
import GRDB
import ReconcileCore

/// The columns of a case row, written by hand: every referral writes one, and GRDB's `Encodable` path converted
/// each of the ~40 property names to snake case, encoded the three answer lists through `JSONEncoder` and built
/// its INSERT text again on every insert. `CaseRecordColumnsTests` holds these to what that path wrote, value for
/// value, and a row written here to the record it reads back as.
extension CaseRecord {
    /// The column names, in the order of `columnValues`.
    static let columnNames = [
        "id", "reference", "stage", "close_reason", "council_area", "referrer_role", "setting", "harm", "when_ago",
        "told_before", "wishes", "harm_bits", "told_before_bits", "wishes_bits", "consent_contact_at", "consent_statistics",
        "consent_statistics_at", "received_at", "passphrase_hash", "contact_name", "contact_email", "contact_phone",
        "contact_address", "contact_preference", "contact_safe_to_leave_message", "contact_safe_times", "story",
        "email_index", "phone_index", "duplicate_of", "erased_at", "assigned_to", "acknowledged_at", "closed_at",
        "safeguarding_hold_at", "safeguarding_hold_by",
    ]

    /// The values, in the order of `columnNames`.
    var columnValues: [(any DatabaseValueConvertible)?] {
        [id, reference, stage.rawValue, closeReason?.rawValue, councilArea, referrerRole.rawValue, setting.rawValue,
         Self.jsonList(harm.map(\.rawValue)), whenAgo.rawValue, Self.jsonList(toldBefore.map(\.rawValue)),
         Self.jsonList(wishes.map(\.rawValue)), harmBits, toldBeforeBits, wishesBits, consentContactAt, consentStatistics,
         consentStatisticsAt, receivedAt, passphraseHash, contactName, contactEmail, contactPhone, contactAddress,
         contactPreference, contactSafeToLeaveMessage, contactSafeTimes, story, emailIndex, phoneIndex, duplicateOf,
         erasedAt, assignedTo, acknowledgedAt, closedAt, safeguardingHoldAt, safeguardingHoldBy]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        for (column, value) in zip(Self.columnNames, columnValues) { container[column] = value }
    }

    /// One INSERT of the row with `extra` columns after the record's own (the answers kept out of the record), kept
    /// compiled in the connection's cache.
    func insert(_ db: Database, extra: [(column: String, value: (any DatabaseValueConvertible)?)]) throws {
        let columns = Self.columnNames + extra.map(\.column)
        let sql = "INSERT INTO referral_case (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        try db.executeCached(sql: sql, arguments: StatementArguments(columnValues + extra.map(\.value)))
    }

    /// A list of fixed-list codes as the JSON array GRDB wrote (`["a","b"]`). Codes are lower-case letters, digits
    /// and underscores (`FixedList`), so nothing needs escaping.
    static func jsonList(_ codes: [String]) -> String {
        "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }
}

extension CaseKeyRecord {
    /// A new case's wrapped key, by a statement kept compiled (every referral writes one).
    func insertCached(_ db: Database) throws {
        try db.executeCached(sql: "INSERT INTO case_key (case_id, data_key_version, master_key_version, wrapped_key) VALUES (?, ?, ?, ?)",
                             arguments: [caseId, dataKeyVersion, masterKeyVersion, wrappedKey])
    }
}
