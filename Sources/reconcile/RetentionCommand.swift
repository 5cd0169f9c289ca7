import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileStore

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Retention and erasure.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crypto-shred personal data that is due for deletion.",
            discussion: """
                Carries out every family erasure request whose cooling-off period has passed and erases every case \
                closed longer ago than the retention period (policies/retention.json), except cases under a \
                safeguarding hold. Statistical fields are kept for reports. Safe to run repeatedly (e.g. daily).
                Prints one line: "erased N cases; M held back by a safeguarding hold".
                """)

        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var policies: PoliciesOption
        @Option(help: "Pretend the time is this ISO 8601 instant, e.g. 2026-05-01T12:00:00Z.") var now: String?

        func run() async throws {
            // Everything is checked before the database is touched.
            let when = try now.map(Self.parseInstant) ?? Date()
            let policy = try policies.retentionPolicy()
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            let report: RetentionReport
            do {
                report = try await RetentionStore(database, keyRing).runRetention(policy: policy, now: when)
            } catch let error as StoreError {
                throw CommandFailure("retention run: \(error.description)")
            }
            print("erased \(report.erased) cases; \(report.heldBack) held back by a safeguarding hold")
        }

        /// An ISO 8601 date and time with an offset (`Z` or `+01:00`), with or without fractional seconds.
        static func parseInstant(_ text: String) throws -> Date {
            let plain = ISO8601DateFormatter()
            plain.formatOptions = [.withInternetDateTime]
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let date = plain.date(from: trimmed) ?? fractional.date(from: trimmed) else {
                throw CommandFailure("--now must be an ISO 8601 date and time with a time zone, e.g. 2026-05-01T12:00:00Z")
            }
            return date
        }
    }
}
