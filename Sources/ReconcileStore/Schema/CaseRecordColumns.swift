import Foundation
import GRDB
import ReconcileCore

/// The columns of a new case row, written by hand: every referral writes one, and GRDB's `Encodable` path
/// converted each of the ~40 property names to snake case and encoded the three answer lists through
/// `JSONEncoder` on every insert. `CaseRecordColumnsTests` holds this to what that path wrote, value for value.
extension CaseRecord {
    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["reference"] = reference
        container["stage"] = stage.rawValue
        container["close_reason"] = closeReason?.rawValue
        container["council_area"] = councilArea
        container["referrer_role"] = referrerRole.rawValue
        container["setting"] = setting.rawValue
        container["harm"] = Self.jsonList(harm.map(\.rawValue))
        container["when_ago"] = whenAgo.rawValue
        container["told_before"] = Self.jsonList(toldBefore.map(\.rawValue))
        container["wishes"] = Self.jsonList(wishes.map(\.rawValue))
        container["harm_bits"] = harmBits
        container["told_before_bits"] = toldBeforeBits
        container["wishes_bits"] = wishesBits
        container["consent_contact_at"] = consentContactAt
        container["consent_statistics"] = consentStatistics
        container["consent_statistics_at"] = consentStatisticsAt
        container["received_at"] = receivedAt
        container["passphrase_hash"] = passphraseHash
        container["contact_name"] = contactName
        container["contact_email"] = contactEmail
        container["contact_phone"] = contactPhone
        container["contact_address"] = contactAddress
        container["contact_preference"] = contactPreference
        container["contact_safe_to_leave_message"] = contactSafeToLeaveMessage
        container["contact_safe_times"] = contactSafeTimes
        container["story"] = story
        container["email_index"] = emailIndex
        container["phone_index"] = phoneIndex
        container["duplicate_of"] = duplicateOf
        container["erased_at"] = erasedAt
        container["assigned_to"] = assignedTo
        container["acknowledged_at"] = acknowledgedAt
        container["closed_at"] = closedAt
        container["safeguarding_hold_at"] = safeguardingHoldAt
        container["safeguarding_hold_by"] = safeguardingHoldBy
    }

    /// A list of fixed-list codes as the JSON array GRDB wrote (`["a","b"]`). Codes are lower-case letters and
    /// underscores (`FixedList`), so nothing needs escaping.
    static func jsonList(_ codes: [String]) -> String {
        "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }
}
