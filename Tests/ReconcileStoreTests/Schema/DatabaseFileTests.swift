import Foundation
import GRDB
import ReconcileCore
import Testing
@testable import ReconcileStore

@Suite struct DatabaseFileTests {
    @Test func everyConnectionHasTheSafetyPragmas() throws {
        let dir = try TemporaryDirectory()
        let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        let writer: [String?] = try db.writer.writeWithoutTransaction { conn in
            try ["journal_mode", "synchronous", "foreign_keys", "secure_delete"].map {
                try String.fetchOne(conn, sql: "PRAGMA \($0)")
            }
        }
        #expect(writer == ["wal", "2", "1", "1"], "WAL, synchronous FULL, foreign keys, secure delete")
        // Reader connections of the pool.
        let reader: [String?] = try db.reader.read { conn in
            try ["foreign_keys", "secure_delete"].map { try String.fetchOne(conn, sql: "PRAGMA \($0)") }
        }
        #expect(reader == ["1", "1"])
    }

    @Test func rawDatabaseFilesNeverHoldPlantedPlainValues() async throws {
        let dir = try TemporaryDirectory()
        let keys = KeyRing.ephemeral()
        let canary = "CANARY-\(UUID().uuidString)"
        let referral = Fixtures.referral(canary: canary)
        do {
            let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
            for _ in 0..<20 {
                _ = try await IntakeStore(db, keys).createCase(referral, reference: Fixtures.reference(), passphraseHash: "h", receivedAt: Date())
            }
            // Before checkpoint the data lives in the WAL; after it, in the main file. Check both states.
            try assertNoCanary(in: dir.url, values: Self.values(of: referral))
            try await db.checkpoint()
            try assertNoCanary(in: dir.url, values: Self.values(of: referral))
        }
        #expect(FileManager.default.fileExists(atPath: AppDatabase.databaseURL(in: dir.url).path))
    }

    static func values(of referral: Referral) -> [String] {
        [referral.contact.name!, referral.contact.email!, referral.contact.phone!, referral.contact.address!,
         referral.contact.safeTimes!, referral.story!, ContactNormaliser.phone(referral.contact.phone!)]
    }

    func assertNoCanary(in directory: URL, values: [String]) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("reconcile.sqlite"))
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            for value in values {
                #expect(!data.contains(value), "\(file) holds a plain personal value")
            }
        }
    }

    @Test func anUnmigratedDatabaseIsRefusedWithoutMigrate() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: StoreError.self) { try AppDatabase.open(dataDirectory: dir.url, migrate: false) }
    }

    @Test func aNewerSchemaIsRefused() throws {
        let dir = try TemporaryDirectory()
        let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        try db.writer.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-future')") }
        #expect(throws: StoreError.integrity("the database has schema v999-future, newer than this program; upgrade reconcile")) {
            try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        }
    }

    @Test func integrityCheckIsCleanOnAFreshDatabase() async throws {
        let db = try AppDatabase.inMemory()
        #expect(try await db.integrityProblems().isEmpty)
        #expect(try await db.appliedMigrations() == ["v1-cases", "v2-idempotency", "v3-audit-log", "v4-staff", "v5-case-workflow", "v6-portal", "v7-reports", "v8-case-list-index", "v9-answer-bits", "v10-key-uses", "v11-practice-records", "v12-intake-questions", "v13-mail-outbox", "v14-records-check", "v15-feedback-loop", "v16-feedback-and-complaints", "v17-referral-language", "v18-passphrase-reissue", "v19-request-path-indexes", "v20-follow-ups", "v23-meetings", "v24-voices", "v25-appointments", "v26-closed-as-duplicate", "v27-open-caseloads", "v28-due-by-person"])
    }
}
