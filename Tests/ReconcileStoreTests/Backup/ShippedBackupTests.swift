import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// Shipped backups: encrypted, written atomically, skipped when nothing changed, aged, verified, restored — and
/// refused when cut short, altered or made under another key.
@Suite struct ShippedBackupTests {
    typealias Install = BackupTests.Install

    func target(_ install: Install) throws -> ShippedBackups {
        let url = install.url("offsite")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return ShippedBackups(directory: url)
    }

    func names(_ url: URL) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    @Test func aShippedBackupIsCiphertextOnlyAndRestoresEveryCase() async throws {
        let install = try await Install(cases: 4)
        let target = try target(install)
        let key = try install.keys.backupKey(createIfMissing: false)
        let shipped = try await target.ship(install.db, key: key)
        #expect(shipped.cases == 4)
        #expect(shipped.url.lastPathComponent.range(of: #"^reconcile-\d{8}T\d{6}Z\.sqlite\.enc$"#, options: .regularExpression) != nil)
        #expect(try names(target.directory) == [shipped.url.lastPathComponent], "no temporary file left in the target")
        #expect(try !names(install.data).contains { $0.contains("backup-staging") }, "the plaintext copy is gone")
        #expect((try FileManager.default.attributesOfItem(atPath: shipped.url.path)[.posixPermissions] as! NSNumber).intValue == 0o600)
        let bytes = try Data(contentsOf: shipped.url)
        #expect(!bytes.contains("SQLite format 3"), "not even the SQLite structure is readable")
        #expect(!bytes.contains("grdb_migrations") && !bytes.contains("referral_case"))
        for story in install.stories.values { #expect(!bytes.contains(story)) }

        let fresh = install.url("restored")
        let result = try await AppDatabase.restore(fromEncrypted: shipped.url, key: key, keyDirectory: install.keys.url,
                                             dataDirectory: fresh, force: false)
        #expect(result.cases == 4)
        #expect(try names(fresh).allSatisfy { !$0.contains("decrypted") }, "the decrypted copy is removed")
        let db = try AppDatabase.open(dataDirectory: fresh, migrate: false)
        for (id, story) in install.stories { #expect(try IntakeStore(db, install.ring).decryptedReferral(caseID: id).story == story) }
        #expect(try await AuditStore(db, install.ring).verifyAuditChain().firstBadRow == nil)
    }

    @Test func aBackupMadeUnderAnotherKeyIsRefusedBeforeAnythingIsWritten() async throws {
        let install = try await Install(cases: 1)
        let shipped = try await target(install).ship(install.db, key: try install.keys.backupKey(createIfMissing: false))
        let other = KeyDirectory(url: install.url("other-keys"))
        try other.initialise()
        let fresh = install.url("restored")
        await #expect(throws: BackupError.keyNotHeld(shipped.url.path, other.url.path)) {
            try await AppDatabase.restore(fromEncrypted: shipped.url, key: try other.backupKey(createIfMissing: false),
                                          keyDirectory: other.url, dataDirectory: fresh, force: false)
        }
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
    }

    /// Cut at a chunk boundary (only TAG_FINAL is missing), cut mid-chunk, a flipped bit, a swapped pair of
    /// chunks, a byte appended, an altered key id: each is refused and nothing is restored.
    @Test func truncatedReorderedOrAlteredBackupsAreRefused() async throws {
        let install = try await Install(cases: 30)
        let key = try install.keys.backupKey(createIfMissing: false)
        let shipped = try await target(install).ship(install.db, key: key)
        let good = [UInt8](try Data(contentsOf: shipped.url))
        let start = EncryptedBackupFile.prefixLength + SecretStream.headerLength
        let sealedChunk = EncryptedBackupFile.chunkSize + SecretStream.overhead
        #expect(good.count > start + 2 * sealedChunk, "the database spans several chunks")
        var swapped = good
        swapped.replaceSubrange(start..<(start + 2 * sealedChunk),
                                with: good[(start + sealedChunk)..<(start + 2 * sealedChunk)] + good[start..<(start + sealedChunk)])
        var flipped = good
        flipped[good.count / 2] ^= 0x04
        var keyID = good
        keyID[EncryptedBackupFile.magic.count + 1] ^= 0x01
        let damaged: [(String, [UInt8], BackupError)] = [
            ("at a chunk boundary", Array(good[0..<(start + 2 * sealedChunk)]), .undecryptable("")),
            ("mid-chunk", Array(good[0..<(good.count - 100)]), .undecryptable("")),
            ("flipped", flipped, .undecryptable("")),
            ("swapped", swapped, .undecryptable("")),
            ("extended", good + [0], .undecryptable("")),
            ("other key id", keyID, .keyNotHeld("", "")),
        ]
        for (name, bytes, kind) in damaged {
            let file = install.url("bad-\(name.replacingOccurrences(of: " ", with: "-")).sqlite.enc")
            try Data(bytes).write(to: file)
            let fresh = install.url("restore-\(UUID().uuidString)")
            do {
                _ = try await AppDatabase.restore(fromEncrypted: file, key: key, keyDirectory: install.keys.url, dataDirectory: fresh, force: false)
                Issue.record("a backup \(name) was restored")
            } catch let error as BackupError {
                switch (error, kind) {
                case (.undecryptable(let path), .undecryptable), (.keyNotHeld(let path, _), .keyNotHeld):
                    #expect(path == file.path, "the refusal names the file")
                default: Issue.record("a backup \(name) was refused for the wrong reason: \(error)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: AppDatabase.databaseURL(in: fresh).path), "nothing restored from a backup \(name)")
        }
    }

    @Test func aCycleShipsOnlyWhenSomethingWasCommittedUpdatesAndOtherConnectionsIncluded() async throws {
        let install = try await Install(cases: 2)
        let target = try target(install)
        let key = try install.keys.backupKey(createIfMissing: false)
        let watcher = try await install.db.changeWatcher()
        let ageing = BackupAgeing(keep: 10, keepDays: 30)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)

        var (outcome, marker) = try await target.runCycle(install.db, watcher: watcher, lastMarker: nil, key: key, ageing: ageing, now: t0)
        guard case .shipped = outcome else { Issue.record("the first cycle must ship"); return }
        (outcome, marker) = try await target.runCycle(install.db, watcher: watcher, lastMarker: marker, key: key, ageing: ageing, now: t0 + 300)
        #expect(outcome == .unchanged)
        #expect(try target.list().count == 1)
        #expect(try await target.lastConfirmed() == t0 + 300, "an unchanged cycle still confirms the recovery point")

        // An UPDATE only (no new row), from another connection as a CLI command in another process would make.
        let caseID = install.stories.keys.sorted()[0]
        let other = try DatabaseQueue(path: AppDatabase.databaseURL(in: install.data).path)
        try await other.write { db in
            try db.execute(sql: "UPDATE referral_case SET stage = 'acknowledged', acknowledged_at = received_at WHERE id = ?", arguments: [caseID])
        }
        try other.close()
        (outcome, marker) = try await target.runCycle(install.db, watcher: watcher, lastMarker: marker, key: key, ageing: ageing, now: t0 + 600)
        guard case .shipped(let second, _) = outcome else { Issue.record("an update must be shipped"); return }
        let fresh = install.url("restored")
        _ = try await AppDatabase.restore(fromEncrypted: second.url, key: key, keyDirectory: install.keys.url, dataDirectory: fresh, force: false)
        let stage = try await AppDatabase.open(dataDirectory: fresh, migrate: false).reader.read { db in
            try String.fetchOne(db, sql: "SELECT stage FROM referral_case WHERE id = ?", arguments: [caseID])
        }
        #expect(stage == "acknowledged")

        // The service's own writer.
        try await install.addCase()
        (outcome, marker) = try await target.runCycle(install.db, watcher: watcher, lastMarker: marker, key: key, ageing: ageing, now: t0 + 900)
        guard case .shipped(let third, _) = outcome else { Issue.record("a new case must be shipped"); return }
        #expect(third.cases == 3)
        // If the backups vanish from the target, an unchanged database is shipped again.
        for backup in try target.list() { try FileManager.default.removeItem(at: backup.url) }
        (outcome, _) = try await target.runCycle(install.db, watcher: watcher, lastMarker: marker, key: key, ageing: ageing, now: t0 + 1200)
        guard case .shipped = outcome else { Issue.record("an empty target must be refilled"); return }
    }

    @Test func backupsTakenWhileReferralsArriveHoldEveryCaseCommittedBeforeTheCycle() async throws {
        let install = try await Install(cases: 1)
        let target = try target(install)
        let key = try install.keys.backupKey(createIfMissing: false)
        let (db, ring): (AppDatabase, KeyRing) = (install.db, install.ring)
        let writer = Task.detached {
            var ids: [(CaseID, Date)] = []
            for _ in 0..<200 {
                let record = try await IntakeStore(db, ring).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
                ids.append((record.id, Date()))
            }
            return ids
        }
        var shipped: [(ShippedBackup, Date)] = []
        for i in 0..<3 {
            let started = Date()
            shipped.append((try await target.ship(install.db, key: key, now: Date(timeIntervalSince1970: 1_800_000_000 + Double(i))), started))
            try await Task.sleep(for: .milliseconds(30))
        }
        let committed = try await writer.value
        for (backup, started) in shipped {
            let fresh = install.url("restored-\(UUID().uuidString)")
            _ = try await AppDatabase.restore(fromEncrypted: backup.url, key: key, keyDirectory: install.keys.url, dataDirectory: fresh, force: false)
            let db = try AppDatabase.open(dataDirectory: fresh, migrate: false)
            let present = Set(try await db.reader.read { db in try CaseID.fetchAll(db, sql: "SELECT id FROM referral_case") })
            let owed = committed.filter { $0.1 < started }.map(\.0)
            #expect(owed.allSatisfy(present.contains), "every case committed before the backup began is in it")
            #expect(try await db.integrityProblems().isEmpty)
            #expect(try await db.casesWithUnopenableKeys(keys: install.ring).isEmpty)
        }
    }

    @Test func verifyNamesTheBadBackupAndPassesTheGoodOnes() async throws {
        let install = try await Install(cases: 2)
        let target = try target(install)
        let key = try install.keys.backupKey(createIfMissing: false)
        let first = try await target.ship(install.db, key: key, now: Date(timeIntervalSince1970: 1_800_000_000))
        let second = try await target.ship(install.db, key: key, now: Date(timeIntervalSince1970: 1_800_000_300))
        var bytes = [UInt8](try Data(contentsOf: first.url))
        bytes[bytes.count - 5] ^= 0x10
        try Data(bytes).write(to: first.url)
        try Data("not a backup".utf8).write(to: target.directory.appendingPathComponent("notes.txt"))
        let results = try await target.verifyAll(key: key, keyDirectory: install.keys.url)
        #expect(results.map(\.name) == [second.url.lastPathComponent, first.url.lastPathComponent], "newest first; other files ignored")
        #expect(results[0].outcome == .success(.init(schema: AppDatabase.migrator.migrations.last!, cases: 2)))
        #expect(results[1].outcome == .failure(.undecryptable(first.url.path)))
    }

    @Test func ageingKeepsTheMostRecentAndOnePerDayWithinKeepDays() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // Every hour for 40 days.
        let taken = (0..<(40 * 24)).map { now.addingTimeInterval(-Double($0) * 3_600) }
        let doomed = Set(BackupAgeing(keep: 5, keepDays: 30).toDelete(taken, now: now))
        let kept = taken.filter { !doomed.contains($0) }
        #expect(kept.prefix(5) == taken.prefix(5), "the 5 most recent are kept")
        #expect(kept.allSatisfy { now.timeIntervalSince($0) < 30 * 86_400 }, "nothing older than keep_days survives")
        let days = Dictionary(grouping: kept.dropFirst(5)) { Int($0.timeIntervalSince1970 / 86_400) }
        #expect(days.values.allSatisfy { $0.count == 1 }, "one per day beyond the most recent")
        #expect(kept.count >= 30 && kept.count <= 36)
        #expect(BackupAgeing(keep: 5, keepDays: 0).toDelete(taken, now: now).count == taken.count - 5)
    }

    @Test func ageingTheDirectoryDeletesOnlyOurOldBackups() async throws {
        let install = try await Install(cases: 1)
        let target = try target(install)
        let key = try install.keys.backupKey(createIfMissing: false)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let old = try await target.ship(install.db, key: key, now: now.addingTimeInterval(-40 * 86_400))
        let recent = try await target.ship(install.db, key: key, now: now.addingTimeInterval(-60))
        let foreign = target.directory.appendingPathComponent("someone-elses.sqlite.enc")
        try Data([1, 2, 3]).write(to: foreign)
        let removed = try await target.age(BackupAgeing(keep: 1, keepDays: 30), now: now)
        #expect(removed == [old.url.lastPathComponent])
        #expect(try names(target.directory) == [recent.url.lastPathComponent, "someone-elses.sqlite.enc"])
    }

    @Test func theBackupKeyIsCreatedOnFirstUseOnlyWhenAskedAndChecksPermissions() throws {
        let dir = try TemporaryDirectory()
        let keys = KeyDirectory(url: dir.url.appendingPathComponent("keys"))
        try keys.initialise()
        let before = try keys.backupKey(createIfMissing: false)
        // A key directory from before shipped backups.
        try FileManager.default.removeItem(at: keys.url.appendingPathComponent("backup.key"))
        #expect(throws: KeyDirectoryError.self) { try keys.backupKey(createIfMissing: false) }
        #expect(!FileManager.default.fileExists(atPath: keys.url.appendingPathComponent("backup.key").path))
        let created = try keys.backupKey(createIfMissing: true)
        #expect(created.id != before.id)
        #expect(try keys.backupKey(createIfMissing: true).id == created.id, "created once, then read")
        let path = keys.url.appendingPathComponent("backup.key").path
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue == 0o600)
        chmod(path, 0o644)
        #expect(throws: KeyDirectoryError.self) { try keys.backupKey(createIfMissing: true) }
        #expect(throws: KeyDirectoryError.self) { try keys.load() }
    }
}
