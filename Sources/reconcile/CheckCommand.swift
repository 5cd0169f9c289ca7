import ArgumentParser
import ReconcileStore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check database integrity, key presence and permissions, that every case key opens, and the audit chain.")

    @OptionGroup var data: DataDirOption
    @OptionGroup var keys: KeyDirOption

    func run() async throws {
        let keyRing = try keys.load()
        print("ok   key directory: permissions tight; master key versions \(keyRing.masterKeys.keys.sorted())")
        let database = try openDatabase(data, migrate: false)
        let problems = try database.integrityProblems()
        guard problems.isEmpty else { throw CommandFailure("database integrity: \(problems[0])") }
        print("ok   database integrity (\(try database.caseCount()) cases)")
        let inUse = try database.masterKeyVersionsInUse()
        if let missing = inUse.keys.sorted().first(where: { keyRing.masterKeys[$0] == nil }) {
            throw CommandFailure("master key version \(missing) wraps \(inUse[missing]!) case keys but is not in the key directory")
        }
        let bad = try database.casesWithUnopenableKeys(keys: keyRing)
        if let first = bad.first {
            throw CommandFailure("\(bad.count) case keys do not open with these keys (first: case \(first))")
        }
        print("ok   case keys: all open (versions in use: \(inUse.keys.sorted().map { "v\($0)×\(inUse[$0]!)" }.joined(separator: ", ")))")
        // Every row's keyed hash, its link to the previous row, and the head that vouches for the newest row.
        let audit = try database.verifyAuditChain(keys: keyRing)
        if let row = audit.firstBadRow {
            throw CommandFailure("audit chain broken at row \(row): \(audit.reason ?? "unknown")")
        }
        print("ok   audit chain: \(audit.rows) rows verified")
    }
}
