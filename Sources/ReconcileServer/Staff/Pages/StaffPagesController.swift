import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

// `/staff` for people: sign-in (password and TOTP code), the home redirect, the directory, sign-out, and the
// groups that the case pages (`CasePagesController`) and the themes and releases pages hang on. The session is
// the staff cookie set at sign-in (HttpOnly, SameSite=Strict) and every form also carries a CSRF token.
// Council officers sign in here too and are sent on to `/council`.

struct StaffPagesController {
    let stores: Stores
    let settings: Settings
    let directory: ServiceDirectory
    let disclosure: DisclosurePolicy
    let session: StaffSessionController
    let kit: StaffPageKit
    let actions: CaseActions
    let words: CaseWords
    /// What is due: the home page of practitioners and leads.
    let desk: MyWorkController

    /// `root` for the open sign-in routes; `signedIn` admits any staff role; `workers` practitioners and leads;
    /// `leads` leads only. Each group's `TokenResolver` resolves the cookie and the group's context carries the account.
    func addRoutes(root: RouterGroup<AppRequestContext>, signedIn: RouterGroup<StaffRequestContext>,
                   workers: RouterGroup<StaffRequestContext>, leads: RouterGroup<StaffRequestContext>) {
        for path in ["staff/sign-in", "council/sign-in"] {
            root.get(RouterPath(path)) { request, _ in signInPage(request, action: "/\(path)", problem: nil, status: .ok) }
            root.post(RouterPath(path)) { request, context in try await signIn(request, context, action: "/\(path)") }
        }
        signedIn.get("") { request, context in
            let staff = context.staff
            if staff.role.mayWorkCases { return try await desk.homePage(request, staff) }
            return Response(status: .seeOther, headers: [.location: staff.role == .council ? "/council" : "/staff/directory"])
        }
        signedIn.post("sign-out", use: signOut)
        signedIn.get("directory", use: directoryPage)

        CasePagesController(stores: stores, directory: directory, actions: actions, words: words, kit: kit,
                            acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays).addRoutes(to: workers)

        leads.get("themes", use: themesPage)
        leads.post("themes", use: addTheme)
        leads.post("themes/:id/withdraw", use: withdrawTheme)
        leads.post("reports/release", use: release)
    }

    // MARK: sign-in and out

    struct SignInModel: PageModel {
        let title, action: String
        let council: Bool
        let problem: String?
        let signedOut: Bool
    }

    func signInPage(_ request: Request, action: String, problem: String?, status: HTTPResponse.Status) -> Response {
        let model = SignInModel(title: problem == nil ? "Sign in" : "There is a problem - Sign in", action: action,
                                council: action.hasPrefix("/council"), problem: problem,
                                signedOut: request.uri.queryParameters["signed_out"] != nil)
        return kit.render("staff-sign-in", request, nil, model, status: status)
    }

    func signIn(_ request: Request, _ context: AppRequestContext, action: String) async throws -> Response {
        do {
            let form = try await kit.readForm(request)
            let signedIn = try await session.authenticate(email: form["email"] ?? "", password: form["password"] ?? "",
                                                          code: (form["code"] ?? "").filter { !$0.isWhitespace }, context: context)
            let home = signedIn.account.role == .council ? "/council" : signedIn.account.role.mayWorkCases ? "/staff/cases" : "/staff/directory"
            return Response(status: .seeOther, headers: [.location: home, .setCookie: session.sessionCookie(signedIn.token)])
        } catch StaffAuthError.invalidCredentials {
            return signInPage(request, action: action, problem: "The email, password or code is not right. Codes change every 30 seconds and work once.",
                              status: .unauthorized)
        } catch {
            return kit.error(request, nil, APIError.answer(for: error), back: action)
        }
    }

    @Sendable func signOut(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        _ = try await kit.readForm(request)
        if let token = request.cookies[session.cookieName]?.value { try await stores.staff.signOut(token: token) }
        let signIn = staff.role == .council ? "/council/sign-in" : "/staff/sign-in"
        // As the portal's: the browser forgets this site's pages, cookies and storage (see `PortalService.clearSiteData`).
        return Response(status: .seeOther, headers: [.location: signIn + "?signed_out=1", .setCookie: session.sessionCookie(nil),
                                                     .clearSiteData: PortalService.clearSiteData])
    }

    // MARK: directory

    struct DirectoryModel: PageModel {
        struct Entry: Sendable, Encodable { let name, description, needs, areas, how: String }
        var title = "Service directory"
        let services: [Entry]
    }

    @Sendable func directoryPage(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        guard staff.role != .council else { throw APIError(.forbidden, code: "forbidden", message: "Your account cannot open this page.") }
        let services = directory.services.map { s in
            DirectoryModel.Entry(name: s.name, description: s.description, needs: s.needs.map { StaffPageKit.words($0.rawValue) }.joined(separator: ", "),
                                 areas: s.areas.map { $0 == "national" ? "National" : IntakeQuestions.areaLabel($0) }.joined(separator: ", "),
                                 how: s.howToReach)
        }
        return kit.render("staff-directory", request, staff, DirectoryModel(services: services))
    }
}
