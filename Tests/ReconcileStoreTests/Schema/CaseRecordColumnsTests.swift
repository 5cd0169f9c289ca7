import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

/// The case row's hand-written columns are exactly what GRDB's `Encodable` path wrote (snake-case names, JSON lists,
/// dates, blobs, NULLs), and a row written by them reads back as the same record.
@Suite struct CaseRecordColumnsTests {
    /// The record through its synthesized `Encodable` conformance, as GRDB wrote it before.
    struct ViaEncodable: Encodable, EncodableRecord {
        let record: CaseRecord
        func encode(to encoder: any Encoder) throws { try record.encode(to: encoder) }
        static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    }

    static func record(full: Bool) -> CaseRecord {
        let at = Date(timeIntervalSince1970: 1_767_225_600.125)
        var record = CaseRecord(
            id: CaseID("c-1"), reference: "RS-ABCD-EFGH", stage: full ? .closed : .received, closeReason: full ? CloseReason.allCases.last : nil,
            councilArea: "shropshire", referrerRole: .youngPerson, setting: .secondary,
            harm: full ? Harm.allCases : [], whenAgo: .underOneYear, toldBefore: full ? ToldBefore.allCases : [],
            wishes: full ? Wish.allCases : [Wish.allCases[0]], harmBits: 5, toldBeforeBits: Int64.max, wishesBits: 0,
            consentContactAt: at, consentStatistics: full, consentStatisticsAt: at.addingTimeInterval(1), receivedAt: at,
            passphraseHash: "verifier", emailIndex: full ? Data([1, 2, 3]) : nil, phoneIndex: full ? Data([0]) : nil)
        if full {
            (record.contactName, record.contactEmail, record.contactPhone) = (Data("n".utf8), Data("e".utf8), Data("p".utf8))
            (record.contactAddress, record.contactPreference, record.contactSafeToLeaveMessage) = (Data("a".utf8), Data("r".utf8), Data("y".utf8))
            (record.contactSafeTimes, record.story, record.duplicateOf) = (Data("t".utf8), Data(repeating: 7, count: 10_000), CaseID("c-0"))
            (record.erasedAt, record.assignedTo, record.acknowledgedAt) = (at, "staff-1", at.addingTimeInterval(86_400))
            (record.closedAt, record.safeguardingHoldAt, record.safeguardingHoldBy) = (at.addingTimeInterval(2), at, "staff-2")
        }
        return record
    }

    @Test(arguments: [true, false])
    func theColumnsAreWhatTheEncodablePathWrote(full: Bool) throws {
        let record = Self.record(full: full)
        let byHand = try record.databaseDictionary
        let viaEncodable = try ViaEncodable(record: record).databaseDictionary
        #expect(Set(byHand.keys) == Set(viaEncodable.keys))
        for (column, value) in viaEncodable {
            #expect(byHand[column] == value, "\(column)")
        }
    }

    @Test func everyListOfEveryAnswerIsTheJSONThatGRDBWrote() throws {
        func json(_ codes: [String]) throws -> String { String(decoding: try JSONEncoder().encode(codes), as: UTF8.self) }
        for codes in [Harm.allCases.map(\.rawValue), ToldBefore.allCases.map(\.rawValue), Wish.allCases.map(\.rawValue), []] {
            #expect(CaseRecord.jsonList(codes) == (try json(codes)))
            for code in codes { #expect(CaseRecord.jsonList([code]) == (try json([code]))) }
        }
    }

    @Test(arguments: [true, false])
    func aRowWrittenByHandReadsBackAsTheSameRecord(full: Bool) throws {
        let database = try AppDatabase.inMemory()
        var record = Self.record(full: full)
        record.duplicateOf = nil  // no earlier case to point at
        record.assignedTo = nil; record.safeguardingHoldBy = nil  // nor staff
        var second = record
        second.id = CaseID("c-2"); second.reference = "RS-ABCD-EFGJ"
        try database.writer.write { db in
            try record.insert(db)  // GRDB's insert, through encode(to:)
            try second.insert(db, extra: [("language", "pl"), ("involvement", "harmed")])  // intake's cached INSERT
        }
        #expect(try database.writer.read { db in try CaseRecord.fetchOne(db, key: record.id) } == record)
        #expect(try database.writer.read { db in try CaseRecord.fetchOne(db, key: second.id) } == second)
        let extra = try database.writer.read { db in try Row.fetchOne(db, sql: "SELECT language, involvement FROM referral_case WHERE id = 'c-2'") }
        #expect(extra == ["language": "pl", "involvement": "harmed"])
    }
}
