import Foundation
import GRDB
import ReconcileCore

/// A family's feedback on the help they had: three scores 1–5, each optional, and a comment in their
/// own words (personal: sealed under the case key, never released, never logged).
public struct FamilyFeedback: Sendable, Equatable {
    public let scores: [FeedbackQuestion: Int]
    public let comment: String?
    public let givenAt: Date
}

/// Feedback refused. Nothing is stored.
public enum FeedbackError: Error, Equatable {
    /// Not one question answered, and no comment.
    case nothingAnswered
    case commentTooLong, commentInvalidCharacters
    /// The response was given in a quarter that has ended: its counts may be in a released report, so it stands.
    case alreadyGiven
}

extension AppDatabase {
    public static let feedbackCommentLimit = 2000

    /// Inside a transaction that has already checked who may read the case.
    static func feedback(_ db: Database, caseID: CaseID, cipher: CaseCipher) throws -> FamilyFeedback? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM case_feedback WHERE case_id = ?", arguments: [caseID]) else { return nil }
        var scores: [FeedbackQuestion: Int] = [:]
        for question in FeedbackQuestion.allCases { scores[question] = (try row.value(question.rawValue)) }
        return FamilyFeedback(scores: scores, comment: try cipher.openIfPresent(try row.value("comment"), field: feedbackCommentField(caseID)),
                              givenAt: try row.value("given_at"))
    }

    /// Bound to the case: a comment copied to another case's row fails to open.
    static func feedbackCommentField(_ caseID: CaseID) -> String { "case_feedback.comment/\(caseID)" }

    /// Consented cases of the area whose feedback was given in [start, end), by question and score (or
    /// `not_answered`), and how many responses that is.
    static func feedbackCounts(_ db: Database, councilArea: String, start: Date, end: Date) throws -> (byQuestion: [FeedbackQuestion: [String: Int]], responses: Int) {
        let rows = try Row.fetchAll(db, sql: """
            SELECT f.listened_to, f.believed, f.help_was_right FROM case_feedback f CROSS JOIN referral_case c ON c.id = f.case_id
            WHERE c.council_area = ? AND c.consent_statistics = 1 AND f.given_at >= ? AND f.given_at < ?
            """, arguments: [councilArea, start, end])
        var counts: [FeedbackQuestion: [String: Int]] = [:]
        for row in rows {
            for question in FeedbackQuestion.allCases {
                let score: Int? = try row.value(question.rawValue)
                counts[question, default: [:]][score.map(String.init) ?? FeedbackScore.notAnswered, default: 0] += 1
            }
        }
        return (counts, rows.count)
    }
}

extension PortalStore {
    /// The family gives feedback. One response per case: a later one replaces the earlier while the reporting
    /// quarter it was given in is still open (no release can hold it yet); once that quarter has ended the
    /// response stands (`alreadyGiven`), so a released quarter and the year to date always count the same
    /// answers. Scores outside 1–5 never reach here (the server refuses them by name). One write transaction:
    /// concurrent submissions leave exactly one row. Returns whether an earlier response was replaced.
    @discardableResult
    /// At most `perDay` sends a London day (0: no bound), counted in the transaction (`FamilyDailyBound.feedback`).
    public func giveFeedback(caseID: CaseID, scores: [FeedbackQuestion: Int], comment: String?, quarterStartMonth: Int,
                             perDay: Int = 0, now: Date = Date()) async throws -> Bool {
        precondition(scores.values.allSatisfy(FeedbackScore.range.contains), "scores are checked by the caller")
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = comment?.isEmpty == false ? comment : nil
        guard !scores.isEmpty || text != nil else { throw FeedbackError.nothingAnswered }
        if let text {
            guard !FreeText.isTooLong(text, max: AppDatabase.feedbackCommentLimit) else { throw FeedbackError.commentTooLong }
            guard !FreeText.hasForbiddenCharacters(text, multiline: true) else { throw FeedbackError.commentInvalidCharacters }
        }
        return try await writer.write { db in
            let current = try AppDatabase.portalCase(db, caseID: caseID)
            try AppDatabase.checkFamilyDailyBound(db, caseID: caseID, .feedback, perDay: perDay, now: now)
            let earlier = try Date.fetchOne(db, sql: "SELECT given_at FROM case_feedback WHERE case_id = ?", arguments: [caseID])
            if let earlier, Quarter.containing(earlier, startMonth: quarterStartMonth) != Quarter.containing(now, startMonth: quarterStartMonth) {
                throw FeedbackError.alreadyGiven
            }
            let cipher = try AppDatabase.caseCipher(db, caseID: caseID, keys: keys)
            let sealed = try cipher.sealIfPresent(text, field: AppDatabase.feedbackCommentField(caseID))
            try db.execute(sql: """
                INSERT INTO case_feedback (case_id, listened_to, believed, help_was_right, comment, given_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (case_id) DO UPDATE SET listened_to = excluded.listened_to, believed = excluded.believed,
                    help_was_right = excluded.help_was_right, comment = excluded.comment, given_at = excluded.given_at
                """, arguments: [caseID, scores[.listenedTo], scores[.believed], scores[.helpWasRight], sealed, now])
            try AppDatabase.recordFamilyEvent(db, current, action: .feedback, audit: .portalFeedback, to: current.stage,
                                       detail: earlier == nil ? "first" : "replaced", keys: keys, at: now)
            return earlier != nil
        }
    }

    /// The case's feedback, comment opened, if any (for the family's own page).
    public func familyFeedback(caseID: CaseID) async throws -> FamilyFeedback? {
        try await reader.read { db in
            _ = try AppDatabase.portalCase(db, caseID: caseID)
            return try AppDatabase.feedback(db, caseID: caseID, cipher: try AppDatabase.caseCipher(db, caseID: caseID, keys: keys))
        }
    }
}

/// The family's feedback as their export shows it: every key present (`null` when not answered).
public struct FeedbackHeld: Sendable, Encodable {
    public let listenedTo, believed, helpWasRight: Int?
    public let comment: String?
    public let givenAt: Date

    init(_ f: FamilyFeedback) {
        listenedTo = f.scores[.listenedTo]
        believed = f.scores[.believed]
        helpWasRight = f.scores[.helpWasRight]
        comment = f.comment
        givenAt = f.givenAt
    }

    enum CodingKeys: String, CodingKey {
        case listenedTo = "listened_to", believed, helpWasRight = "help_was_right", comment, givenAt = "given_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(listenedTo, forKey: .listenedTo)
        try c.encode(believed, forKey: .believed)
        try c.encode(helpWasRight, forKey: .helpWasRight)
        try c.encode(comment, forKey: .comment)
        try c.encode(givenAt, forKey: .givenAt)
    }
}

/// A complaint or compliment as the family's export shows it.
public struct ComplaintHeld: Sendable, Encodable {
    public let kind: String
    public let receivedOn: String
    public let respondedOn: String?
    public let text: String?

    init(_ c: CaseComplaintView) {
        kind = c.kind.rawValue
        receivedOn = c.receivedOn
        respondedOn = c.respondedOn
        text = c.text
    }

    enum CodingKeys: String, CodingKey { case kind, receivedOn = "received_on", respondedOn = "responded_on", text }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(receivedOn, forKey: .receivedOn)
        try c.encode(respondedOn, forKey: .respondedOn)
        try c.encode(text, forKey: .text)
    }
}
