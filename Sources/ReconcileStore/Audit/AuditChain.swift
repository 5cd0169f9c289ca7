import Foundation
import GRDB
import Sodium
import ReconcileCore

/// The hash chain's key and canonical encodings. Changing anything here breaks every existing chain;
/// a new encoding needs a new domain tag and a verifier that knows both.
enum AuditChain {
    static let rowDomain = "reconcile/audit-log/v1"
    static let headDomain = "reconcile/audit-head/v1"
    static let genesis = [UInt8](repeating: 0, count: 32)

    /// The audit key: `crypto_kdf_derive_from_key(32, id 1, "auditlog", index key)`, derived once in `KeyRing`.
    static func key(_ keys: KeyRing) throws -> SecretKey {
        keys.auditKey
    }

    /// Canonical row encoding, unambiguous because every variable-length field carries its length:
    ///
    ///     lp("reconcile/audit-log/v1")
    ///     u64be(seq)
    ///     lp(at)           the `at` column's text exactly as stored: UTC "yyyy-MM-dd HH:mm:ss.SSS"
    ///     lp(actor) lp(action)
    ///     opt(case_id) opt(detail)
    ///     lp(prev_hash)
    ///
    /// where `lp(x) = u32be(byte count of x) || x` (strings as UTF-8), `opt(nil) = 0x00` and
    /// `opt(x) = 0x01 || lp(x)`. `hash = BLAKE2b-256(key: audit key, message)`.
    static func rowMessage(seq: Int64, at: String, actor: String, action: String, caseID: CaseID?, detail: String?,
                           prevHash: [UInt8]) -> [UInt8] {
        var m: [UInt8] = []
        m.reserveCapacity(128 + at.utf8.count + actor.utf8.count + action.utf8.count
                          + (caseID?.rawValue.utf8.count ?? 0) + (detail?.utf8.count ?? 0))
        lengthPrefixed(Array(rowDomain.utf8), into: &m)
        bigEndian(UInt64(bitPattern: seq), into: &m)
        lengthPrefixed(Array(at.utf8), into: &m)
        lengthPrefixed(Array(actor.utf8), into: &m)
        lengthPrefixed(Array(action.utf8), into: &m)
        optional(caseID.map { Array($0.rawValue.utf8) }, into: &m)
        optional(detail.map { Array($0.utf8) }, into: &m)
        lengthPrefixed(prevHash, into: &m)
        return m
    }

    /// `lp("reconcile/audit-head/v1") || u64be(last_seq) || lp(last_hash)`, MACed with the same key.
    static func headMessage(lastSeq: Int64, lastHash: [UInt8]) -> [UInt8] {
        var m: [UInt8] = []
        lengthPrefixed(Array(headDomain.utf8), into: &m)
        bigEndian(UInt64(bitPattern: lastSeq), into: &m)
        lengthPrefixed(lastHash, into: &m)
        return m
    }

    static func rowHash(key: SecretKey, seq: Int64, at: String, actor: String, action: String, caseID: CaseID?,
                        detail: String?, prevHash: [UInt8]) throws -> [UInt8] {
        try GenericHash.hash(rowMessage(seq: seq, at: at, actor: actor, action: action, caseID: caseID,
                                        detail: detail, prevHash: prevHash), key: key, length: 32)
    }

    static func headMAC(key: SecretKey, lastSeq: Int64, lastHash: [UInt8]) throws -> [UInt8] {
        try GenericHash.hash(headMessage(lastSeq: lastSeq, lastHash: lastHash), key: key, length: 32)
    }

    fileprivate static func bigEndian(_ value: UInt64, into m: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { m.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    fileprivate static func lengthPrefixed(_ bytes: [UInt8], into m: inout [UInt8]) {
        let n = UInt32(bytes.count)
        for shift in stride(from: 24, through: 0, by: -8) { m.append(UInt8(truncatingIfNeeded: n >> UInt32(shift))) }
        m.append(contentsOf: bytes)
    }

    fileprivate static func optional(_ bytes: [UInt8]?, into m: inout [UInt8]) {
        if let bytes { m.append(1); lengthPrefixed(bytes, into: &m) } else { m.append(0) }
    }

    /// The `at` text for a date: whole milliseconds (rounded to nearest), UTC, in the format GRDB itself uses for
    /// dates, so `AuditRecord.at` decodes it. Computed by hand (no DateFormatter, no locale, no calendar
    /// settings) so the text — and so the hash — can only ever be one thing for one instant.
    static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, msOfDay) = floorDivMod(ms, 86_400_000)
        let civil = CivilDate.of(day: Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, milli = msOfDay % 1000
        func pad(_ v: Int64, _ width: Int) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(milli, 3))"
    }

    fileprivate static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}
