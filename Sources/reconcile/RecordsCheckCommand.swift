import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileStore

struct RecordsCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "records-check", abstract: "The leads' records check.",
                                                    subcommands: [Sample.self])

    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a month's random sample of cases for the quality audit, if it is not drawn yet.",
            discussion: """
                Draws, once per London calendar month, up to N cases of each practitioner among the cases they hold \
                that are active in the month (received before it ends, not closed before it began, not erased), with \
                libsodium's random numbers. A month already drawn (by this command or by a lead opening the records \
                check) is never drawn again. Prints one line of counts, no case data. Without --sample, N is \
                sample_per_practitioner in policies/recording.json (shipped: 5).
                """)

        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var policies: PoliciesOption
        @Option(help: "Cases per practitioner, 1 to 100 (default: the recording policy's, shipped 5).") var sample: Int?
        @Option(help: "The month, YYYY-MM (default: the current month in Europe/London); not a future month.") var month: String?

        func run() async throws {
            let n = try sample ?? policies.recordingPolicy().samplePerPractitioner
            guard RecordingPolicy.sampleSizes.contains(n) else { throw CommandFailure("--sample must be 1 to 100") }
            let now = Date()
            let target = try month.map { text in
                guard let m = AuditMonth(text) else { throw CommandFailure("--month must look like 2026-12") }
                return m
            } ?? AuditMonth.containing(now)
            guard target <= AuditMonth.containing(now) else { throw CommandFailure("--month \(target) has not started yet") }
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            let result = try await CaseStore(database, keyRing).drawRecordsSample(month: target, perPractitioner: n, now: now)
            print(result.drawn
                  ? "drew the sample for \(result.month): \(result.cases) cases, up to \(result.perPractitioner) per practitioner"
                  : "the sample for \(result.month) was already drawn: \(result.cases) cases, up to \(result.perPractitioner) per practitioner")
        }
    }
}
