import Foundation
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
import ReconcileStore
import Testing
@testable import ReconcileServer

/// Every route of the router, API and pages, with the door it is behind. A route added without a row here
/// fails `everyRouteHasARow`; `everyDoorAdmitsOnlyItsAudience` then knocks on each with every identity.
@Suite struct RouteMatrixTests {
    enum Door: Equatable {
        /// Anyone (health, documents, sign-in and referral pages, the public key).
        case open
        /// No one without the metrics token (none is configured here: 404 for all).
        case metricsToken
        case staffAPI(Set<StaffRole>)
        case councilAPI
        case portalAPI
        case staffPages(Set<StaffRole>)
        case portalPages
        /// Signing out ends the session it is called with; only the refusal of strangers is knocked on.
        case signOut(api: Bool)
    }

    static let workers: Set<StaffRole> = [.practitioner, .lead]
    static let allStaff: Set<StaffRole> = [.practitioner, .lead, .admin, .council]

    static let rows: [String: Door] = [
        "GET /healthz": .open, "GET /readyz": .open, "GET /openapi.yaml": .open, "GET /static/{file}": .open,
        "GET /metrics": .metricsToken,
        "GET /": .open, "GET /refer": .open, "POST /refer": .open, "POST /api/v1/referrals": .open,
        "POST /api/v1/staff/session": .open, "DELETE /api/v1/staff/session": .signOut(api: true),
        "GET /api/v1/cases": .staffAPI(workers), "POST /api/v1/cases": .staffAPI(workers),
        "GET /staff/referrals/new": .staffPages(workers), "POST /staff/referrals/new": .staffPages(workers),
        "GET /api/v1/cases/{id}": .staffAPI(workers), "GET /api/v1/cases/{id}/timeline": .staffAPI(workers),
        "POST /api/v1/cases/{id}/assign": .staffAPI([.lead]),
        "POST /api/v1/cases/{id}/acknowledge": .staffAPI(workers), "POST /api/v1/cases/{id}/listening-sessions": .staffAPI(workers),
        "POST /api/v1/cases/{id}/assessment": .staffAPI(workers), "POST /api/v1/cases/{id}/signposts": .staffAPI(workers),
        "PATCH /api/v1/cases/{id}/signposts/{sid}": .staffAPI(workers), "POST /api/v1/cases/{id}/safeguarding": .staffAPI(workers),
        "POST /api/v1/cases/{id}/messages": .staffAPI(workers), "POST /api/v1/cases/{id}/close": .staffAPI(workers),
        "POST /api/v1/cases/{id}/safeguarding-hold": .staffAPI([.lead]), "POST /api/v1/cases/{id}/evidential-hold": .staffAPI([.lead]),
        "POST /api/v1/cases/{id}/reopen": .staffAPI([.lead]),
        "POST /api/v1/cases/{id}/close-as-duplicate": .staffAPI([.lead]), "POST /staff/cases/{id}/close-as-duplicate": .staffPages([.lead]),
        "POST /api/v1/cases/{id}/links": .staffAPI([.lead]), "POST /staff/cases/{id}/links": .staffPages([.lead]),
        "POST /api/v1/cases/{id}/themes": .staffAPI(workers), "POST /staff/cases/{id}/themes": .staffPages(workers),
        "PUT /api/v1/cases/{id}/voice": .staffAPI(workers), "POST /staff/cases/{id}/voice": .staffPages(workers),
        "PUT /api/v1/portal/voice": .portalAPI, "GET /api/v1/portal/voice": .portalAPI, "DELETE /api/v1/portal/voice": .portalAPI,
        "POST /api/v1/portal/voice/accept-edit": .portalAPI, "GET /portal/voice": .portalPages, "POST /portal/voice": .portalPages,
        "POST /portal/voice/withdraw": .portalPages, "POST /portal/voice/accept-edit": .portalPages,
        "GET /api/v1/voices": .staffAPI([.lead]), "POST /api/v1/voices/{vid}/approve": .staffAPI([.lead]),
        "POST /api/v1/voices/{vid}/propose-edit": .staffAPI([.lead]), "GET /staff/voices": .staffPages([.lead]),
        "POST /staff/voices/{vid}/approve": .staffPages([.lead]), "POST /staff/voices/{vid}/propose-edit": .staffPages([.lead]),
        "POST /api/v1/cases/{id}/meetings": .staffAPI(workers), "PATCH /api/v1/cases/{id}/meetings/{mid}": .staffAPI(workers),
        "POST /staff/cases/{id}/meetings": .staffPages(workers), "POST /staff/cases/{id}/meetings/{mid}": .staffPages(workers),
        "PATCH /api/v1/cases/{id}/safeguarding/{eid}": .staffAPI(workers), "POST /staff/cases/{id}/safeguarding/{eid}/outcome": .staffPages(workers), "POST /staff/cases/{id}/reopen": .staffPages([.lead]),
        "POST /api/v1/portal/come-back": .portalAPI, "POST /portal/come-back": .portalPages,
        // Email alerts and the family's notice.
        "GET /api/v1/staff/me/notifications": .staffAPI(workers), "PATCH /api/v1/staff/me/notifications": .staffAPI(workers),
        "GET /staff/notifications": .staffPages(workers), "POST /staff/notifications": .staffPages(workers),
        "GET /api/v1/portal/notifications": .portalAPI, "PATCH /api/v1/portal/notifications": .portalAPI, "POST /portal/notifications": .portalPages,
        "GET /api/v1/services": .staffAPI([.practitioner, .lead, .admin]),
        "POST /api/v1/themes": .staffAPI([.lead]), "DELETE /api/v1/themes/{id}": .staffAPI([.lead]), "POST /api/v1/reports/{quarter}/release": .staffAPI([.lead]),
        "GET /api/v1/reports": .staffAPI([.lead]), "GET /api/v1/reports/{quarter}": .staffAPI([.lead]),
        "GET /api/v1/reports/{quarter}/preview": .staffAPI([.lead]),
        "GET /api/v1/council/public-key": .open,
        "GET /api/v1/council/reports": .councilAPI, "GET /api/v1/council/reports/{quarter}": .councilAPI,
        "GET /api/v1/council/reports/{quarter}/signature": .councilAPI,
        "POST /api/v1/portal/session": .open, "DELETE /api/v1/portal/session": .signOut(api: true),
        "GET /api/v1/portal/case": .portalAPI, "POST /api/v1/portal/messages": .portalAPI, "POST /api/v1/portal/withdraw": .portalAPI,
        "POST /api/v1/portal/erasure": .portalAPI, "DELETE /api/v1/portal/erasure": .portalAPI, "GET /api/v1/portal/export": .portalAPI,
        "GET /portal": .open, "POST /portal": .open,
        "GET /portal/case": .portalPages, "GET /portal/export": .portalPages, "POST /portal/messages": .portalPages,
        "POST /portal/withdraw": .portalPages, "POST /portal/erasure": .portalPages, "POST /portal/erasure/cancel": .portalPages,
        "POST /portal/sign-out": .signOut(api: false),
        "GET /staff/sign-in": .open, "POST /staff/sign-in": .open, "GET /council/sign-in": .open, "POST /council/sign-in": .open,
        "GET /staff": .staffPages(allStaff), "POST /staff/sign-out": .signOut(api: false), "GET /staff/directory": .staffPages([.practitioner, .lead, .admin]),
        "GET /staff/cases": .staffPages(workers), "GET /staff/cases/{id}": .staffPages(workers),
        "POST /staff/cases/{id}/assign": .staffPages([.lead]), "POST /staff/cases/{id}/acknowledge": .staffPages(workers),
        "POST /staff/cases/{id}/listening-sessions": .staffPages(workers), "POST /staff/cases/{id}/assessment": .staffPages(workers),
        "POST /staff/cases/{id}/signposts": .staffPages(workers), "POST /staff/cases/{id}/signposts/{sid}/outcome": .staffPages(workers),
        "POST /staff/cases/{id}/safeguarding": .staffPages(workers), "POST /staff/cases/{id}/messages": .staffPages(workers),
        "POST /staff/cases/{id}/close": .staffPages(workers), "POST /staff/cases/{id}/evidential-hold": .staffPages([.lead]),
        "GET /staff/themes": .staffPages([.lead]), "POST /staff/themes": .staffPages([.lead]),
        "POST /staff/themes/{id}/withdraw": .staffPages([.lead]),
        "POST /staff/reports/release": .staffPages([.lead]), "GET /staff/reports/preview": .staffPages([.lead]),
        "GET /staff/reports/{area}/{quarter}": .staffPages([.lead]), "GET /staff/reports/{area}/{quarter}/report.json": .staffPages([.lead]),
        "GET /staff/reports/{area}/{quarter}/report.csv": .staffPages([.lead]), "GET /staff/reports/{area}/{quarter}/report.ods": .staffPages([.lead]),
        "GET /staff/reports/{area}/{quarter}/report.sig": .staffPages([.lead]),
        "GET /api/v1/records-check": .staffAPI([.lead]), "POST /api/v1/records-check/sample/{sid}/review": .staffAPI([.lead]),
        "GET /staff/records-check": .staffPages([.lead]), "POST /staff/records-check/sample/{sid}/review": .staffPages([.lead]),
        "POST /api/v1/offer-rounds": .staffAPI([.lead]), "GET /api/v1/offer-rounds": .staffAPI([.lead]),
        "GET /staff/offer-rounds": .staffPages([.lead]), "POST /staff/offer-rounds": .staffPages([.lead]),
        "POST /api/v1/complaints": .staffAPI([.lead]), "GET /api/v1/complaints": .staffAPI([.lead]),
        "POST /api/v1/complaints/{id}/response": .staffAPI([.lead]),
        "GET /staff/complaints": .staffPages([.lead]), "POST /staff/complaints": .staffPages([.lead]),
        "POST /staff/complaints/{id}/response": .staffPages([.lead]),
        "POST /api/v1/portal/feedback": .portalAPI, "POST /api/v1/portal/complaints": .portalAPI,
        "GET /portal/feedback": .portalPages, "POST /portal/feedback": .portalPages, "POST /portal/complaints": .portalPages,
        "GET /council": .staffPages([.council]), "GET /api/v1/council/trends": .councilAPI,
        "GET /council/trends": .staffPages([.council]), "GET /council/trends.csv": .staffPages([.council]),
        "GET /council/summary": .staffPages([.council]), "GET /council/reports/{quarter}": .staffPages([.council]),
        "GET /council/reports/{quarter}/report.json": .staffPages([.council]),
        "GET /council/reports/{quarter}/report.csv": .staffPages([.council]),
        "GET /council/reports/{quarter}/report.ods": .staffPages([.council]),
        "GET /council/reports/{quarter}/report.sig": .staffPages([.council]),
        // A new passphrase for a family who lost theirs; the page after a family signs out.
        "POST /api/v1/cases/{id}/passphrase": .staffAPI(workers),
        "GET /staff/cases/{id}/passphrase": .staffPages(workers), "POST /staff/cases/{id}/passphrase": .staffPages(workers),
        "GET /portal/signed-out": .open,
        // The practitioner's desk: search.
        "GET /api/v1/search": .staffAPI(workers), "GET /staff/search": .staffPages(workers), "POST /staff/search": .staffPages(workers),
        "POST /api/v1/cases/{id}/follow-ups": .staffAPI(workers), "POST /api/v1/cases/{id}/follow-ups/{fid}/done": .staffAPI(workers),
        "POST /staff/cases/{id}/follow-ups": .staffPages(workers), "POST /staff/cases/{id}/follow-ups/{fid}/done": .staffPages(workers),
        "GET /api/v1/my-work": .staffAPI(workers), "GET /staff/cases/{id}/chronology": .staffPages(workers),
        "POST /api/v1/staff/{email}/reassign-open-cases": .staffAPI([.lead]), "POST /staff/team/{email}/reassign-open-cases": .staffPages([.lead]),
        // Appointments and the diary.
        "POST /api/v1/cases/{id}/appointments": .staffAPI(workers), "PATCH /api/v1/cases/{id}/appointments/{aid}": .staffAPI(workers),
        "POST /staff/cases/{id}/appointments": .staffPages(workers), "POST /staff/cases/{id}/appointments/{aid}": .staffPages(workers),
        "GET /staff/diary": .staffPages(workers),
    ]

    static func routes(_ harness: Harness) throws -> [String] {
        try buildRouter(configuration: AppConfiguration(settings: harness.settings, database: harness.database, keys: harness.keys,
                                                        directory: try Harness.directory())).routes.map(\.description)
    }

    @Test func everyRouteHasARow() throws {
        let routes = try Self.routes(try Harness())
        #expect(routes.count > 60)
        for route in routes { #expect(Self.rows[route] != nil, "\(route) has no row in the route matrix") }
        for row in Self.rows.keys { #expect(routes.contains(row), "the matrix row \(row) is no route") }
    }

    /// Who knocks: nobody, each staff role (bearer token for the API, signed-in browser for pages), a family.
    struct Identity {
        let name: String
        let role: StaffRole?
        let family: Bool
        let token: String?
        let browser: PageBrowser?
    }

    static func admits(_ door: Door, _ who: Identity) -> Bool {
        switch door {
        case .staffAPI(let roles), .staffPages(let roles): who.role.map { roles.contains($0) } ?? false
        case .councilAPI: who.role == .council
        case .portalAPI, .portalPages: who.family
        case .open, .metricsToken, .signOut: false
        }
    }

    @Test func everyDoorAdmitsOnlyItsAudience() async throws {
        let harness = try Harness()
        let staff = [try await harness.addStaff("admin@example.org", role: .admin),
                     try await harness.addStaff("pat@example.org", role: .practitioner),
                     try await harness.addStaff("lead@example.org", role: .lead),
                     try await harness.addStaff("officer@example.org", role: .council, area: "shropshire")]
        let routes = try Self.routes(harness)
        try await harness.app().test(.router) { client in
            let caseID = try await client.newCase(harness)
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            var identities = [Identity(name: "nobody", role: nil, family: false, token: nil, browser: PageBrowser(client: client))]
            for member in staff {
                var browser = PageBrowser(client: client)
                _ = try await browser.signIn(member)
                _ = try await browser.get(member.role == .council ? "/council" : "/staff/directory")  // a CSRF token for its session
                let token = try await client.signIn(member, at: Date().addingTimeInterval(30))
                identities.append(Identity(name: member.role.rawValue, role: member.role, family: false, token: token, browser: browser))
            }
            let portal = try await PortalAPITests.signIn(client, reference: family.reference, passphrase: family.passphrase)
            var familyBrowser = PageBrowser(client: client)
            _ = try await familyBrowser.get("/portal")
            _ = try await familyBrowser.post("/portal", [("reference", family.reference), ("passphrase", family.passphrase)])
            _ = try await familyBrowser.get("/portal/case")
            identities.append(Identity(name: "family", role: nil, family: true, token: portal.json?["token"] as? String, browser: familyBrowser))

            for route in routes.sorted() {
                let door = try #require(Self.rows[route])
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                let uri = String(parts[1]).replacingOccurrences(of: "{id}", with: caseID)
                    .replacingOccurrences(of: "{sid}", with: UUID().uuidString.lowercased()).replacingOccurrences(of: "{eid}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{fid}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{mid}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{vid}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{quarter}", with: "2025-Q1").replacingOccurrences(of: "{file}", with: "site.css")
                // A body the admitted roles would accept where one is needed, so a refusal is the door's, not the body's.
                let body = RoleMatrixTests.caseRoutes.first { "\($0.method) \($0.path)" == route }?.body ?? (method == .get ? nil : [:])
                for who in identities {
                    let label = "\(who.name) \(route)"
                    let admitted = Self.admits(door, who)
                    switch door {
                    case .open:
                        continue
                    case .metricsToken:
                        let r = try await client.json(uri, method, token: who.token)
                        #expect(r.status == .notFound, "\(label) → \(r.status)")
                    case .signOut(let api):
                        guard api, who.role == nil, !who.family else { continue }
                        let r = try await client.json(uri, method, token: nil)
                        #expect(r.status == .unauthorized || r.status == .noContent, "\(label) → \(r.status)")
                    case .staffAPI, .councilAPI, .portalAPI:
                        let r = try await client.json(uri, method, token: who.token, body: body)
                        if admitted {
                            #expect(r.status != .unauthorized && r.status != .forbidden, "\(label) → \(r.status)")
                        } else if who.role != nil, door != .portalAPI {
                            #expect(r.status == .forbidden, "\(label) → \(r.status)")
                        } else {
                            #expect(r.status == .unauthorized, "\(label) → \(r.status)")
                        }
                    case .staffPages, .portalPages:
                        var browser = try #require(who.browser)
                        let r = method == .get ? try await browser.get(uri) : try await browser.post(uri, [])
                        let toSignIn = r.status == .seeOther
                            && ["/staff/sign-in", "/council/sign-in", "/portal"].contains(r.headers[.location] ?? "")
                        if admitted {
                            #expect(!toSignIn && r.status != .forbidden, "\(label) → \(r.status)")
                        } else if who.role != nil, door != .portalPages {
                            #expect(r.status == .forbidden, "\(label) → \(r.status)")
                        } else {
                            #expect(toSignIn, "\(label) → \(r.status) \(r.headers[.location] ?? "")")
                        }
                    }
                }
            }
        }
    }
}
