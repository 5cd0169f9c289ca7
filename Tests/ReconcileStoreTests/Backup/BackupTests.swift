import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// Backups with the SQLite online backup API, and restores (SPEC "Reliability and security").
@Suite struct BackupTests {
    /// A data directory with a key directory, some cases and audit rows.
    final class Install {
        let root: TemporaryDirectory
        let keys: KeyDirectory
        let ring: KeyRing
        let data: URL
        /// The live database, as a running service holds it; `stop()` closes it.
        private(set) var db: AppDatabase!
        var stories: [CaseID: String] = [:]

        init(cases: Int = 5) async throws {
            root = try TemporaryDirectory()
            keys = KeyDirectory(url: root.url.appendingPathComponent("keys"))
            try keys.initialise()
            ring = try keys.load()
            data = root.url.appendingPathComponent("data")
            db = try AppDatabase.open(dataDirectory: data, migrate: true)
            for _ in 0..<cases { try await addCase() }
        }

        func stop() { db = nil }

        @discardableResult
        func addCase() async throws -> CaseID {
            let referral = Fixtures.referral(), ring = self.ring
            let record = try await IntakeStore(db, ring).createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
            try await db.writer.write { conn in
                try AppDatabase.appendAudit(conn, AuditEntry(actor: "staff-1", action: AuditAction("case.read"), caseID: record.id), at: Date(), keys: ring)
            }
            stories[record.id] = referral.story!
            return record.id
        }

        func url(_ name: String) -> URL { root.url.appendingPathComponent(name) }
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func expectBackupError(_ expected: BackupError, _ body: () async throws -> Void) async {
        await #expect(throws: expected) { try await body() }
    }

    @Test func backupThenRestoreIntoAFreshDirectoryOpensEveryCaseAndVerifiesTheAuditChain() async throws {
        let install = try await Install(cases: 5)
        let file = install.url("backups/first.sqlite")
        let result = try await install.db.backup(to: file)
        #expect(result.cases == 5)
        #expect(result.schema == AppDatabase.migrator.migrations.last)
        #expect(try mode(file.path) == 0o600)
        let files = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(files == ["first.sqlite"], "one self-contained file, no temporary or -wal left beside it")
        // Rollback-journal mode in the header (bytes 18 and 19 are 1), so the file stands alone.
        let bytes = try Data(contentsOf: file)
        #expect(bytes[18] == 1 && bytes[19] == 1)
        for story in install.stories.values { #expect(!bytes.contains(story), "the backup holds only ciphertext") }

        let fresh = install.url("restored")
        let restored = try await AppDatabase.restore(from: file, dataDirectory: fresh, force: false)
        #expect(restored.cases == 5 && restored.movedAside == nil)
        #expect(restored.schema == result.schema && restored.backupSchema == result.schema)
        #expect(try mode(restored.databaseURL.path) == 0o600)

        let db = try AppDatabase.open(dataDirectory: fresh, migrate: false)
        #expect(try await db.integrityProblems().isEmpty)
        for (id, story) in install.stories {
            #expect(try IntakeStore(db, install.ring).decryptedReferral(caseID: id).story == story)
        }
        let chain = try await AuditStore(db, install.ring).verifyAuditChain()
        #expect(chain.firstBadRow == nil && chain.rows == 5)
        #expect(try await AuditStore(db, install.ring).verifyAuditChain() == AuditStore(install.db, install.ring).verifyAuditChain())
        #expect(try await db.casesWithUnopenableKeys(keys: install.ring).isEmpty)
    }

    @Test func backupNeverOverwritesAnExistingFile() async throws {
        let install = try await Install(cases: 1)
        let file = install.url("b.sqlite")
        try Data("precious".utf8).write(to: file)
        await expectBackupError(.destinationExists(file.path)) { _ = try await install.db.backup(to: file) }
        #expect(try Data(contentsOf: file) == Data("precious".utf8))
        // Nor a file it wrote itself, nor a dangling symbolic link.
        let second = install.url("c.sqlite")
        _ = try await install.db.backup(to: second)
        await expectBackupError(.destinationExists(second.path)) { _ = try await install.db.backup(to: second) }
        let link = install.url("d.sqlite")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: install.url("nowhere").path)
        await expectBackupError(.destinationExists(link.path)) { _ = try await install.db.backup(to: link) }
        #expect(!FileManager.default.fileExists(atPath: install.url("nowhere").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: install.root.url.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }

    @Test func aBackupTakenDuringConcurrentWritesIsAConsistentSnapshot() async throws {
        let install = try await Install(cases: 3)
        let db: AppDatabase = install.db, ring = install.ring
        // Each step writes a case and then, in its own transaction, an audit row; the audit head and the last
        // audit row must agree in every copy, and every case row must have its key.
        let writer = Task.detached {
            for i in 0..<150 {
                let record = try await IntakeStore(db, ring).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h",
                                               receivedAt: Date())
                try await AuditStore(db, ring).recordAudit(AuditEntry(actor: "staff-\(i % 3)", action: AuditAction("case.read"), caseID: record.id))
            }
        }
        var counts: [Int] = []
        for n in 0..<6 {
            let file = install.url("concurrent-\(n).sqlite")
            let result = try await db.backup(to: file)
            counts.append(result.cases)
            let copy = try DatabaseQueue(path: file.path)
            let consistent = try AppDatabase(copy, migrate: false)
            #expect(try await consistent.integrityProblems().isEmpty)
            #expect(try await AuditStore(consistent, ring).verifyAuditChain().firstBadRow == nil, "backup \(n) has a torn audit chain")
            try await copy.read { conn in
                let cases = try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM referral_case")!
                let keys = try Int.fetchOne(conn, sql: "SELECT COUNT(*) FROM case_key")!
                #expect(cases == keys && cases == result.cases)
            }
            try copy.close()
            try await Task.sleep(for: .milliseconds(20))
        }
        try await writer.value
        #expect(counts == counts.sorted())
        let final = try await db.backup(to: install.url("final.sqlite"))
        #expect(final.cases == 153)
        _ = try await install.addCase()
    }

    @Test func restoreRefusesGarbageTouchingNothing() async throws {
        let install = try await Install(cases: 0)
        let garbage = install.url("garbage.sqlite")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: garbage)
        let target = install.url("target")
        await expectBackupError(.notADatabase(garbage.path)) {
            _ = try await AppDatabase.restore(from: garbage, dataDirectory: target, force: true)
        }
        let text = install.url("notes.txt")
        try Data("not a database at all\n".utf8).write(to: text)
        await expectBackupError(.notADatabase(text.path)) { _ = try await AppDatabase.restore(from: text, dataDirectory: target, force: true) }
        let empty = install.url("empty.sqlite")
        try Data().write(to: empty)
        await expectBackupError(.notADatabase(empty.path)) { _ = try await AppDatabase.restore(from: empty, dataDirectory: target, force: true) }
        let missing = install.url("missing.sqlite")
        await expectBackupError(.sourceMissing(missing.path)) { _ = try await AppDatabase.restore(from: missing, dataDirectory: target, force: true) }
        #expect(!FileManager.default.fileExists(atPath: target.path), "nothing was created")

        // A SQLite database that is not ours.
        let foreign = install.url("foreign.sqlite")
        let queue = try DatabaseQueue(path: foreign.path)
        try await queue.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        try queue.close()
        await expectBackupError(.notReconcile(foreign.path)) { _ = try await AppDatabase.restore(from: foreign, dataDirectory: target, force: true) }
    }

    @Test func restoreRefusesATruncatedBackup() async throws {
        let install = try await Install(cases: 40)
        let file = install.url("full.sqlite")
        _ = try await install.db.backup(to: file)
        let bytes = try Data(contentsOf: file)
        #expect(bytes.count > 8 * 4096)
        let truncated = install.url("truncated.sqlite")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let target = install.url("target")
        let error = await #expect(throws: BackupError.self) {
            _ = try await AppDatabase.restore(from: truncated, dataDirectory: target, force: false)
        }
        if case .damaged(let path, _)? = error { #expect(path == truncated.path) } else { Issue.record("expected .damaged, got \(String(describing: error))") }
        #expect(!FileManager.default.fileExists(atPath: AppDatabase.databaseURL(in: target).path))
    }

    @Test func restoreRefusesANewerSchema() async throws {
        let install = try await Install(cases: 2)
        let file = install.url("future.sqlite")
        _ = try await install.db.backup(to: file)
        let queue = try DatabaseQueue(path: file.path)
        try await queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-future')") }
        try queue.close()
        let target = install.url("target")
        await expectBackupError(.newerSchema(file.path, "v999-future")) {
            _ = try await AppDatabase.restore(from: file, dataDirectory: target, force: true)
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func restoreRefusesAnExistingDatabaseWithoutForceAndKeepsItAsideWithForce() async throws {
        let install = try await Install(cases: 3)
        let file = install.url("three.sqlite")
        _ = try await install.db.backup(to: file)
        let later = try await install.addCase()  // in the live database only
        let target = AppDatabase.databaseURL(in: install.data)
        let before = try Data(contentsOf: target)

        await expectBackupError(.databaseExists(target.path)) {
            _ = try await AppDatabase.restore(from: file, dataDirectory: install.data, force: false)
        }
        #expect(try Data(contentsOf: target) == before, "untouched without --force")
        #expect(try await IntakeStore(install.db, install.ring).caseCount() == 4)
        // While the service has it open, not even --force replaces it.
        await expectBackupError(.inUse(target.path)) {
            _ = try await AppDatabase.restore(from: file, dataDirectory: install.data, force: true)
        }
        #expect(try await IntakeStore(install.db, install.ring).caseCount() == 4)
        install.stop()

        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let result = try await AppDatabase.restore(from: file, dataDirectory: install.data, force: true, now: now)
        let aside = try #require(result.movedAside)
        #expect(aside.lastPathComponent == "reconcile.sqlite.before-restore-20260528T202640Z")
        #expect(result.cases == 3)
        do {
            let restored = try AppDatabase.open(dataDirectory: install.data, migrate: false)
            #expect(try await IntakeStore(restored, install.ring).caseCount() == 3)
            #expect(try IntakeStore(restored, install.ring).caseRecord(id: later) == nil)
        }

        // The set-aside database is one checkpointed file with everything it had, the newest case included.
        #expect(!FileManager.default.fileExists(atPath: aside.path + "-wal"))
        let asideCopy = install.url("aside")
        try FileManager.default.createDirectory(at: asideCopy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: aside.path, toPath: AppDatabase.databaseURL(in: asideCopy).path)
        let old = try AppDatabase.open(dataDirectory: asideCopy, migrate: false)
        #expect(try await IntakeStore(old, install.ring).caseCount() == 4)
        #expect(try IntakeStore(old, install.ring).decryptedReferral(caseID: later).story == install.stories[later])

        // A second forced restore in the same second does not clobber the first set-aside file.
        let again = try await AppDatabase.restore(from: file, dataDirectory: install.data, force: true, now: now)
        #expect(again.movedAside?.lastPathComponent == "reconcile.sqlite.before-restore-20260528T202640Z-2")
    }

    @Test func restoreRemovesStaleWALFilesOfAMissingDatabase() async throws {
        let install = try await Install(cases: 2)
        let file = install.url("two.sqlite")
        _ = try await install.db.backup(to: file)
        let target = install.url("target")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let db = AppDatabase.databaseURL(in: target)
        try Data(repeating: 7, count: 8192).write(to: URL(fileURLWithPath: db.path + "-wal"))
        try Data(repeating: 7, count: 32768).write(to: URL(fileURLWithPath: db.path + "-shm"))
        let result = try await AppDatabase.restore(from: file, dataDirectory: target, force: false)
        #expect(result.cases == 2)
        let restored = try AppDatabase.open(dataDirectory: target, migrate: false)
        #expect(try await restored.integrityProblems().isEmpty)
        for (id, story) in install.stories { #expect(try IntakeStore(restored, install.ring).decryptedReferral(caseID: id).story == story) }
    }

    @Test func anOlderBackupIsMigratedForward() async throws {
        let root = try TemporaryDirectory()
        let file = root.url.appendingPathComponent("old.sqlite")
        let queue = try DatabaseQueue(path: file.path)
        try AppDatabase.migrator.migrate(queue, upTo: "v3-audit-log")
        try queue.close()
        let target = root.url.appendingPathComponent("data")
        let result = try await AppDatabase.restore(from: file, dataDirectory: target, force: false)
        #expect(result.backupSchema == "v3-audit-log")
        #expect(result.schema == AppDatabase.migrator.migrations.last)
        let db = try AppDatabase.open(dataDirectory: target, migrate: false)
        #expect(try await db.appliedMigrations() == AppDatabase.migrator.migrations)
    }

    @Test func aCopiedDatabaseFileOfAStoppedServiceAlsoRestores() async throws {
        let root = try TemporaryDirectory()
        let keys = KeyRing.ephemeral()
        let data = root.url.appendingPathComponent("data")
        var id = CaseID("")
        do {
            let db = try AppDatabase.open(dataDirectory: data, migrate: true)
            id = try await IntakeStore(db, keys).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date()).id
        }
        // The pool is closed: the WAL is checkpointed into the file, whose header still says WAL.
        let copy = root.url.appendingPathComponent("copy.sqlite")
        try FileManager.default.copyItem(at: AppDatabase.databaseURL(in: data), to: copy)
        let result = try await AppDatabase.restore(from: copy, dataDirectory: root.url.appendingPathComponent("target"), force: false)
        #expect(result.cases == 1)
        let restored = try AppDatabase.open(dataDirectory: root.url.appendingPathComponent("target"), migrate: false)
        #expect(try IntakeStore(restored, keys).decryptedReferral(caseID: id).story != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.url.path).filter { $0.hasPrefix("copy.sqlite-") }
        #expect(leftovers.isEmpty, "the backup file is only read")
    }
}
