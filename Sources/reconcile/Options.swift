import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// A failure the operator should read: ArgumentParser prints it as one line and exits non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A command whose feature lands in a later issue. It says so and fails; it never pretends success.
func notBuiltYet(_ command: String, lands: String) -> CommandFailure {
    CommandFailure("`reconcile \(command)` is not built yet (it lands with \"\(lands)\"); nothing was done")
}

struct DataDirOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Database and backups (default $RECONCILE_DATA_DIR or ./var/data).")
    var dataDir: String?

    var url: URL {
        URL(fileURLWithPath: dataDir ?? ProcessInfo.processInfo.environment["RECONCILE_DATA_DIR"] ?? "./var/data")
    }
}

struct KeyDirOption: ParsableArguments {
    @Option(name: .customLong("key-dir"), help: "Key files, mode 0600 (default $RECONCILE_KEY_DIR or ./var/keys).")
    var keyDir: String?

    var directory: KeyDirectory {
        KeyDirectory(url: URL(fileURLWithPath: keyDir ?? ProcessInfo.processInfo.environment["RECONCILE_KEY_DIR"] ?? "./var/keys"))
    }

    func load() throws -> KeyRing {
        do { return try directory.load() } catch let error as KeyDirectoryError { throw CommandFailure(error.description) }
    }
}

struct ConfigOption: ParsableArguments {
    @Option(name: .customLong("config"), help: "Settings file overriding config/reconcile.json.")
    var config: String?

    func load() throws -> Settings {
        let shipped = URL(fileURLWithPath: "config/reconcile.json")
        var files = [shipped]
        if let config { files.append(URL(fileURLWithPath: config)) }
        do {
            return try Settings.load(files: files, optionalFiles: [shipped])
        } catch let error as SettingsError {
            throw CommandFailure(error.description)
        }
    }
}

struct PoliciesOption: ParsableArguments {
    @Option(name: .customLong("policies-dir"), help: "Policy files: services.json (default $RECONCILE_POLICIES_DIR or ./policies).")
    var policiesDir: String?

    var url: URL {
        URL(fileURLWithPath: policiesDir ?? ProcessInfo.processInfo.environment["RECONCILE_POLICIES_DIR"] ?? "./policies")
    }

    /// Reads one policy file: its own checks' message (`DirectoryError`) as it is, anything else (missing file,
    /// bad JSON) as one line naming the file, so a bad policy stops the command without a stack of errors.
    private func policyFile<T>(_ name: String, _ what: String, _ load: (URL) throws -> T) throws -> T {
        let file = url.appendingPathComponent(name)
        do {
            return try load(file)
        } catch let error as DirectoryError {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("cannot read the \(what) \(file.path): \(type(of: error))")
        }
    }

    /// `areas.json`: each council area's children's services numbers, shown on every public page.
    func loadAreaContacts(councilAreas: [String]) throws -> AreaContacts {
        try policyFile("areas.json", "area contacts") { try AreaContacts.load(from: $0, councilAreas: councilAreas) }
    }

    /// `levels.json`: each area's words for the levels of need.
    func levelLabels(councilAreas: [String]) throws -> LevelLabels {
        try policyFile("levels.json", "levels of need") { try LevelLabels.load(from: $0, councilAreas: councilAreas) }
    }

    /// `recording.json`: which practice-record fields each case step must carry.
    func recordingPolicy() throws -> RecordingPolicy {
        try policyFile("recording.json", "recording policy") { try RecordingPolicy.load(from: $0) }
    }

    /// `intake.json`: which children the service is for, and where to send anyone else.
    func intakePolicy() throws -> IntakePolicy {
        try policyFile("intake.json", "intake policy") { try IntakePolicy.load(from: $0) }
    }

    /// `themes.json`: the partner's words for the coded experience themes.
    func themeLabels() throws -> ThemeLabels {
        try policyFile("themes.json", "experience themes") { try ThemeLabels.load(from: $0) }
    }

    /// `notifications.json`: the family notice's sender name and subject.
    func familyNoticePolicy() throws -> FamilyNoticePolicy {
        try policyFile("notifications.json", "notification policy") { try FamilyNoticePolicy.load(from: $0) }
    }

    func loadDirectory(councilAreas: [String]) throws -> ServiceDirectory {
        try policyFile("services.json", "service directory") { try ServiceDirectory.load(from: $0, councilAreas: councilAreas) }
    }

    /// `disclosure.json`: suppression threshold, marker, rounding; with `schools.json`, the school names themes
    /// are screened against.
    func disclosurePolicy() throws -> DisclosurePolicy {
        let file = url.appendingPathComponent("disclosure.json")
        var policy: DisclosurePolicy
        do {
            policy = try DisclosurePolicy.load(from: file)
        } catch {
            throw CommandFailure("cannot use the disclosure policy \(file.path): \(error)")
        }
        let schools = url.appendingPathComponent("schools.json")
        do {
            policy.localSchoolNames = try LocalSchools.load(from: schools)
        } catch {
            throw CommandFailure("cannot use the school list \(schools.path): \(error)")
        }
        return policy
    }

    /// `retention.json`: erasure cooling-off and closed-case retention.
    func retentionPolicy() throws -> RetentionPolicy {
        let file = url.appendingPathComponent("retention.json")
        do {
            return try RetentionPolicy.load(from: file)
        } catch {
            throw CommandFailure("cannot use the retention policy \(file.path): \(error)")
        }
    }
}

/// Opens the database, turning store errors into one-line failures.
func openDatabase(_ dataDir: DataDirOption, migrate: Bool, tuning: DatabaseTuning = DatabaseTuning()) throws -> AppDatabase {
    do {
        return try AppDatabase.open(dataDirectory: dataDir.url, migrate: migrate, tuning: tuning)
    } catch let error as StoreError {
        throw CommandFailure(error.description)
    }
}
