import Foundation
import Testing
@testable import ReconcileStore

@Suite struct KeyDirectoryTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func initCreatesPrivateFilesAndLoads() throws {
        let dir = try TemporaryDirectory()
        let keysURL = dir.url.appendingPathComponent("keys")
        let keys = KeyDirectory(url: keysURL)
        try keys.initialise()
        #expect(try mode(keysURL.path) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: keysURL.path).sorted()
        #expect(files == ["backup.key", "index.key", "master-v1.key", "signing.key"])
        for file in files { #expect(try mode(keysURL.appendingPathComponent(file).path) == 0o600) }
        let ring = try keys.load()
        #expect(ring.currentMasterVersion == 1)
        #expect(!"\(ring)".contains("SecretKey(32"), "no key material in descriptions")
        // Loading twice gives the same keys (same signing public key).
        #expect(try keys.load().signing.publicKey == ring.signing.publicKey)
    }

    @Test func initNeverOverwritesKeys() throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        let before = try keys.load().signing.publicKey
        #expect(throws: KeyDirectoryError.self) { try keys.initialise() }
        #expect(try keys.load().signing.publicKey == before)
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o666])
    func looseKeyFileIsRefused(mode: Int) throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        let file = keys.url.appendingPathComponent("master-v1.key").path
        #expect(chmod(file, mode_t(mode)) == 0)
        let error = #expect(throws: KeyDirectoryError.self) { try keys.load() }
        #expect(error?.description.contains("master-v1.key") == true)
        #expect(error?.description.contains("0600") == true)
    }

    @Test func looseDirectoryIsRefused() throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        #expect(chmod(keys.url.path, 0o750) == 0)
        #expect(throws: KeyDirectoryError.self) { try keys.load() }
    }

    @Test func missingDirectoryOrKeyIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let missing = KeyDirectory(url: dir.url.appendingPathComponent("nowhere"))
        let error = #expect(throws: KeyDirectoryError.self) { try missing.load() }
        #expect(error?.description.contains("keys init") == true)
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        try FileManager.default.removeItem(at: keys.url.appendingPathComponent("index.key"))
        #expect(throws: KeyDirectoryError.self) { try keys.load() }
    }

    @Test func truncatedKeyFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        let file = keys.url.appendingPathComponent("index.key")
        try Data([1, 2, 3]).write(to: file)
        _ = chmod(file.path, 0o600)
        #expect(throws: KeyDirectoryError.self) { try keys.load() }
    }

    @Test func newMasterVersionWrapsNewCasesAndOldCasesStillOpen() async throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        let db = try AppDatabase.inMemory()
        let old = try await IntakeStore(db, try keys.load()).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(try keys.addMasterVersion() == 2)
        let ring = try keys.load()
        #expect(ring.currentMasterVersion == 2)
        let new = try await IntakeStore(db, ring).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
        #expect(try await db.masterKeyVersionsInUse() == [1: 1, 2: 1])
        #expect(try IntakeStore(db, ring).decryptedReferral(caseID: old.id).story != nil)
        #expect(try IntakeStore(db, ring).decryptedReferral(caseID: new.id).story != nil)
    }
}
