import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// Master key rotation: re-wraps per-case keys and re-seals TOTP secrets, never re-encrypts data.
@Suite struct KeyRotationTests {
    static let areas = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]
    static let password = "correct horse battery staple"
    /// Fifteen seconds into a 30-second step.
    static let now = Date(timeIntervalSince1970: 1_780_000_005)

    final class Install {
        let root: TemporaryDirectory
        let keys: KeyDirectory
        let data: URL
        let db: AppDatabase
        var stories: [CaseID: String] = [:]
        var totp: TOTP?

        init(cases: Int = 4, staff: Bool = true) async throws {
            root = try TemporaryDirectory()
            keys = KeyDirectory(url: root.url.appendingPathComponent("keys"))
            try keys.initialise()
            data = root.url.appendingPathComponent("data")
            db = try AppDatabase.open(dataDirectory: data, migrate: true)
            let ring = try keys.load()
            for _ in 0..<cases {
                let referral = Fixtures.referral()
                let record = try await IntakeStore(db, ring).createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: KeyRotationTests.now)
                stories[record.id] = referral.story!
            }
            if staff {
                let (_, uri) = try await StaffStore(db, ring).addStaff(email: "lead@example.org", role: .lead, councilArea: nil, password: KeyRotationTests.password,
                                                     councilAreas: KeyRotationTests.areas, passwordCost: .minimum, now: KeyRotationTests.now)
                totp = try KeyRotationTests.authenticator(uri)
            }
        }

        /// Every case decrypts to its story with the keys now in the directory.
        func expectEveryCaseOpens(_ db: AppDatabase? = nil) throws {
            let ring = try keys.load()
            for (id, story) in stories {
                #expect(try IntakeStore(db ?? self.db, ring).decryptedReferral(caseID: id).story == story)
            }
        }

        /// Signs in at `offset` steps after `now` (each code works once).
        func signIn(step offset: Int) async throws -> StaffSignIn {
            let at = KeyRotationTests.now.addingTimeInterval(Double(offset) * 30)
            return try await StaffStore(db, try keys.load()).signIn(email: "lead@example.org", password: KeyRotationTests.password, totp: totp!.code(at: at), passwordCost: .minimum, now: at)
        }
    }

    static func authenticator(_ uri: String) throws -> TOTP {
        let items = try #require(URLComponents(string: uri)?.queryItems)
        let secret = try #require(items.first { $0.name == "secret" }?.value)
        return TOTP(secret: SecretKey(bytes: try #require(Base32.decode(secret))))
    }

    static func caseKeyRows(_ db: AppDatabase) throws -> [CaseID: (dk: Int, mk: Int, wrapped: Data)] {
        try db.reader.read { conn in
            var rows: [CaseID: (dk: Int, mk: Int, wrapped: Data)] = [:]
            for row in try Row.fetchAll(conn, sql: "SELECT case_id, data_key_version, master_key_version, wrapped_key FROM case_key") {
                rows[row["case_id"]] = (row["data_key_version"], row["master_key_version"], row["wrapped_key"])
            }
            return rows
        }
    }

    static func personalCiphertexts(_ db: AppDatabase) throws -> [Data?] {
        try db.reader.read { conn in
            try Row.fetchAll(conn, sql: "SELECT story, contact_name, contact_email, contact_phone FROM referral_case ORDER BY id").flatMap { row in
                [row["story"], row["contact_name"], row["contact_email"], row["contact_phone"]] as [Data?]
            }
        }
    }

    static func totpRow(_ db: AppDatabase) throws -> (secret: Data, version: Int) {
        try db.reader.read { conn in
            let row = try #require(try Row.fetchOne(conn, sql: "SELECT totp_secret, totp_key_version FROM staff_account"))
            return (row["totp_secret"], row["totp_key_version"])
        }
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func rotationRewrapsEveryCaseKeyAndTOTPSecretWithoutTouchingData() async throws {
        let install = try await Install(cases: 4)
        _ = try await install.signIn(step: 0)
        let keysBefore = try Self.caseKeyRows(install.db)
        let dataBefore = try Self.personalCiphertexts(install.db)
        let totpBefore = try Self.totpRow(install.db)
        #expect(totpBefore.version == 1 && keysBefore.values.allSatisfy { $0.mk == 1 })

        let result = try await install.db.rotateMasterKey(directory: install.keys, now: Self.now)
        #expect(result == KeyRotationResult(masterVersion: 2, caseKeys: 4, totpSecrets: 1))

        // New key file 0600 beside the old one, which is kept.
        let files = try FileManager.default.contentsOfDirectory(atPath: install.keys.url.path).sorted()
        #expect(files == ["backup.key", "index.key", "master-v1.key", "master-v2.key", "signing.key"])
        #expect(try mode(install.keys.url.appendingPathComponent("master-v2.key").path) == 0o600)
        #expect(try install.keys.load().currentMasterVersion == 2)

        let keysAfter = try Self.caseKeyRows(install.db)
        #expect(Set(keysAfter.keys) == Set(keysBefore.keys))
        for (id, after) in keysAfter {
            #expect(after.mk == 2, "every case key names the new master version")
            #expect(after.dk == keysBefore[id]!.dk, "data key version unchanged")
            #expect(after.wrapped != keysBefore[id]!.wrapped)
        }
        #expect(try Self.personalCiphertexts(install.db) == dataBefore, "personal data is not re-encrypted")
        #expect(try await install.db.masterKeyVersionsInUse() == [2: 4])
        #expect(try await install.db.totpKeyVersionsInUse() == [2: 1])
        #expect(try Self.totpRow(install.db).secret != totpBefore.secret)
        try install.expectEveryCaseOpens()

        // The same authenticator still signs in: the secret was re-sealed, not replaced.
        let session = try await install.signIn(step: 1)
        #expect(session.account.email == "lead@example.org")

        // One audit row records the rotation, and the chain verifies.
        let last = try install.db.reader.read { try Row.fetchOne($0, sql: "SELECT action, detail FROM audit_log WHERE action = 'keys.rotate'") }
        #expect(last?["detail"] == "master v2; 4 case keys; 1 totp secrets")
        #expect(try await AuditStore(install.db, install.keys.load()).verifyAuditChain().firstBadRow == nil)
    }

    @Test func afterRotationNothingDependsOnTheOldWrapping() async throws {
        let install = try await Install(cases: 3)
        let before = try Self.caseKeyRows(install.db)
        _ = try await install.db.rotateMasterKey(directory: install.keys)
        // Without master-v1.key every case still opens and sign-in still works: v1 is no longer used.
        try FileManager.default.removeItem(at: install.keys.url.appendingPathComponent("master-v1.key"))
        #expect(try install.keys.load().masterKeys.keys.sorted() == [2])
        try install.expectEveryCaseOpens()
        _ = try await install.signIn(step: 0)
        #expect(try await install.db.casesWithUnopenableKeys(keys: install.keys.load()).isEmpty)

        // An old wrapping put back in a row (relabelled or not) does not open: the AD binds the version.
        let (id, old) = try #require(before.first)
        for version in [1, 2] {
            try await install.db.writer.write { conn in
                try conn.execute(sql: "UPDATE case_key SET wrapped_key = ?, master_key_version = ? WHERE case_id = ?",
                                 arguments: [old.wrapped, version, id])
            }
            #expect(throws: StoreError.self) { _ = try IntakeStore(install.db, install.keys.load()).decryptedReferral(caseID: id) }
        }
    }

    @Test func aBackupTakenBeforeRotationStillRestoresAndOpensWithTheRotatedKeyDirectory() async throws {
        let install = try await Install(cases: 3)
        let backup = install.root.url.appendingPathComponent("before-rotation.sqlite")
        _ = try await install.db.backup(to: backup)
        _ = try await install.db.rotateMasterKey(directory: install.keys)
        _ = try await install.db.rotateMasterKey(directory: install.keys)
        #expect(try await install.db.masterKeyVersionsInUse() == [3: 3])

        let drill = install.root.url.appendingPathComponent("drill")
        let result = try await AppDatabase.restore(from: backup, dataDirectory: drill, force: false)
        #expect(result.cases == 3)
        let restored = try AppDatabase.open(dataDirectory: drill, migrate: false)
        #expect(try await restored.masterKeyVersionsInUse() == [1: 3], "the backup still names the old version")
        #expect(try await restored.totpKeyVersionsInUse() == [1: 1])
        try install.expectEveryCaseOpens(restored)
        #expect(try await restored.casesWithUnopenableKeys(keys: install.keys.load()).isEmpty)
        #expect(try await restored.accountsWithUnopenableTOTP(keys: install.keys.load()).isEmpty)
        #expect(try await AuditStore(restored, install.keys.load()).verifyAuditChain().firstBadRow == nil)

        // Bringing the restored database up to the current version needs no new key.
        let moved = try await restored.rewrapAll(keys: install.keys.load())
        #expect(moved == KeyRotationResult(masterVersion: 3, caseKeys: 3, totpSecrets: 1))
        #expect(try await restored.masterKeyVersionsInUse() == [3: 3])
        try install.expectEveryCaseOpens(restored)
    }

    @Test func rotatingTwiceWorksAndRewrappingAgainChangesNothing() async throws {
        let install = try await Install(cases: 2)
        #expect(try await install.db.rotateMasterKey(directory: install.keys).masterVersion == 2)
        _ = try await install.signIn(step: 0)
        #expect(try await install.db.rotateMasterKey(directory: install.keys) == KeyRotationResult(masterVersion: 3, caseKeys: 2, totpSecrets: 1))
        #expect(try await install.db.masterKeyVersionsInUse() == [3: 2])
        #expect(try await install.db.totpKeyVersionsInUse() == [3: 1])
        try install.expectEveryCaseOpens()
        _ = try await install.signIn(step: 1)
        let rows = try Self.caseKeyRows(install.db)
        #expect(try await install.db.rewrapAll(keys: install.keys.load()) == KeyRotationResult(masterVersion: 3, caseKeys: 0, totpSecrets: 0))
        #expect(try Self.caseKeyRows(install.db).mapValues(\.wrapped) == rows.mapValues(\.wrapped))
        let audit = try await AuditStore(install.db, install.keys.load()).verifyAuditChain()
        #expect(audit.firstBadRow == nil)
    }

    @Test func aFailedTransactionLeavesTheNewKeyUnusedAndARerunFinishesTheJob() async throws {
        let install = try await Install(cases: 3)
        let before = try Self.caseKeyRows(install.db)
        // Make the transaction fail after the case keys were re-wrapped, at the TOTP step.
        try await install.db.writer.write { conn in
            try conn.execute(sql: """
                CREATE TRIGGER test_refuse_totp BEFORE UPDATE OF totp_secret ON staff_account
                BEGIN SELECT RAISE(ABORT, 'refused by test'); END
                """)
        }
        let error = await #expect(throws: KeyRotationError.self) { try await install.db.rotateMasterKey(directory: install.keys) }
        guard case .transactionFailed(let version, _)? = error else { Issue.record("expected transactionFailed"); return }
        #expect(version == 2)
        #expect(error?.description.contains("master-v2.key was written but nothing uses it") == true)
        #expect(FileManager.default.fileExists(atPath: install.keys.url.appendingPathComponent("master-v2.key").path))
        #expect(try Self.caseKeyRows(install.db).mapValues(\.wrapped) == before.mapValues(\.wrapped), "rolled back")
        #expect(try await install.db.masterKeyVersionsInUse() == [1: 3])
        #expect(try await install.db.totpKeyVersionsInUse() == [1: 1])
        try install.expectEveryCaseOpens()

        try await install.db.writer.write { try $0.execute(sql: "DROP TRIGGER test_refuse_totp") }
        let result = try await install.db.rotateMasterKey(directory: install.keys)
        #expect(result == KeyRotationResult(masterVersion: 3, caseKeys: 3, totpSecrets: 1))
        try install.expectEveryCaseOpens()
        _ = try await install.signIn(step: 0)
    }

    @Test func rotationRefusesUnopenableRowsBeforeWritingAKey() async throws {
        let install = try await Install(cases: 2, staff: false)
        let id = try #require(install.stories.keys.first)
        try await install.db.writer.write { conn in
            try conn.execute(sql: "UPDATE case_key SET wrapped_key = randomblob(72) WHERE case_id = ?", arguments: [id])
        }
        let error = await #expect(throws: KeyRotationError.self) { try await install.db.rotateMasterKey(directory: install.keys) }
        #expect(error == .unopenable(caseKeys: [id], totpAccounts: []))
        #expect(try install.keys.load().masterKeys.keys.sorted() == [1], "no key was added")
    }

    @Test func rotationRefusesALooseKeyDirectoryOrKeyFile() async throws {
        let install = try await Install(cases: 1, staff: false)
        let file = install.keys.url.appendingPathComponent("master-v1.key").path
        #expect(chmod(file, 0o644) == 0)
        await #expect(throws: KeyDirectoryError.self) { try await install.db.rotateMasterKey(directory: install.keys) }
        #expect(throws: KeyDirectoryError.self) { try install.keys.addMasterVersion() }
        #expect(chmod(file, 0o600) == 0)
        #expect(chmod(install.keys.url.path, 0o755) == 0)
        await #expect(throws: KeyDirectoryError.self) { try await install.db.rotateMasterKey(directory: install.keys) }
        #expect(chmod(install.keys.url.path, 0o700) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: install.keys.url.path).sorted()
                == ["backup.key", "index.key", "master-v1.key", "signing.key"])
        // After rotation, a loose new key file is refused like any other.
        _ = try await install.db.rotateMasterKey(directory: install.keys)
        #expect(chmod(install.keys.url.appendingPathComponent("master-v2.key").path, 0o640) == 0)
        let refused = #expect(throws: KeyDirectoryError.self) { try install.keys.load() }
        #expect(refused?.description.contains("master-v2.key") == true)
    }

    @Test func addingAVersionNeedsAnInitialisedDirectory() throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        #expect(throws: KeyDirectoryError.self) { try keys.addMasterVersion() }
        try FileManager.default.createDirectory(at: keys.url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let error = #expect(throws: KeyDirectoryError.self) { try keys.addMasterVersion() }
        #expect(error?.description.contains("keys init") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: keys.url.path).isEmpty)
    }
}
