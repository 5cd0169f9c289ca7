import Foundation
import Hummingbird
import RouterTesting
import Logging
import NIOConcurrencyHelpers
import ReconcileCore
import ReconcileStore
@testable import ReconcileServer

/// Collects every log line the application writes, with metadata, so tests can grep it for canaries.
final class LogCapture: @unchecked Sendable {
    private let lock = NIOLock()
    private var storage: [String] = []

    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var text: String { lock.withLock { storage.joined(separator: "\n") } }

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let all = metadata.merging(extra ?? [:]) { $1 }
            capture.append("\(level) \(message) \(all)")
        }
    }
}

/// An application over an in-memory (or file) database with ephemeral keys and captured logs.
struct Harness {
    let database: AppDatabase
    let keys: KeyRing
    var stores: Stores { Stores(database: database, keys: keys) }
    let logs = LogCapture()
    var settings: Settings

    init(settings: Settings = Harness.fastSettings(), database: AppDatabase? = nil) throws {
        self.settings = settings
        self.database = try database ?? AppDatabase.inMemory()
        self.keys = KeyRing.ephemeral()
    }

    /// Defaults, but with the cheapest Argon2id so tests stay quick.
    static func fastSettings() -> Settings {
        var s = Settings()
        s.security.passwordHashCost = .minimum
        return s
    }

    /// `recording`: nil for the shipped `policies/recording.json`.
    /// `intake`: nil for the shipped `policies/intake.json`.
    /// `clock`: the time sessions and sign-in codes are checked against (the wall clock unless a test moves its own).
    /// `schools`: screen themes and families' words against the shipped `policies/schools.json`.
    func app(sessionPolicy: StaffSessionPolicy = .init(), recording: RecordingPolicy? = nil,
             intake: IntakePolicy? = nil, clock: TestClock? = nil, schools: Bool = false) throws -> some ApplicationProtocol {
        var configuration = AppConfiguration(settings: settings, database: database, keys: keys, directory: try Harness.directory(),
                                             sessionPolicy: sessionPolicy, logger: logs.logger)
        if let clock { configuration.clock = { clock.now } }
        configuration.areaContacts = try Harness.areaContacts()
        if schools { configuration.disclosure.localSchoolNames = try LocalSchools.load(from: Harness.policies.appendingPathComponent("schools.json")) }
        configuration.recording = try recording ?? RecordingPolicy.load(from: Harness.policies.appendingPathComponent("recording.json"))
        configuration.themeLabels = try ThemeLabels.load(from: Harness.policies.appendingPathComponent("themes.json"))
        configuration.intakePolicy = try intake ?? IntakePolicy.load(from: Harness.policies.appendingPathComponent("intake.json"))
        configuration.levelLabels = try LevelLabels.load(from: Harness.policies.appendingPathComponent("levels.json"),
                                                         councilAreas: Settings().areas.councilAreas)
        return try buildApplication(configuration: configuration)
    }

    /// The shipped area contacts, `policies/areas.json` in this repository.
    static func areaContacts() throws -> AreaContacts {
        try AreaContacts.load(from: policies.appendingPathComponent("areas.json"), councilAreas: Settings().areas.councilAreas)
    }

    /// `policies/` of this repository (this file is in Tests/ReconcileServerTests/Support/).
    static var policies: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies")
    }

    /// The shipped directory, `policies/services.json` in this repository.
    static func directory() throws -> ServiceDirectory {
        try ServiceDirectory.load(from: policies.appendingPathComponent("services.json"), councilAreas: Settings().areas.councilAreas)
    }
}

/// A temporary directory removed when the test ends (for file-backed databases).
final class TemporaryDirectory: Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-server-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    /// Every file in the directory, concatenated: the raw bytes an attacker with the disk would see.
    func rawBytes() throws -> Data {
        // SQLite may remove a -journal or -shm file between the listing and the read: a file gone holds nothing.
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().reduce(into: Data()) { all, name in
            if let data = try? Data(contentsOf: url.appendingPathComponent(name)) { all.append(data) }
        }
    }
}

enum Sample {
    static func canary() -> String { "CANARY\(UUID().uuidString.prefix(8))" }

    /// A complete, valid API body whose personal values all contain `canary`.
    static func referral(canary: String, overrides: [String: Any] = [:], contact: [String: Any] = [:]) -> [String: Any] {
        var c: [String: Any] = [
            "name": "\(canary) Name", "email": "\(canary.lowercased())@example.org", "phone": "07700 900123",
            "address": "1 \(canary) Street", "preference": "email", "safe_to_leave_message": false,
            "safe_times": "after six \(canary)",
        ]
        c.merge(contact) { $1 }
        var body: [String: Any] = [
            "contact": c, "council_area": "herefordshire", "referrer_role": "parent_or_carer",
            "setting": "secondary", "harm": ["sexual_assault"], "when": "1_to_3_years",
            "told_before": ["school"], "wishes": ["to_be_listened_to"],
            "story": "What happened to \(canary) at school", "consent": ["contact": true, "statistics": true],
        ]
        body.merge(overrides) { $1 }
        return body
    }

    /// A validated referral for seeding the store directly (dates in the past, other areas).
    static func storeReferral(canary: String) -> Referral {
        Referral(
            contact: ContactDetails(name: "\(canary) Name", email: "\(canary.lowercased())@example.org", phone: "07700 900123",
                                    address: "1 \(canary) Street, SY1 1AA", preference: .email, safeToLeaveMessage: false),
            story: "Story \(canary)", councilArea: "herefordshire", referrerRole: .parentOrCarer, setting: .secondary,
            harm: [.sexualAssault], howLongAgo: .oneToThreeYears, toldBefore: [.school], wishes: [.toBeListenedTo],
            consentToStatistics: true)
    }

    static func json(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }
}

extension TestResponse {
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] }
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    /// POSTs a JSON body to the intake API.
    func refer(_ body: ByteBuffer, contentType: String = "application/json", headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return try await execute(uri: "/api/v1/referrals", method: .post, headers: headers, body: body)
    }
}

/// A clock a test moves by hand, so an idle limit or a code's step passes without sleeping.
final class TestClock: Sendable {
    private let time: NIOLockedValueBox<Date>
    init(_ start: Date = Date()) { time = NIOLockedValueBox(start) }
    var now: Date { time.withLockedValue { $0 } }
    func advance(by seconds: TimeInterval) { time.withLockedValue { $0 += seconds } }
}
