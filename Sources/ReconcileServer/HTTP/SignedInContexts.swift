import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

// The contexts of signed-in routes. A group whose middleware resolved a token is turned into one of these
// (`RouterGroup.group(context:)`), and every handler behind it takes the typed context: a handler cannot be
// written that forgets to ask who is signed in, and one reached without a resolved party fails (401) before
// it runs.

/// A staff member signed in with a session (bearer token for the API, cookie for pages).
struct StaffRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let staff: StaffAccount

    init(context: AppRequestContext) throws {
        guard let staff = context.staff else { throw APIError.unauthenticated() }
        coreContext = context.coreContext
        self.staff = staff
    }

    var responseEncoder: JSONEncoder { AppRequestContext.jsonEncoder }
}

/// A council officer, by session or council API token, with the one area everything they read is scoped to.
struct CouncilRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let officer: StaffAccount
    let area: String

    init(context: AppRequestContext) throws {
        guard let officer = context.staff else { throw APIError.unauthenticated() }
        guard officer.role == .council, let area = officer.councilArea else { throw APIError.forbidden() }
        coreContext = context.coreContext
        self.officer = officer
        self.area = area
    }

    var responseEncoder: JSONEncoder { AppRequestContext.jsonEncoder }
}

/// A family signed in to the portal with reference and passphrase: only ever their own case.
struct FamilyRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let caseID: CaseID

    init(context: AppRequestContext) throws {
        guard let caseID = context.portalCaseID else { throw APIError.unauthenticated() }
        coreContext = context.coreContext
        self.caseID = caseID
    }

    var responseEncoder: JSONEncoder { AppRequestContext.jsonEncoder }
}
