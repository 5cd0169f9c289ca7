import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileDemo
import ReconcileStore
import Sodium

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Synthetic data for trying the service.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create synthetic cases worked through realistic stages.",
            discussion: """
                Referrals arrive at random times within the quarter and are acknowledged, listened to, assessed,
                signposted to directory services and some closed, all dated inside the quarter, by the account
                demo-lead@example.invalid (created if missing, with a random password that is never shown). Every
                contact value is obviously fictional. With --seed the statistics come out the same every time.
                Prints one line: seeded N cases in AREA for QUARTER.
                """)
        @OptionGroup var data: DataDirOption
        @OptionGroup var keys: KeyDirOption
        @OptionGroup var config: ConfigOption
        @OptionGroup var policies: PoliciesOption
        @Option(help: "How many referrals (1–\(DemoSeed.maximumCases)).") var cases: Int
        @Option(name: .customLong("council-area"), help: "Default: the first configured council area.") var councilArea: String?
        @Option(help: "Default: the last quarter that has ended.") var quarter: String?
        @Option(help: "Makes the synthetic data repeatable.") var seed: UInt64?

        func run() async throws {
            let settings = try config.load()
            let startMonth = settings.reporting.quarterStartMonth
            let now = Date()
            let target: Quarter
            if let quarter {
                guard let parsed = Quarter(quarter) else { throw CommandFailure("--quarter must look like 2026-Q1") }
                target = parsed
            } else {
                // The quarter before the one we are in: it has ended, so it can be released straight away.
                let current = Quarter.containing(now, startMonth: startMonth)
                target = current.previous
            }
            let area = councilArea ?? settings.areas.councilAreas[0]
            guard let cost = PasswordHash.Limits.named(settings.security.passwordHashCost.rawValue) else {
                throw CommandFailure("security.password_hash_cost must be moderate, interactive or minimum")
            }
            let directory = try policies.loadDirectory(councilAreas: settings.areas.councilAreas)
            let keyRing = try keys.load()
            let database = try openDatabase(data, migrate: false)
            let seedValue = seed ?? UInt64.random(in: .min ... .max)
            do {
                let count = try await Stores(database: database, keys: keyRing).seedDemo(
                    DemoSeedRequest(cases: cases, councilArea: area, quarter: target, seed: seedValue, quarterStartMonth: startMonth),
                    directory: directory, councilAreas: settings.areas.councilAreas, passwordCost: cost, now: now)
                print("seeded \(count) cases in \(area) for \(target)")
            } catch let error as DemoSeedError {
                throw CommandFailure(error.description)
            } catch let error as StoreError {
                throw CommandFailure(error.description)
            }
        }
    }
}
