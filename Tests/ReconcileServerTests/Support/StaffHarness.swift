import Foundation
import GRDB
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Sodium
@testable import ReconcileServer

/// A staff account made through the store, with the TOTP secret it was provisioned with.
struct TestStaff: Sendable {
    let email: String
    let password: String
    let role: StaffRole
    let totp: TOTP

    /// A code for `at`, as an authenticator app would show it.
    func code(at date: Date = Date()) -> String { totp.code(at: date) }
}

extension Harness {
    /// Adds an account and returns what its owner would hold after `reconcile user add`.
    func addStaff(_ email: String, role: StaffRole, area: String? = nil) async throws -> TestStaff {
        let password = "correct horse battery \(email)"
        let (_, uri) = try await StaffStore(database, keys).addStaff(email: email, role: role, councilArea: area ?? (role == .council ? "shropshire" : nil),
                                                   password: password, councilAreas: settings.areas.councilAreas,
                                                   passwordCost: .minimum)
        let secret = try require_(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value.flatMap(Base32.decode))
        return TestStaff(email: email, password: password, role: role, totp: TOTP(secret: SecretKey(bytes: secret)))
    }
}

/// `#require` outside a test body.
func require_<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw HarnessError.missing(what) }
    return value
}
enum HarnessError: Error { case missing(String) }

extension TestClientProtocol {
    func json(_ uri: String, _ method: HTTPRequest.Method, token: String? = nil, body: [String: Any]? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map(Sample.json))
    }

    /// Signs in through the API with password and a current code; returns the bearer token.
    func signIn(_ staff: TestStaff, at date: Date = Date()) async throws -> String {
        let response = try await json("/api/v1/staff/session", .post,
                                      body: ["email": staff.email, "password": staff.password, "totp": staff.code(at: date)])
        guard response.status == .ok, let token = response.json?["token"] as? String else {
            throw HarnessError.missing("sign-in for \(staff.email) answered \(response.status)")
        }
        return token
    }

    /// Submits a referral through the intake API and returns the new case's id.
    func newCase(_ harness: Harness, canary: String = Sample.canary(), area: String? = nil) async throws -> String {
        let response = try await refer(Sample.json(Sample.referral(canary: canary, overrides: area.map { ["council_area": $0] } ?? [:])))
        let reference = try require_(response.json?["reference"] as? String, "reference")
        return try await harness.database.reader.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM referral_case WHERE reference = ?", arguments: [reference])!
        }
    }
}
