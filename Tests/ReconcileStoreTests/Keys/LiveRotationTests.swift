import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

/// `keys rotate` while the service runs: the service's key ring, loaded before the rotation, goes on
/// reading every case and signing everyone in, and wraps new cases under the new version, without a restart.
@Suite struct LiveRotationTests {
    typealias Install = KeyRotationTests.Install

    /// Rotation as `reconcile keys rotate` runs it: another process, its own connection to the same file.
    static func rotateFromAnotherProcess(_ install: Install) async throws -> KeyRotationResult {
        try await rotateFromAnotherProcess(data: install.data, keys: install.keys)
    }

    static func rotateFromAnotherProcess(data: URL, keys: KeyDirectory) async throws -> KeyRotationResult {
        let other = try AppDatabase.open(dataDirectory: data, migrate: false)
        return try await other.rotateMasterKey(directory: keys, now: KeyRotationTests.now)
    }

    @Test func theRunningServiceReadsSignsInAndWrapsUnderTheNewVersionAfterARotation() async throws {
        let install = try await Install(cases: 3)
        let service = try install.keys.load()  // the ring `serve` loaded at start: v1 only
        #expect(service.masterKeys.keys.sorted() == [1])
        #expect(try await Self.rotateFromAnotherProcess(install).masterVersion == 2)

        for (id, story) in install.stories {
            #expect(try IntakeStore(install.db, service).decryptedReferral(caseID: id).story == story, "a case re-wrapped under v2 opens")
        }
        #expect(service.masterKeys.keys.sorted() == [1, 2], "the ring reloaded the key directory on meeting v2")
        let at = KeyRotationTests.now.addingTimeInterval(30)
        let session = try await StaffStore(install.db, service).signIn(email: "lead@example.org", password: KeyRotationTests.password,
                                                  totp: install.totp!.code(at: at), passwordCost: .minimum, now: at)
        #expect(session.account.role == .lead, "the TOTP secret re-sealed under v2 opens")

        let fresh = try await IntakeStore(install.db, service).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h",
                                              receivedAt: KeyRotationTests.now)
        #expect(try KeyRotationTests.caseKeyRows(install.db)[fresh.id]?.mk == 2)
        #expect(try await install.db.masterKeyVersionsInUse() == [2: 4])
    }

    @Test func aRingThatMeetsTheNewVersionThroughANewCaseFirstAlsoCatchesUp() async throws {
        let install = try await Install(cases: 1, staff: false)
        let service = try install.keys.load()
        _ = try await Self.rotateFromAnotherProcess(install)
        // The first thing the service does after the rotation is take a referral: key_state says v2.
        let fresh = try await IntakeStore(install.db, service).createCase(Fixtures.referral(), reference: Fixtures.reference(), passphraseHash: "h",
                                              receivedAt: KeyRotationTests.now)
        #expect(try KeyRotationTests.caseKeyRows(install.db)[fresh.id]?.mk == 2)
        #expect(service.currentMasterVersion == 2)
    }

    /// Referrals arrive through group commit while the rotation's transaction runs: whichever commits first,
    /// no case is left wrapped under the old version.
    @Test func referralsDuringARotationAllEndUnderTheNewVersion() async throws {
        let install = try await Install(cases: 2, staff: false)
        let service = try install.keys.load()
        let (db, data, directory) = (install.db, install.data, install.keys)
        let receipts = try await withThrowingTaskGroup(of: IntakeReceipt?.self) { group in
            for i in 0..<40 {
                group.addTask {
                    if i == 10 { _ = try await Self.rotateFromAnotherProcess(data: data, keys: directory); return nil }
                    return try await IntakeStore(db, service).submitReferral(Fixtures.referral(), idempotency: nil)
                }
            }
            return try await group.reduce(into: [IntakeReceipt]()) { if let r = $1 { $0.append(r) } }
        }
        #expect(receipts.count == 39)
        #expect(try await install.db.masterKeyVersionsInUse() == [2: 41], "every case key, old and new, is under v2")
        for receipt in receipts {
            #expect(try IntakeStore(install.db, service).decryptedReferral(caseID: receipt.caseID).story != nil)
        }
    }

    @Test func aRingWithoutAKeyDirectoryRefusesAnUnknownVersionClearly() throws {
        let ring = KeyRing.ephemeral()
        #expect(throws: StoreError.keyUnavailable("master key version 7 is not in the key directory")) {
            _ = try ring.masterKey(version: 7)
        }
        #expect(throws: StoreError.self) { try ring.catchUp(toMasterVersion: 2) }
    }

    @Test func aReloadNeverDropsAVersionAlreadyHeld() async throws {
        let install = try await Install(cases: 1, staff: false)
        let service = try install.keys.load()
        _ = try await Self.rotateFromAnotherProcess(install)
        try FileManager.default.removeItem(at: install.keys.url.appendingPathComponent("master-v1.key"))
        #expect(try service.reloadMasterKeys() == [1, 2], "v1, removed under a running service, is still held in memory")
    }
}
