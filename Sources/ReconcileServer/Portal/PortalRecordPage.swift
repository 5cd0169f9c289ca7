import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// Everything held about a referral as a page a family can read and print, in their language: the same `CaseExport`
/// as the JSON download (safeguarding notes and hold reasons withheld there, so here too). Answers from the form use the
/// catalogue's own words for each choice; the partner's work records (modality, need, outcome) are plain words.
struct PortalRecordPage {
    let pages: Pages
    /// The signed-in pages' own idle departure (`PortalService.idleRefreshSeconds`).
    let idleRefresh: Int

    struct Row: Sendable, Encodable { let label, value: String }
    struct Entry: Sendable, Encodable { let heading: String; let lines: [String] }
    struct Model: PageModel {
        let title: String
        let facts: [Row]
        let contact: [Row]
        let answers: [Row]
        let story: String?
        let accessNeeds: [String]
        let messages: [Entry]
        let work: [Entry]
        let timeline: [Row]
        let feedback: [Row]
        let summary: String?
        let hasAccessNeeds: Bool
        let hasFeedback: Bool
        let idleRefresh: Int
    }

    func render(_ export: CaseExport, request: Request) -> Response {
        let language = pages.language(of: request, recorded: export.answers.intake.language)
        let t = Catalogues[language]
        let moment = ServiceTime.moment(language), day = ServiceTime.day(language)
        let words = StaffPageKit.words
        func choice(_ question: String, _ code: String) -> String {
            let key = "choice_\(question)_\(code)"
            return t.messages[key] ?? words(code)
        }
        func choices(_ question: String, _ codes: [String]) -> String { codes.map { choice(question, $0) }.joined(separator: "; ") }
        let yes = t["choice_send_yes"], no = t["choice_send_no"]
        let a = export.answers, i = a.intake, c = export.contact

        var facts = [Row(label: t["portal_reference"], value: export.reference),
                     Row(label: t["record_received"], value: export.receivedAt.formatted(moment)),
                     Row(label: t["record_stage"], value: t[PortalPagesController.stageKey(export.stage, export.closeReason)])]
        if let closed = export.closedAt { facts.append(Row(label: t["record_closed"], value: closed.formatted(day))) }
        let contact = [
            Row(label: t["q_name"], value: c.name ?? "-"), Row(label: t["q_email"], value: c.email ?? "-"),
            Row(label: t["q_phone"], value: c.phone ?? "-"), Row(label: t["q_address"], value: c.address ?? "-"),
            Row(label: t["q_preference"], value: choice("preference", c.preference.rawValue)),
            Row(label: t["q_safe_to_leave_message"], value: c.safeToLeaveMessage ? yes : no),
            Row(label: t["q_safe_times"], value: c.safeTimes ?? "-"),
        ]
        var answers = [
            Row(label: t["q_council_area"], value: IntakeQuestions.areaLabel(a.councilArea)),
            Row(label: t["q_referrer_role"], value: choice("referrer_role", a.referrerRole.rawValue)),
            Row(label: t["q_involvement"], value: i.involvement.map { choice("involvement", $0.rawValue) } ?? "-"),
            Row(label: t["q_age_band"], value: i.ageBand.map { choice("age_band", $0.rawValue) } ?? "-"),
            Row(label: t["q_setting"], value: choice("setting", a.setting.rawValue)),
            Row(label: t["q_harm"], value: choices("harm", a.harm.map(\.rawValue))),
            Row(label: t["q_pattern"], value: i.pattern.isEmpty ? "-" : choices("pattern", i.pattern.map(\.rawValue))),
            Row(label: t["q_when"], value: choice("when", a.when.rawValue)),
            Row(label: t["q_told_before"], value: choices("told_before", a.toldBefore.map(\.rawValue))),
            Row(label: t["q_wishes"], value: choices("wishes", a.wishes.map(\.rawValue))),
            Row(label: t["q_heard_from"], value: i.heardFrom.map { choice("heard_from", $0.rawValue) } ?? "-"),
            Row(label: t["q_consent_statistics"], value: export.consent.statistics ? t["q_consent_statistics_yes"] : t["q_consent_statistics_no"]),
        ]
        if let known = i.parentKnows { answers.insert(Row(label: t["q_parent_knows"], value: choice("parent_knows", known.rawValue)), at: 4) }
        if let sex = i.childSex { answers.append(Row(label: t["q_child_sex"], value: choice("child_sex", sex.rawValue))) }
        if let send = i.specialNeeds { answers.append(Row(label: t["q_send"], value: choice("send", send.rawValue))) }

        var needs: [String] = []
        if let n = export.accessNeeds {
            let said: [String?] = [
                n.language.map { "\(t["q_access_language"]): \($0)" }, n.interpreter ? t["q_access_interpreter"] : nil, n.bsl ? t["q_access_bsl"] : nil,
                n.easyRead ? t["q_access_easy_read"] : nil, n.largePrint ? t["q_access_large_print"] : nil,
                n.supporter.map { "\(t["q_access_supporter"]): \($0)" }, n.other.map { "\(t["q_access_other"]): \($0)" },
            ]
            needs = said.compactMap { $0 }
        }
        let messages = export.messages.map { m in
            Entry(heading: t.text(m.from == "you" ? "portal_you_wrote" : "portal_partner_wrote", ["at": m.at.formatted(moment)]), lines: [m.body])
        }
        func practice(_ p: PracticeRecord) -> [String] {
            [p.adviceGiven.map { "\(words("advice_given")): \($0)" }, p.actionsAgreed.map { "\(words("actions_agreed")): \($0)" },
             p.reason.map { "\(words("reason")): \($0)" }].compactMap { $0 }
        }
        var work = export.listeningSessions.map { s in
            Entry(heading: "\(t["record_session"]): \(WorkingDays.day(s.date)?.formatted(day) ?? s.date)",
                  lines: ["\(words(s.modality.rawValue)), \(s.durationMinutes) min"] + [s.note].compactMap { $0 } + practice(s.practice))
        }
        work += export.assessments.map { x in
            Entry(heading: "\(t["record_assessment"]): \(x.at.formatted(day))",
                  lines: [x.needs.map { words($0.rawValue) }.joined(separator: "; ")] + [x.note].compactMap { $0 } + practice(x.practice))
        }
        work += export.signposts.map { s in
            Entry(heading: "\(t["record_signpost"]): \(s.at.formatted(day))",
                  lines: ["\(words(s.serviceID)) (\(words(s.need.rawValue))): \(words(s.outcome.rawValue))"] + [s.note].compactMap { $0 } + practice(s.practice))
        }
        work += export.safeguardingEscalations.map { e in
            Entry(heading: "\(t["record_safeguarding"]): \(e.at.formatted(day))", lines: [e.routes.map { words($0.rawValue) }.joined(separator: "; ")])
        }
        var feedback: [Row] = []
        if let f = export.feedback {
            feedback = [Row(label: t["feedback_q_listened_to"], value: f.listenedTo.map(String.init) ?? "-"),
                        Row(label: t["feedback_q_believed"], value: f.believed.map(String.init) ?? "-"),
                        Row(label: t["feedback_q_help_was_right"], value: f.helpWasRight.map(String.init) ?? "-"),
                        Row(label: t["feedback_comment"], value: f.comment ?? "-")]
        }
        feedback += export.complaints.map { k in
            Row(label: "\(t["complaint_kind_\(k.kind)"]) (\(WorkingDays.day(k.receivedOn)?.formatted(day) ?? k.receivedOn))", value: k.text ?? "-")
        }
        let model = Model(
            title: t["record_title"], facts: facts, contact: contact, answers: answers, story: export.story, accessNeeds: needs,
            messages: messages, work: work,
            timeline: export.events.map { Row(label: $0.at.formatted(moment), value: [words($0.action), $0.note].compactMap { $0 }.joined(separator: ": ")) },
            feedback: feedback, summary: export.closureSummary, hasAccessNeeds: !needs.isEmpty, hasFeedback: !feedback.isEmpty,
            idleRefresh: idleRefresh)
        return pages.family("portal-record", model, request: request,
                            values: ["exported_at": export.exportedAt.formatted(moment)], language: language)
    }
}
