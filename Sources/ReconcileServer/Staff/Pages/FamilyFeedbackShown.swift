import Foundation
import ReconcileCore
import ReconcileStore

/// The family's feedback and complaints as the staff case page shows them (assigned practitioner or lead only:
/// the case page is reached through `workableCase`, and its read is audited).
struct FamilyFeedbackShown: Sendable, Encodable {
    struct Score: Sendable, Encodable { let question, answer: String }
    struct Complaint: Sendable, Encodable {
        let kind, receivedOn, from: String
        let respondedOn, text: String?
        init(_ c: CaseComplaintView) {
            kind = c.kind == .complaint ? "Complaint" : "Compliment"
            receivedOn = c.receivedOn
            from = c.source == .family ? "sent by the family in the portal" : "recorded by a lead"
            respondedOn = c.respondedOn
            text = c.text
        }
    }
    let given: String
    let scores: [Score]
    let comment: String?

    init(_ f: FamilyFeedback, at format: Date.FormatStyle) {
        given = f.givenAt.formatted(format)
        scores = FeedbackQuestion.allCases.map { q in
            Score(question: PortalFeedbackPagesController.questionText(q), answer: f.scores[q].map { "\($0) of 5" } ?? "Not answered")
        }
        comment = f.comment
    }
}
