import ReconcileCore

/// What an audit row says was done: every kind of act the service audits is named here, once, so an auditor's
/// list of what the log can hold is this file, and a call site cannot misspell one. Only the store mints them (the
/// initialiser is internal); the row keeps the name as text (`AuditRecord.action`).
public struct AuditAction: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    init(_ name: String) { self.name = name }
    public var description: String { name }

    // Staff accounts and sessions (the CLI acts as "cli").
    static let staffAdd = AuditAction("staff.add"), staffDisable = AuditAction("staff.disable")
    static let staffResetMFA = AuditAction("staff.reset_mfa"), staffNotifications = AuditAction("staff.notifications")
    static let staffSignIn = AuditAction("staff.sign_in"), staffSignInFailed = AuditAction("staff.sign_in_failed")
    static let staffSignOut = AuditAction("staff.sign_out"), staffReassignOpenCases = AuditAction("staff.reassign_open_cases")
    static let councilTokenAdd = AuditAction("council_token.add"), councilTokenRevoke = AuditAction("council_token.revoke")
    static let keysRotate = AuditAction("keys.rotate")

    // Staff reading and working cases. A step or piece of work on a case is "case.<its timeline event>".
    static func caseEvent(_ event: CaseEvent) -> AuditAction { AuditAction("case.\(event.rawValue)") }
    static let caseRead = AuditAction("case.read"), caseTimeline = AuditAction("case.timeline")
    static let caseChronology = AuditAction("case.chronology"), caseSearch = AuditAction("case.search")
    static let caseEntered = AuditAction("case.entered"), caseErase = AuditAction("case.erase")
    static let recordsCheckRead = AuditAction("records_check.read"), recordsCheckReview = AuditAction("records_check.review")
    static let recordsCheckSampleDrawn = AuditAction("records_check.sample_drawn")

    // Reports, voices, complaints and the lessons learned.
    static let reportRelease = AuditAction("report.release"), voicesRead = AuditAction("voices.read")
    static let voiceReview = AuditAction("voice.review"), voiceProposeEdit = AuditAction("voice.propose_edit")
    static let complaintAdd = AuditAction("complaint.add"), complaintResponse = AuditAction("complaint.response")
    static let themeAdd = AuditAction("theme.add"), themeRemove = AuditAction("theme.remove")
    static let offerRoundAdd = AuditAction("offer_round.add")

    // The family in the portal (actor "family:<case id>").
    static let portalSignIn = AuditAction("portal.sign_in"), portalSignInFailed = AuditAction("portal.sign_in_failed")
    static let portalSignOut = AuditAction("portal.sign_out"), portalExport = AuditAction("portal.export")
    static let portalMessage = AuditAction("portal.message"), portalWithdraw = AuditAction("portal.withdraw")
    static let portalComeBack = AuditAction("portal.come_back"), portalNotice = AuditAction("portal.notice")
    static let portalFeedback = AuditAction("portal.feedback"), portalErasureRequest = AuditAction("portal.erasure_request")
    static let portalErasureCancel = AuditAction("portal.erasure_cancel")
    static func portal(_ kind: ComplaintKind) -> AuditAction { AuditAction("portal.\(kind.rawValue)") }
    static func portalVoice(_ event: CaseEvent) -> AuditAction { AuditAction("portal.\(event.rawValue)") }
}
