import Foundation
import ReconcileCore
import ReconcileReports
import ReconcileStore

/// A meeting the family asked for, as the case page shows it, with what may still be recorded of it.
struct MeetingShown: Sendable, Encodable {
    let id, party, status, requested: String
    let heldOn, helped, note, familyWords: String?
    /// The case is open and the meeting's course not over, or it was held and the family's view may follow.
    let canUpdate: Bool
    let isHeld: Bool
    let statuses, helpedChoices: [Choice]

    init(_ m: MeetingView, open: Bool, at format: Date.FormatStyle) {
        let words = StaffPageKit.words
        (id, party, status, requested) = (m.id, words(m.party.rawValue), Self.statusWords(m.status), m.requestedAt.formatted(format))
        (heldOn, helped, note, familyWords) = (m.heldOn, m.helped.map(String.init), m.note, m.familyWords)
        isHeld = m.status == .held
        canUpdate = open && (!m.status.isFinal || isHeld)
        statuses = MeetingStatus.settable.map { Choice(value: $0.rawValue, label: Self.statusWords($0), selected: $0 == m.status) }
        helpedChoices = MeetingHelped.range.map { Choice(value: "\($0)", label: WordCatalogue.standard.code("\($0)", list: "meeting_helped"), selected: $0 == m.helped) }
    }

    static func statusWords(_ status: MeetingStatus) -> String { WordCatalogue.standard.code(status.rawValue, list: "meeting_status") }
}
