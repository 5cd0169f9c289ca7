import Foundation
import ReconcileCore
@testable import ReconcileStore

/// A temporary directory removed when the test ends.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

enum Fixtures {
    /// A referral whose personal values are unique canary strings, so leaks can be grepped for.
    static func referral(canary: String = "CANARY-\(UUID().uuidString.prefix(8))", area: String = "shropshire") -> Referral {
        Referral(
            contact: ContactDetails(name: "\(canary)-name", email: "\(canary.lowercased())@example.org",
                                    phone: "07700 900\(Int.random(in: 100...999))", address: "\(canary)-address",
                                    preference: .email, safeToLeaveMessage: false, safeTimes: "\(canary)-times"),
            story: "\(canary)-story", councilArea: area, referrerRole: .parentOrCarer, setting: .secondary,
            harm: [.sexualAssault, .onlineOrImageBased], howLongAgo: .oneToThreeYears, toldBefore: [.school],
            wishes: [.toBeListenedTo], consentToStatistics: true)
    }

    static func reference() -> String {
        let alphabet = Array("23456789ABCDEFGHJKMNPQRSTVWXYZ")
        let part = { String((0..<4).map { _ in alphabet.randomElement()! }) }
        return "RS-\(part())-\(part())"
    }
}

extension Data {
    func contains(_ text: String) -> Bool { range(of: Data(text.utf8)) != nil }
}
