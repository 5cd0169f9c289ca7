import ArgumentParser
import ReconcileStore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check database integrity, key presence and permissions, that every case key opens, and the audit chain.")

    @OptionGroup var data: DataDirOption
    @OptionGroup var keys: KeyDirOption

    func run() async throws {
        let keyRing = try keys.load()
        print("ok   key directory: permissions tight; master key versions \(keyRing.masterKeys.keys.sorted()) (current v\(keyRing.currentMasterVersion))")
        let database = try openDatabase(data, migrate: false)
        let problems = try database.integrityProblems()
        guard problems.isEmpty else { throw CommandFailure("database integrity: \(problems[0])") }
        print("ok   database integrity (\(try database.caseCount()) cases)")
        // Master key versions in use: wrapping per-case keys, and sealing staff TOTP secrets.
        let inUse = try database.masterKeyVersionsInUse()
        let totpInUse = try database.totpKeyVersionsInUse()
        if let missing = inUse.keys.sorted().first(where: { keyRing.masterKeys[$0] == nil }) {
            throw CommandFailure("master key version \(missing) wraps \(inUse[missing]!) case keys but is not in the key directory")
        }
        if let missing = totpInUse.keys.sorted().first(where: { keyRing.masterKeys[$0] == nil }) {
            throw CommandFailure("master key version \(missing) seals \(totpInUse[missing]!) staff TOTP secrets but is not in the key directory")
        }
        let bad = try database.casesWithUnopenableKeys(keys: keyRing)
        if let first = bad.first {
            throw CommandFailure("\(bad.count) case keys do not open with these keys (first: case \(first))")
        }
        print("ok   case keys: all open (versions in use: \(Self.versions(inUse)))")
        let badTOTP = try database.accountsWithUnopenableTOTP(keys: keyRing)
        if let first = badTOTP.first {
            throw CommandFailure("\(badTOTP.count) staff TOTP secrets do not open with these keys (first: account \(first))")
        }
        print("ok   staff TOTP secrets: all open (versions in use: \(Self.versions(totpInUse)))")
        let current = keyRing.currentMasterVersion
        let older = Set(inUse.keys).union(totpInUse.keys).filter { $0 < current }.sorted()
        if !older.isEmpty {
            // Not a failure: a backup restored after a rotation, or cases written by a service that was not
            // restarted after `keys rotate`. Everything still opens.
            print("warn master key versions \(older.map { "v\($0)" }.joined(separator: ", ")) still in use (current v\(current)); "
                  + "run `reconcile keys rotate` with the service stopped to move everything to the newest version")
        }
        // Every row's keyed hash, its link to the previous row, and the head that vouches for the newest row.
        let audit = try database.verifyAuditChain(keys: keyRing)
        if let row = audit.firstBadRow {
            throw CommandFailure("audit chain broken at row \(row): \(audit.reason ?? "unknown")")
        }
        print("ok   audit chain: \(audit.rows) rows verified")
    }

    /// "v1×3, v2×1", or "none".
    static func versions(_ counts: [Int: Int]) -> String {
        counts.isEmpty ? "none" : counts.keys.sorted().map { "v\($0)×\(counts[$0]!)" }.joined(separator: ", ")
    }
}
