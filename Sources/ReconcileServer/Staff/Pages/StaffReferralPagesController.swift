import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore
import Sodium

/// `/staff/referrals/new`: the page a practitioner or lead fills in for a referral taken by phone, post or in
/// person. The same questions as the family's form (`ReferralForm`), plus how it came; it runs the same
/// intake as `POST /api/v1/cases` (`StaffReferralController.enter`) and shows the reference and passphrase
/// once, to be passed on to the family.
struct StaffReferralPagesController {
    let intake: IntakeService
    let kit: StaffPageKit

    struct FormModel: PageModel {
        let title, submissionId: String
        let channel: ReferralForm.Question
        let fields: ReferralForm.Fields
    }

    struct EnteredModel: PageModel {
        let title, reference, passphrase: String
        let caseId: CaseID
        let passphraseWords: [String]
        let assignedToMe: Bool
    }

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get("referrals/new") { request, context in
            form(request, context.staff, submission: nil, problems: [], submissionID: nil, status: .ok)
        }
        group.post("referrals/new", use: submit)
    }

    @Sendable func submit(request: Request, context: StaffRequestContext) async throws -> Response {
        let staff = context.staff
        do {
            let (fields, body) = try await kit.csrf.readFormAndBody(
                request, maxBytes: kit.maxBody, sessionCookie: kit.csrf.cookies.staffSession,
                expired: "This form only works when opened from this website, with cookies allowed. Please open the page again and resend it.")
            let submission = ReferralForm.submission(from: fields)
            let submissionID = fields["submission_id"].flatMap { IntakeService.isValidIdempotencyKey($0) ? $0 : nil }
            do {
                // Keyed to this staff member: a double tap shows the same passphrase, within the form's window only.
                let receipt = try await StaffReferralController.enter(
                    submission, by: staff, intake: intake, body: body,
                    replayKey: submissionID.map { "staff:\(staff.id):form:\($0)" },
                    passphraseKeptFor: TimeInterval(intake.settings.limits.formReplayMinutes * 60), logger: context.logger)
                return kit.render("staff-referral-entered", request, staff, EnteredModel(
                    title: "Referral entered", reference: receipt.reference, passphrase: receipt.passphrase, caseId: receipt.caseID,
                    passphraseWords: receipt.passphrase.split(separator: "-").map(String.init), assignedToMe: staff.role == .practitioner))
            } catch let error as APIError where error.code != "not_offered" && error.fields != nil {
                let problems = (error.fields ?? []).compactMap { f -> FieldProblem? in
                    guard let field = f["field"], let code = f["code"], let message = f["message"] else { return nil }
                    return FieldProblem(field: field, code: code, message: message)
                }
                return form(request, staff, submission: submission, problems: problems, submissionID: submissionID, status: .unprocessableContent)
            }
        } catch let error as APIError {
            return kit.error(request, staff, error, back: "/staff/referrals/new")
        }
    }

    private func form(_ request: Request, _ staff: StaffAccount, submission: ReferralSubmission?, problems: [FieldProblem],
                      submissionID: String?, status: HTTPResponse.Status) -> Response {
        let chosen = submission?.channel ?? ""
        let channel = ReferralForm.Question(name: "channel", items: IntakeQuestions.channel.map { code, label in
            .init(value: code.rawValue, label: label, id: "channel-\(code.rawValue)", checked: chosen == code.rawValue)
        }, error: problems.first { $0.field == "channel" }?.message)
        let model = FormModel(
            title: problems.isEmpty ? "Enter a referral" : "There is a problem - Enter a referral",
            submissionId: submissionID ?? Data(Random.bytes(count: 16)).base64URL, channel: channel,
            fields: ReferralForm.fields(submission, problems: problems, councilAreas: intake.settings.areas.councilAreas, youngPerson: false))
        var values = TemplateValues.of(model)
        // The family's questions, asked about "them" rather than "you".
        values["t"] = Catalogues.english.messages.merging(StaffReferralWords.questions) { $1 }
        return kit.render("staff-referral-new", request, staff, values, status: status)
    }
}
