import Foundation
import ReconcileCore
import Testing

/// A case id named in a request is a lower-case UUID or no case at all; on the wire it is the plain string.
@Suite struct CaseIDTests {
    @Test func onlyALowerCaseUUIDNamesACase() {
        let id = UUID().uuidString.lowercased()
        #expect(CaseID(parsing: id)?.rawValue == id)
        for other in ["", id.uppercased(), " \(id)", "\(id) ", id + "0", String(id.dropLast()), "RS-ABCD-EFGH",
                      id.replacingOccurrences(of: "-", with: ""), id + "\u{0}", "../" + id, "0000000g-0000-0000-0000-000000000000",
                      "00000000_0000-0000-0000-000000000000", "０0000000-0000-0000-0000-000000000000", String(repeating: "a", count: 5_000)] {
            #expect(CaseID(parsing: other) == nil, "\(other.prefix(40))")
        }
    }

    @Test func itIsThePlainStringInJSON() throws {
        let id = CaseID(UUID().uuidString.lowercased())
        let bytes = try JSONEncoder().encode(["case_id": id])
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"case_id\":\"\(id.rawValue)\"}")
        #expect(try JSONDecoder().decode([String: CaseID].self, from: bytes)["case_id"] == id)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode([String: CaseID].self, from: Data("{\"case_id\":7}".utf8)) }
    }
}
