import Foundation
import GRDB
import ReconcileCore
import Sodium

// What the family's portal hands out and shows: a sign-in, its refusals and policy, and the family's page.

/// A successful portal sign-in: the session token to hand to the client (once) and the case it opens.
public struct PortalSignIn: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// 32 random bytes, base64url without padding. Only its keyed hash is stored.
    public let token: String
    public let caseID: CaseID

    public init(token: String, caseID: CaseID) {
        self.token = token
        self.caseID = caseID
    }

    public var description: String { "PortalSignIn(case \(caseID), token redacted)" }
    public var debugDescription: String { description }
}

/// Every portal sign-in failure looks the same — unknown reference, wrong passphrase, erased case — so
/// nobody learns which references exist. The audit log says which.
public enum PortalAuthError: Error, Equatable {
    case invalidCredentials
}

/// How long a family's portal session lasts. Shorter than staff sessions: a family may share a device.
public struct PortalSessionPolicy: Sendable {
    /// A session unused for longer than this has ended.
    public var idle: TimeInterval = 20 * 60
    /// A session older than this has ended however busy it was.
    public var absolute: TimeInterval = 2 * 3600

    public init() {}

    public init(idle: TimeInterval, absolute: TimeInterval) {
        self.idle = idle
        self.absolute = absolute
    }
}

/// Where a family's erasure request stands.
public struct ErasureStatus: Sendable, Equatable {
    public let requestedAt: Date
    /// When `reconcile retention run` carries it out (unless cancelled or held).
    public let dueAt: Date
    /// A lead has placed a safeguarding or an evidential hold on the case: nothing is erased while it stands.
    public let held: Bool
    public let cancelled: Bool
    /// The hold (or one of them) is evidential: the notes may be needed by the police or a court. The family
    /// is told so, in those words, rather than a vaguer reason.
    public let heldForEvidence: Bool

    public init(requestedAt: Date, dueAt: Date, held: Bool, cancelled: Bool, heldForEvidence: Bool = false) {
        self.requestedAt = requestedAt
        self.dueAt = dueAt
        self.held = held
        self.cancelled = cancelled
        self.heldForEvidence = heldForEvidence
    }
}

/// One message as the family sees it.
public struct PortalMessage: Sendable, Equatable {
    /// "you" for the family's own messages, "partner" for the partner organisation's.
    public let from: String
    public let body: String
    public let at: Date

    public init(from: String, body: String, at: Date) {
        self.from = from
        self.body = body
        self.at = at
    }
}

/// The portal's one page: where the referral is, in plain words, and the conversation so far.
/// A meeting as the family's portal shows it: categories and a date, nothing from the staff's note.
public struct PortalMeeting: Sendable, Equatable {
    public let party: MeetingParty
    public let status: MeetingStatus
    public let heldOn: String?
}

public struct PortalView: Sendable, Equatable {
    public let reference: String
    public let stage: Stage
    public let closeReason: CloseReason?
    /// `StageText.forFamily(stage, closeReason:)`.
    public let stageText: String
    /// Both ways, oldest first.
    public let messages: [PortalMessage]
    public let erasure: ErasureStatus?
    /// When the family asked to come back to this closed case, until a lead reopens it.
    public var comeBackRequestedAt: Date? = nil
    /// What the partner wrote for the family when the case closed: what was talked about, where they went.
    public var closureSummary: String? = nil
    /// The language the referral was made in: the portal opens in it in a new browser.
    public var language: FamilyLanguage? = nil
    /// Meetings asked for on the family's behalf: with whom, where each is up to, and the date one was held.
    public var meetings: [PortalMeeting] = []
    /// When a lead closed this referral as a duplicate: the reference the conversation goes on under.
    public var continuesIn: String? = nil
    /// Appointments still to come: when, how long and how (never with whom).
    public var appointments: [PortalAppointment] = []

    public init(reference: String, stage: Stage, closeReason: CloseReason?, stageText: String, messages: [PortalMessage],
                erasure: ErasureStatus?) {
        self.reference = reference
        self.stage = stage
        self.closeReason = closeReason
        self.stageText = stageText
        self.messages = messages
        self.erasure = erasure
    }
}

/// The portal's view of a case, read inside a transaction.
struct PortalCase {
    let id: CaseID
    let reference: String
    let stage: Stage
    let closeReason: CloseReason?
}
