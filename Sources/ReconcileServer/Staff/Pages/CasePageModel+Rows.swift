import Foundation
import ReconcileCore
import ReconcileStore

/// The rows of the case page: the record so far, one value per item, as its template shows them.
extension CasePageModel {
    struct Contact: Sendable, Encodable {
        let name, email, phone, address: String?
        let preference, safeToLeaveMessage: String
        let safeTimes: String?
    }
    struct Fact: Sendable, Encodable { let label, value: String }
    /// What was advised, agreed and why, under a record (absent parts are left out).
    struct Practice: Sendable, Encodable { let adviceGiven, actionsAgreed, reason: String? }
    struct Session: Sendable, Encodable { let date: String; let minutes: Int; let modality: String; let note: String?; let practice: Practice }
    struct Assessment: Sendable, Encodable { let level, needs: String; let note: String?; let at: String; let practice: Practice }
    /// A practice-record box on a step's form; `required` as `policies/recording.json` says.
    struct PracticeBox: Sendable, Encodable { let id, name, label: String; let required: Bool }
    struct Signpost: Sendable, Encodable {
        let id, service, need, outcome, kind: String
        let note: String?
        let practice: Practice
        let canOutcome: Bool
        let outcomes: [Choice]
    }
    struct Escalation: Sendable, Encodable {
        let id, routes, at, outcome: String
        let date, area, parents, note: String?
        let reReferral: Bool
        let outcomes: [Choice]
    }
    struct Message: Sendable, Encodable { let fromFamily: Bool; let from, body, at: String }
    struct Event: Sendable, Encodable { let at, action, change, by: String; let note: String? }
    struct Closing: Sendable, Encodable { let reasons: [Choice] }
    /// A dated follow-up: open ones can be marked done; `overdue` when its day has passed.
    struct FollowUp: Sendable, Encodable { let id, due: String; let note: String?; let overdue, open: Bool; let doneText: String? }
}

/// The family's statement for the council as the case page shows it.
struct VoiceShown: Sendable, Encodable {
    let text, proposedText: String?
    let status: String
    let open, heldForEdit: Bool
    init(_ v: FamilyVoiceView) {
        (text, proposedText, open, heldForEdit) = (v.text, v.proposedText, v.status.isOpen, v.status == .heldForEdit)
        status = VoicePagesController.statusWords[v.status] ?? v.status.rawValue
    }
}

