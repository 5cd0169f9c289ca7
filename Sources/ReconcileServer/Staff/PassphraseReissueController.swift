import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// A new passphrase for a family who lost theirs, by both doors: `POST /api/v1/cases/{id}/passphrase` and the case
/// page's `/staff/cases/{id}/passphrase` (a confirmation form first, then the words once). One input, one store write
/// (`AppDatabase.reissuePassphrase`): the verifier replaced, every portal session of the case ended, audited, on the
/// timeline. The words go only into this one answer: never logged, stored or emailed.
struct PassphraseReissue: Sendable {
    let stores: Stores
    /// `limits.passphrase_reissues_per_day` (0: no bound).
    let perDay: Int

    /// How the practitioner checked who is asking, by the contact the family chose.
    struct Input {
        static let fields: Set<String> = ["identity_check"]
        let check: IdentityCheck

        init(_ f: some ActionFields) throws {
            check = try f.one("identity_check", IdentityCheck.self)
        }
    }

    struct Issued: ResponseEncodable {
        let reference: String
        let passphrase: String
        let issuedAt: Date
        let reissuesLeftToday: Int?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reference, forKey: .reference)
            try c.encode(passphrase, forKey: .passphrase)
            try c.encode(issuedAt, forKey: .issuedAt)
            try c.encode(reissuesLeftToday, forKey: .reissuesLeftToday)  // explicit null: no bound per day
        }
        enum CodingKeys: String, CodingKey { case reference, passphrase, issuedAt, reissuesLeftToday }
    }

    func addRoutes(api: RouterGroup<StaffRequestContext>, pages: RouterGroup<StaffRequestContext>, kit: StaffPageKit,
                   acknowledgementWorkingDays: Int) {
        api.post(":id/passphrase") { request, context -> EditedResponse<Issued> in
            let target = try CaseTarget(context.parameters)
            let input = try Input(try await JSONFields.read(request, maxBytes: 4096, allowed: Input.fields))
            let issued = try await issue(input, caseID: target.caseID, by: context)
            return EditedResponse(status: .created, response: Issued(reference: issued.reference, passphrase: issued.passphrase,
                                                                     issuedAt: issued.issuedAt, reissuesLeftToday: issued.leftToday))
        }
        let page = PassphraseReissuePages(reissue: self, kit: kit, acknowledgementWorkingDays: acknowledgementWorkingDays)
        pages.get("cases/:id/passphrase", use: page.confirmation)
        pages.post("cases/:id/passphrase", use: page.issue)
    }

    /// The one write, for both doors. Logs the case and the check only.
    func issue(_ input: Input, caseID: CaseID, by context: StaffRequestContext) async throws -> ReissuedPassphrase {
        let issued = try await stores.portal.reissuePassphrase(caseID: caseID, check: input.check, perDay: perDay, by: context.staff.actor)
        context.logger.info("passphrase reissued", metadata: ["case.id": "\(caseID)", "identity.check": "\(input.check.rawValue)"])
        return issued
    }
}

/// The case page's door: first the confirmation (the family's chosen contact beside the checks), then the words.
struct PassphraseReissuePages: Sendable {
    let reissue: PassphraseReissue
    let kit: StaffPageKit
    let acknowledgementWorkingDays: Int

    struct ConfirmModel: PageModel {
        let title: String
        let caseId: CaseID
        let reference, preference: String
        let email, phone: String?
        let checks: [Choice]
        /// The day's bound in words ("" when there is none).
        let limit: String
    }

    struct IssuedModel: PageModel {
        let title: String
        let caseId: CaseID
        let reference, passphrase: String
        let leftToday: String
    }

    static let checkWords: [IdentityCheck: String] = [
        .phone: "I called them back on the phone number they gave us, and they answered as the person who referred",
        .email: "I wrote to the email address they gave us, and they replied from it",
        .inPerson: "I met them in person and know them from this case",
    ]

    @Sendable func confirmation(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        let target = try CaseTarget(context.parameters)
        // Opening the contact details is a read of the case like the case page's (audited there).
        let detail = try await reissue.stores.cases.caseDetail(caseID: target.caseID, by: staff.actor,
                                                           acknowledgementWorkingDays: acknowledgementWorkingDays)
        let contact = detail.referral.contact
        return kit.render("staff-passphrase", request, staff, ConfirmModel(
            title: "Issue a new passphrase", caseId: detail.id, reference: detail.reference,
            preference: StaffPageKit.label(IntakeQuestions.preference, contact.preference.rawValue), email: contact.email, phone: contact.phone,
            checks: IdentityCheck.allCases.map { Choice(value: $0.rawValue, label: Self.checkWords[$0] ?? $0.rawValue) },
            limit: reissue.perDay == 0 ? "" : "At most \(reissue.perDay) new passphrases a day for one case. "))
    }

    @Sendable func issue(request: Request, context: StaffRequestContext) async throws -> Response {
        let (staff, target) = (context.staff, try CaseTarget(context.parameters))
        let form = try await kit.readForm(request)
        let back = "/staff/cases/\(target.caseID)/passphrase"
        do {
            guard form["confirmed"] == "yes" else {
                throw APIError.field("confirmed", "required", "Confirm that you checked who is asking before a new passphrase is issued.")
            }
            let issued = try await reissue.issue(try .init(FormFields(form: form)), caseID: target.caseID, by: context)
            let left = issued.leftToday.map { $0 == 1 ? "1 more can be issued for this case today." : "\($0) more can be issued for this case today." }
            return kit.render("staff-passphrase-issued", request, staff, IssuedModel(
                title: "New passphrase issued", caseId: target.caseID, reference: issued.reference, passphrase: issued.passphrase,
                leftToday: left ?? ""))
        } catch {
            let api = APIError.answer(for: APIError.forStaff(error, role: staff.role) ?? error)
            return kit.error(request, staff, api, back: api.status == .notFound ? nil : back)
        }
    }
}
