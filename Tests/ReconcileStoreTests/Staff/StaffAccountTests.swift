import Foundation
import GRDB
import ReconcileCore
import Sodium
import Testing
@testable import ReconcileStore

@Suite struct StaffAccountTests {
    static let areas = ["herefordshire", "shropshire", "telford_and_wrekin", "worcestershire"]
    static let password = "correct horse battery staple"
    /// Fifteen seconds into a 30-second step, so ±5 s never crosses a step boundary.
    static let now = Date(timeIntervalSince1970: 1_780_000_005)

    let keys = KeyRing.ephemeral()

    /// The authenticator app's view: the secret from the provisioning URI.
    static func authenticator(_ uri: String) throws -> TOTP {
        let items = try #require(URLComponents(string: uri)?.queryItems)
        let secret = try #require(items.first { $0.name == "secret" }?.value)
        return TOTP(secret: SecretKey(bytes: try #require(Base32.decode(secret))))
    }

    @discardableResult
    func add(_ db: AppDatabase, _ email: String = "lead@example.org", role: StaffRole = .lead, area: String? = nil,
             password: String = Self.password, cost: PasswordHash.Limits = .minimum) async throws -> (StaffAccount, TOTP, String) {
        let (account, uri) = try await StaffStore(db, keys).addStaff(email: email, role: role, councilArea: area, password: password,
                                                   councilAreas: Self.areas, passwordCost: cost, now: Self.now)
        return (account, try Self.authenticator(uri), uri)
    }

    func signIn(_ db: AppDatabase, _ email: String = "lead@example.org", password: String = Self.password, code: String,
                cost: PasswordHash.Limits = .minimum, at: Date = Self.now) async throws -> StaffSignIn {
        try await StaffStore(db, keys).signIn(email: email, password: password, totp: code, passwordCost: cost, now: at)
    }

    func expectRefused(_ body: () async throws -> StaffSignIn, _ comment: Comment) async {
        await #expect(throws: StaffAuthError.invalidCredentials, comment) { _ = try await body() }
    }

    static func auditRows(_ db: AppDatabase) throws -> [(actor: String, action: String, detail: String?)] {
        try db.reader.read { conn in
            try Row.fetchAll(conn, sql: "SELECT actor, action, detail FROM audit_log ORDER BY seq").map {
                (actor: $0["actor"], action: $0["action"], detail: $0["detail"])
            }
        }
    }

    static func storedHash(_ db: AppDatabase, _ id: String) throws -> String {
        try db.reader.read { try String.fetchOne($0, sql: "SELECT password_hash FROM staff_account WHERE id = ?", arguments: [id])! }
    }

    // MARK: adding and signing in

    @Test func addThenSignInWithTheCurrentCode() async throws {
        let db = try AppDatabase.inMemory()
        let (account, totp, uri) = try await add(db, "  Lead@Example.ORG ")
        #expect(account.email == "lead@example.org")
        #expect(account.role == .lead && account.councilArea == nil && !account.disabled)
        #expect(account.actor == StaffActor(id: account.id, role: .lead))
        #expect(uri.hasPrefix("otpauth://totp/Reconcile:lead%40example.org?secret="))
        #expect(uri.hasSuffix("&issuer=Reconcile&algorithm=SHA1&digits=6&period=30"))

        let session = try await signIn(db, "LEAD@example.org", code: totp.code(at: Self.now))
        #expect(session.account == account)
        #expect(session.token.count == 43)
        #expect(session.token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(!"\(session)".contains(session.token), "description redacts the token")
        #expect(try await StaffStore(db, keys).staffSession(token: session.token, now: Self.now) == account)
        #expect(try await StaffStore(db, keys).staffAccount(id: account.id) == account)
        #expect(try await StaffStore(db, keys).staffAccount(email: " LEAD@example.org") == account)
        #expect(try await StaffStore(db, keys).staffAccount(email: "nobody@example.org") == nil)
    }

    @Test func councilAccountsCarryTheirArea() async throws {
        let db = try AppDatabase.inMemory()
        let (account, totp, _) = try await add(db, "officer@council.gov.uk", role: .council, area: "shropshire")
        #expect(account.councilArea == "shropshire")
        let session = try await signIn(db, "officer@council.gov.uk", code: totp.code(at: Self.now))
        #expect(session.account.councilArea == "shropshire" && session.account.role == .council)
    }

    @Test func everyFailureIsTheSameInvalidCredentials() async throws {
        let db = try AppDatabase.inMemory()
        let (lead, totp, _) = try await add(db)
        let (_, otherTOTP, _) = try await add(db, "gone@example.org", role: .practitioner)
        let code = totp.code(at: Self.now)
        let next = String((Int(code)! + 1) % 1_000_000)
        let wrongCode = String(repeating: "0", count: 6 - next.count) + next

        await expectRefused({ try await signIn(db, password: "wrong password here", code: code) }, "wrong password")
        await expectRefused({ try await signIn(db, code: wrongCode) }, "wrong code")
        await expectRefused({ try await signIn(db, code: "12 345") }, "malformed code")
        await expectRefused({ try await signIn(db, code: "") }, "empty code")
        await expectRefused({ try await signIn(db, "nobody@example.org", code: code) }, "unknown email")
        await expectRefused({ try await signIn(db, "not an email", code: code) }, "malformed email")
        try await StaffStore(db, keys).disableStaff(email: "gone@example.org", now: Self.now)
        await expectRefused({ try await signIn(db, "gone@example.org", code: otherTOTP.code(at: Self.now)) },
                            "disabled, with the right password and code")

        // The refusals did not use up the code: it still works once.
        _ = try await signIn(db, code: code)

        let failures = try Self.auditRows(db).filter { $0.action == "staff.sign_in_failed" }
        // "not an email" is refused as malformed, before any hashing.
        #expect(failures.map(\.detail) == ["password", "totp", "totp", "totp", "unknown_email", "malformed", "disabled"])
        #expect(failures.prefix(4).allSatisfy { $0.actor == lead.id })
        #expect(failures[4].actor == "unknown" && failures[5].actor == "unknown")
    }

    @Test func aCodeIsAcceptedOnlyOnce() async throws {
        let db = try AppDatabase.inMemory()
        let (_, totp, _) = try await add(db)
        let code = totp.code(at: Self.now)
        _ = try await signIn(db, code: code)
        await expectRefused({ try await signIn(db, code: code, at: Self.now.addingTimeInterval(5)) }, "the same code again")
        // The previous step's code is within the window but older than the one used: refused too.
        await expectRefused({ try await signIn(db, code: totp.code(at: Self.now.addingTimeInterval(-30))) }, "an older code")
        // The next step's code is fine.
        _ = try await signIn(db, code: totp.code(at: Self.now.addingTimeInterval(30)), at: Self.now.addingTimeInterval(30))
    }

    @Test func twoConcurrentSignInsWithOneCodeGiveOneSession() async throws {
        let dir = try TemporaryDirectory()
        let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
        let (_, totp, _) = try await add(db)
        let code = totp.code(at: Self.now)
        let keys = self.keys
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    (try? await StaffStore(db, keys).signIn(email: "lead@example.org", password: Self.password, totp: code,
                                          passwordCost: .minimum, now: Self.now)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        let sessions = try await db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM staff_session") }
        #expect(sessions == 1)
    }

    @Test func codesOneStepEitherSideAreAccepted() async throws {
        let db = try AppDatabase.inMemory()
        let (_, early, _) = try await add(db, "early@example.org")
        let (_, late, _) = try await add(db, "late@example.org")
        let (_, far, _) = try await add(db, "far@example.org")
        _ = try await signIn(db, "early@example.org", code: early.code(at: Self.now.addingTimeInterval(-30)))
        _ = try await signIn(db, "late@example.org", code: late.code(at: Self.now.addingTimeInterval(30)))
        await expectRefused({ try await signIn(db, "far@example.org", code: far.code(at: Self.now.addingTimeInterval(-60))) },
                            "two steps behind")
        await expectRefused({ try await signIn(db, "far@example.org", code: far.code(at: Self.now.addingTimeInterval(60))) },
                            "two steps ahead")
    }

    // MARK: account rules

    @Test func accountRulesAreEnforced() async throws {
        let db = try AppDatabase.inMemory()
        func refused(_ expected: StaffAccountError, email: String = "x@example.org", role: StaffRole = .practitioner,
                     area: String? = nil, password: String = Self.password) async {
            await #expect(throws: expected) { try await add(db, email, role: role, area: area, password: password) }
        }
        await refused(.weakPassword, password: "elevenchars")
        await refused(.weakPassword, password: "")
        await refused(.weakPassword, password: String(repeating: "a", count: 1025))
        for email in ["", "no-at-sign", "a@b", "a@@example.org", "a b@example.org", "a@example..org", "@example.org",
                      "a@-example.org", "a@example.org\u{0}", "ä@example.org", String(repeating: "a", count: 250) + "@x.org"] {
            await refused(.invalidEmail, email: email)
        }
        await refused(.councilAreaRequired, role: .council)
        await refused(.councilAreaNotAllowed, role: .practitioner, area: "shropshire")
        await refused(.councilAreaNotAllowed, role: .admin, area: "shropshire")
        await refused(.unknownCouncilArea, role: .council, area: "atlantis")
        let count = try await db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM staff_account") }
        #expect(count == 0, "nothing stored by a refusal")

        // Lengths are counted in characters: 12 characters of several bytes each pass, 1024 pass.
        try await add(db, "emoji@example.org", password: String(repeating: "👍🏽", count: 12))
        try await add(db, "long@example.org", password: String(repeating: "a", count: 1024))
        try await add(db, "dup@example.org")
        await refused(.emailTaken, email: " DUP@example.org")
        await #expect(throws: StaffAccountError.noSuchAccount) { try await StaffStore(db, keys).disableStaff(email: "who@example.org") }
        await #expect(throws: StaffAccountError.noSuchAccount) { _ = try await StaffStore(db, keys).resetMFA(email: "who@example.org") }
        #expect(StaffAccountError.weakPassword.description == "the password must be 12 to 1024 characters")
    }

    // MARK: sessions

    @Test func sessionsRefreshAndExpire() async throws {
        let db = try AppDatabase.inMemory()
        let (account, totp, _) = try await add(db)
        let token = try await signIn(db, code: totp.code(at: Self.now)).token
        func session(after minutes: Double) async throws -> StaffAccount? {
            try await StaffStore(db, keys).staffSession(token: token, now: Self.now.addingTimeInterval(minutes * 60))
        }
        #expect(try await session(after: 29) == account)
        #expect(try await session(after: 58) == account, "29 minutes after the last use: refreshed, still live")
        #expect(try await session(after: 89) == nil, "31 minutes idle")
        #expect(try await StaffStore(db, keys).staffSession(token: "not-a-token", now: Self.now) == nil)
        #expect(try await StaffStore(db, keys).staffSession(token: String(repeating: "A", count: 43), now: Self.now) == nil)

        // Busy all day, still ends after 12 hours.
        let busy = try await signIn(db, code: totp.code(at: Self.now.addingTimeInterval(30)), at: Self.now.addingTimeInterval(30)).token
        var minutes = 0.5
        while minutes < 12 * 60 - 20 {
            minutes += 20
            #expect(try await StaffStore(db, keys).staffSession(token: busy, now: Self.now.addingTimeInterval(minutes * 60)) == account)
        }
        #expect(try await StaffStore(db, keys).staffSession(token: busy, now: Self.now.addingTimeInterval((12 * 60 + 1) * 60)) == nil)

        // A shorter policy is honoured too.
        var policy = StaffSessionPolicy()
        policy.idle = 60
        let short = try await signIn(db, code: totp.code(at: Self.now.addingTimeInterval(60)), at: Self.now.addingTimeInterval(60)).token
        #expect(try await StaffStore(db, keys).staffSession(token: short, policy: policy, now: Self.now.addingTimeInterval(180)) == nil)
    }

    @Test func signOutDisableAndResetMFAEndSessions() async throws {
        let db = try AppDatabase.inMemory()
        let (account, totp, _) = try await add(db)
        var t = Self.now
        func next() -> Date { t = t.addingTimeInterval(30); return t }

        let a = try await signIn(db, code: totp.code(at: t)).token
        let b = try await signIn(db, code: totp.code(at: next()), at: t).token
        try await StaffStore(db, keys).signOut(token: a, now: t)
        #expect(try await StaffStore(db, keys).staffSession(token: a, now: t) == nil, "signed out")
        #expect(try await StaffStore(db, keys).staffSession(token: b, now: t) == account, "the other session lives on")
        try await StaffStore(db, keys).signOut(token: a, now: t)  // twice is harmless

        // reset-mfa: sessions end, the old secret stops working, the new one works — even for a step the
        // old secret already used (the last used step is forgotten with the old secret).
        let usedStepTime = next()
        let c = try await signIn(db, code: totp.code(at: usedStepTime), at: usedStepTime).token
        let uri = try await StaffStore(db, keys).resetMFA(email: "lead@example.org", now: usedStepTime)
        #expect(try await StaffStore(db, keys).staffSession(token: b, now: usedStepTime) == nil)
        #expect(try await StaffStore(db, keys).staffSession(token: c, now: usedStepTime) == nil)
        let newTOTP = try Self.authenticator(uri)
        await expectRefused({ try await signIn(db, code: totp.code(at: next()), at: t) }, "old secret after reset")
        let d = try await signIn(db, code: newTOTP.code(at: usedStepTime), at: usedStepTime).token
        #expect(try await StaffStore(db, keys).staffSession(token: d, now: usedStepTime) == account)

        // disable: sessions end and stay ended.
        try await StaffStore(db, keys).disableStaff(email: "LEAD@example.org", now: next())
        #expect(try await StaffStore(db, keys).staffSession(token: d, now: t) == nil)
        #expect(try await StaffStore(db, keys).staffAccount(id: account.id)?.disabled == true)

        let actions = try Self.auditRows(db).map(\.action)
        #expect(actions.filter { $0 == "staff.sign_out" }.count == 1)
        #expect(actions.contains("staff.reset_mfa") && actions.contains("staff.disable") && actions.first == "staff.add")
    }

    @Test func aDisabledAccountsLiveSessionEndsEvenIfNotRevoked() async throws {
        let db = try AppDatabase.inMemory()
        let (_, totp, _) = try await add(db)
        let token = try await signIn(db, code: totp.code(at: Self.now)).token
        // Disabled some other way than disableStaff (say by hand): the session still stops working.
        try await db.writer.write { try $0.execute(sql: "UPDATE staff_account SET disabled_at = ?", arguments: [Self.now]) }
        #expect(try await StaffStore(db, keys).staffSession(token: token, now: Self.now) == nil)
    }

    // MARK: stored secrets

    @Test func raisingTheCostUpgradesTheStoredHashAtSignIn() async throws {
        let db = try AppDatabase.inMemory()
        let (account, totp, _) = try await add(db, cost: .minimum)
        let before = try Self.storedHash(db, account.id)
        #expect(!PasswordHash.needsRehash(before, limits: .minimum))

        _ = try await signIn(db, code: totp.code(at: Self.now), cost: .interactive)
        let after = try Self.storedHash(db, account.id)
        #expect(after != before)
        #expect(!PasswordHash.needsRehash(after, limits: .interactive))
        #expect(PasswordHash.verify(Self.password, against: after))

        // Signing in again at the same cost leaves it alone, and it still works.
        let later = Self.now.addingTimeInterval(30)
        _ = try await signIn(db, code: totp.code(at: later), cost: .interactive, at: later)
        #expect(try Self.storedHash(db, account.id) == after)
        // A failed sign-in never re-hashes.
        _ = try? await signIn(db, password: "wrong password here", code: "000000", cost: .minimum, at: later)
        #expect(try Self.storedHash(db, account.id) == after)
    }

    @Test func aTOTPSecretCopiedToAnotherAccountDoesNotOpen() async throws {
        let db = try AppDatabase.inMemory()
        let (alice, aliceTOTP, _) = try await add(db, "alice@example.org")
        let (bob, bobTOTP, _) = try await add(db, "bob@example.org")
        try await db.writer.write { conn in
            try conn.execute(sql: """
                UPDATE staff_account SET (totp_secret, totp_key_version) =
                    (SELECT totp_secret, totp_key_version FROM staff_account WHERE id = ?) WHERE id = ?
                """, arguments: [alice.id, bob.id])
        }
        await expectRefused({ try await signIn(db, "bob@example.org", code: aliceTOTP.code(at: Self.now)) }, "alice's code on bob")
        await expectRefused({ try await signIn(db, "bob@example.org", code: bobTOTP.code(at: Self.now)) }, "bob's own code")
        let last = try #require(try Self.auditRows(db).last)
        #expect(last.action == "staff.sign_in_failed" && last.detail == "totp_secret_unreadable" && last.actor == bob.id)
        // Alice is unaffected.
        _ = try await signIn(db, "alice@example.org", code: aliceTOTP.code(at: Self.now))
    }

    @Test func secretsSealedUnderAnOlderMasterKeyStillOpen() async throws {
        let db = try AppDatabase.inMemory()
        let (_, totp, _) = try await add(db)
        let rotated = KeyRing(masterKeys: keys.masterKeys.merging([2: AEAD.generateKey()]) { a, _ in a },
                              indexKey: keys.indexKey, signing: keys.signing)
        _ = try await StaffStore(db, rotated).signIn(email: "lead@example.org", password: Self.password, totp: totp.code(at: Self.now), passwordCost: .minimum, now: Self.now)
        // reset-mfa seals the new secret under the current version.
        _ = try await StaffStore(db, rotated).resetMFA(email: "lead@example.org", now: Self.now)
        let version = try await db.reader.read { try Int.fetchOne($0, sql: "SELECT totp_key_version FROM staff_account") }
        #expect(version == 2)
    }

    @Test func theDatabaseFileHoldsNoPasswordTokenOrSecret() async throws {
        let dir = try TemporaryDirectory()
        let password = "CANARY-\(UUID().uuidString)"
        var secrets: [String] = [password]
        do {
            let db = try AppDatabase.open(dataDirectory: dir.url, migrate: true)
            let (_, uri) = try await StaffStore(db, keys).addStaff(email: "lead@example.org", role: .lead, councilArea: nil, password: password,
                                                 councilAreas: Self.areas, passwordCost: .minimum, now: Self.now)
            let totp = try Self.authenticator(uri)
            let base32 = try #require(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
            let session = try await StaffStore(db, keys).signIn(email: "lead@example.org", password: password, totp: totp.code(at: Self.now), passwordCost: .minimum, now: Self.now)
            _ = try? await StaffStore(db, keys).signIn(email: "lead@example.org", password: password + "x", totp: "123456", passwordCost: .minimum, now: Self.now)
            secrets += [base32, session.token]
            let rawSecret = totp.secret.copyBytes()
            try assertAbsent(in: dir.url, secrets, raw: rawSecret)
            try await db.checkpoint()
            try assertAbsent(in: dir.url, secrets, raw: rawSecret)
        }
    }

    func assertAbsent(in directory: URL, _ values: [String], raw: [UInt8]) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("reconcile.sqlite"))
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            for value in values { #expect(!data.contains(value), "\(file) holds a secret in plain") }
            #expect(data.range(of: Data(raw)) == nil, "\(file) holds the raw TOTP secret")
        }
    }

    @Test func signInsAreAuditedWithoutThePassword() async throws {
        let db = try AppDatabase.inMemory()
        let password = "CANARY-\(UUID().uuidString)"
        let (account, totp, _) = try await add(db, password: password)
        let code = totp.code(at: Self.now)
        _ = try? await signIn(db, password: password + "!", code: code)
        _ = try? await signIn(db, "nobody@example.org", password: password, code: code)
        let token = try await signIn(db, password: password, code: code).token
        try await StaffStore(db, keys).signOut(token: token, now: Self.now)

        let rows = try Self.auditRows(db)
        #expect(rows.map(\.action) == ["staff.add", "staff.sign_in_failed", "staff.sign_in_failed", "staff.sign_in", "staff.sign_out"])
        #expect(rows[0].actor == "cli" && rows[0].detail == "lead")
        #expect(rows[1].actor == account.id && rows[1].detail == "password")
        #expect(rows[2].actor == "unknown" && rows[2].detail == "unknown_email")
        #expect(rows[3].actor == account.id && rows[4].actor == account.id)
        for row in rows {
            for text in [row.actor, row.action, row.detail ?? ""] {
                #expect(!text.contains(password) && !text.contains(code) && !text.contains(token) && !text.contains("@"))
            }
        }
        #expect(try await AuditStore(db, keys).verifyAuditChain().isIntact)
    }

    @Test func passwordCostNamesMapToLimits() {
        #expect(PasswordHash.Limits.named("moderate") == .moderate)
        #expect(PasswordHash.Limits.named("interactive") == .interactive)
        #expect(PasswordHash.Limits.named("minimum") == .minimum)
        #expect(PasswordHash.Limits.named("high") == nil)
    }
}
