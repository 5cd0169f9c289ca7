import Foundation
import Synchronization
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
                                    phone: nextPhone(), address: "\(canary)-address",
                                    preference: .email, safeToLeaveMessage: false, safeTimes: "\(canary)-times"),
            story: "\(canary)-story", councilArea: area, referrerRole: .parentOrCarer, setting: .secondary,
            harm: [.sexualAssault, .onlineOrImageBased], howLongAgo: .oneToThreeYears, toldBefore: [.school],
            wishes: [.toBeListenedTo], consentToStatistics: true)
    }

    /// Numbers from Ofcom's drama range, taken in turn from 07700 900000–900110, which no test writes by hand (those
    /// are 900111 and up): a random one matched a test's own 07700 900123 about one run in 900, linking two referrals
    /// as duplicates that the test meant to be unrelated. Consecutive referrals in a test never share one.
    private static let phoneCounter = Mutex(0)
    static func nextPhone() -> String {
        let n = phoneCounter.withLock { value in defer { value = (value + 1) % 111 }; return value }
        return "07700 900" + String(repeating: "0", count: 3 - String(n).count) + String(n)
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
