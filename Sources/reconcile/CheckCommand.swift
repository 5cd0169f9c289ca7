import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileStore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check database integrity, key presence and permissions, that every case key opens, and the audit chain.")

    @OptionGroup var data: DataDirOption
    @OptionGroup var keys: KeyDirOption
    @OptionGroup var config: ConfigOption
    @OptionGroup var policies: PoliciesOption

    func run() async throws {
        let keyRing = try keys.load()
        print("ok   key directory: permissions tight; master key versions \(keyRing.masterKeys.keys.sorted()) (current v\(keyRing.currentMasterVersion))")
        let database = try openDatabase(data, migrate: false)
        let stores = Stores(database: database, keys: keyRing)
        let problems = try await database.integrityProblems()
        guard problems.isEmpty else { throw CommandFailure("database integrity: \(problems[0])") }
        print("ok   database integrity (\(try await stores.intake.caseCount()) cases)")
        // Master key versions in use: wrapping per-case keys, and sealing staff TOTP secrets.
        let inUse = try await database.masterKeyVersionsInUse()
        let totpInUse = try await database.totpKeyVersionsInUse()
        if let missing = inUse.keys.sorted().first(where: { keyRing.masterKeys[$0] == nil }) {
            throw CommandFailure("master key version \(missing) wraps \(inUse[missing]!) case keys but is not in the key directory")
        }
        if let missing = totpInUse.keys.sorted().first(where: { keyRing.masterKeys[$0] == nil }) {
            throw CommandFailure("master key version \(missing) seals \(totpInUse[missing]!) staff TOTP secrets but is not in the key directory")
        }
        let bad = try await database.casesWithUnopenableKeys(keys: keyRing)
        if let first = bad.first {
            throw CommandFailure("\(bad.count) case keys do not open with these keys (first: case \(first))")
        }
        print("ok   case keys: all open (versions in use: \(Self.versions(inUse)))")
        let badTOTP = try await database.accountsWithUnopenableTOTP(keys: keyRing)
        if let first = badTOTP.first {
            throw CommandFailure("\(badTOTP.count) staff TOTP secrets do not open with these keys (first: account \(first))")
        }
        print("ok   staff TOTP secrets: all open (versions in use: \(Self.versions(totpInUse)))")
        let current = keyRing.currentMasterVersion
        let older = Set(inUse.keys).union(totpInUse.keys).filter { $0 < current }.sorted()
        if !older.isEmpty {
            // Not a failure: a backup restored after a rotation. Everything still opens.
            print("warn master key versions \(older.map { "v\($0)" }.joined(separator: ", ")) still in use (current v\(current)); "
                  + "run `reconcile keys rotate` to move everything to the newest version")
        }
        let awaiting = try await database.contactIndexesAwaitingUpgrade()
        if awaiting > 0 { print("warn \(awaiting) cases have version-1 contact blind indexes; `reconcile serve` moves them at start") }
        // Every row's keyed hash, its link to the previous row, and the head that vouches for the newest row.
        let audit = try await stores.audit.verifyAuditChain()
        if let row = audit.firstBadRow {
            throw CommandFailure("audit chain broken at row \(row): \(audit.reason ?? "unknown")")
        }
        print("ok   audit chain: \(audit.rows) rows verified")
        let settings = try config.load()
        print(try await backupLine(settings.backup))
        print(try await mailLine(settings.mail, stores.mail))
        _ = try policies.familyNoticePolicy()
        let unconfirmed = try policies.loadAreaContacts(councilAreas: settings.areas.councilAreas).unconfirmed
        if unconfirmed.isEmpty {
            print("ok   area contacts: every children's services number confirmed")
        } else {
            print("warn area contacts: \(unconfirmed.map(\.id).joined(separator: ", ")) not confirmed by the partner (policies/areas.json); the public pages say so")
        }
        // A bad recording.json stops serve; check says so first, and says what is required.
        let recording = try policies.recordingPolicy()
        let required = RecordingPolicy.Step.allCases.compactMap { step in
            recording.required[step].flatMap { $0.isEmpty ? nil : "\(step.rawValue) \($0.sorted().joined(separator: ", "))" }
        }
        print("ok   recording policy: \(required.isEmpty ? "nothing required" : "required " + required.joined(separator: "; "))")
        let intake = try policies.intakePolicy()
        let notOffered = Involvement.allCases.filter { !intake.offeredTo.contains($0) }
        print("ok   intake policy: " + (notOffered.isEmpty ? "offered to every child"
            : "not offered to \(notOffered.map(\.rawValue).joined(separator: ", ")) (answered with \(intake.elsewhere.count) places to turn)"))
        print("ok   experience themes: \(try policies.themeLabels().labels.count) coded themes labelled")
        let levels = try policies.levelLabels(councilAreas: settings.areas.councilAreas)
        if levels.unconfirmed.isEmpty {
            print("ok   levels of need: every area's labels confirmed")
        } else {
            print("warn levels of need: \(levels.unconfirmed.joined(separator: ", ")) not confirmed by the partner (policies/levels.json)")
        }
    }

    /// The shipped backups' recovery point. A stale one is a warning, not a failure: `check` also runs on a
    /// restored copy or with the service stopped for maintenance, where no new backups are expected.
    func backupLine(_ settings: Settings.Backup) async throws -> String {
        guard !settings.targetDir.isEmpty else {
            return "warn backups: not shipped (backup.target_dir is empty); set it to a mount of storage off this machine"
        }
        let target = ShippedBackups(directory: URL(fileURLWithPath: settings.targetDir))
        let newest: (url: URL, takenAt: Date)?
        let confirmed: Date?
        do { (newest, confirmed) = (try target.newest(), try await target.lastConfirmed()) } catch let error as BackupError {
            return "warn backups: \(error.description)"
        }
        guard let newest, let confirmed else { return "warn backups: none yet in \(settings.targetDir)" }
        let key = try? keys.directory.backupKey(createIfMissing: false)
        guard let key, target.isMade(newest.url, under: key) else {
            return "warn backups: \(newest.url.lastPathComponent) was made under a backup key that is not in \(keys.directory.url.path)"
        }
        let age = Int(Date().timeIntervalSince(confirmed)), limit = 2 * settings.intervalSeconds
        guard age <= limit else {
            return "warn backups: ALERT the last good backup is \(age) s old, past 2 × backup.interval_seconds (\(limit) s); "
                + "is the service running and \(settings.targetDir) mounted?"
        }
        return "ok   backups: newest \(newest.url.lastPathComponent), last known current \(age) s ago (alert past \(limit) s)"
    }

    /// The outbox: off, healthy, or a relay failing longer than `mail.alert_after_seconds` (a warning, like backups).
    func mailLine(_ settings: Settings.Mail, _ mail: MailStore) async throws -> String {
        let health = try await mail.mailHealth()
        guard settings.enabled else {
            return health.waiting > 0 ? "warn mail: off (mail.host is empty) with \(health.waiting) messages waiting" : "ok   mail: off (mail.host is empty)"
        }
        let refused = health.refused > 0 ? "; \(health.refused) refused by the relay for good this week" : ""
        if let since = health.failingSince {
            let age = Int(Date().timeIntervalSince(since))
            if age > settings.alertAfterSeconds {
                return "warn mail: ALERT the relay \(settings.host) has been failing for \(age) s (past mail.alert_after_seconds, "
                    + "\(settings.alertAfterSeconds) s); \(health.waiting) messages waiting\(refused)"
            }
            return "ok   mail: \(health.waiting) waiting, retrying for \(age) s (alert past \(settings.alertAfterSeconds) s)\(refused)"
        }
        return "\(refused.isEmpty ? "ok  " : "warn") mail: relay \(settings.host):\(settings.port), \(health.waiting) waiting\(refused)"
    }

    /// "v1×3, v2×1", or "none".
    static func versions(_ counts: [Int: Int]) -> String {
        counts.isEmpty ? "none" : counts.keys.sorted().map { "v\($0)×\(counts[$0]!)" }.joined(separator: ", ")
    }
}
