import Testing
@testable import ReconcileCore

@Suite struct CaseLifecycleTests {
    /// Every action, written out here rather than taken from `CaseAction.allCases`, so an action missing
    /// from the production list is still exercised (and `allCasesListsEveryAction` catches the omission).
    static let actions: [CaseAction] = [
        .acknowledge, .recordListeningSession, .recordAssessment, .addSignpost, .recordSignpostOutcome,
        .recordSafeguarding, .sendMessage, .setFollowUp,
        .close(.completed), .close(.withdrawn), .close(.noContact), .close(.declined), .close(.transferred),
        .closeAsDuplicate,
        .reopen(to: .received), .reopen(to: .acknowledged), .reopen(to: .listening), .reopen(to: .assessed), .reopen(to: .signposted),
    ]

    /// The rules of SPEC "Case lifecycle", written independently of the implementation: for each stage,
    /// the allowed actions and the stage they lead to. Anything not listed must be refused.
    static let allowed: [Stage: [CaseAction: Stage]] = [
        .received: [
            .acknowledge: .acknowledged,
            .recordSafeguarding: .received, .sendMessage: .received, .setFollowUp: .received,
            .close(.withdrawn): .closed, .close(.noContact): .closed, .close(.declined): .closed,
            .close(.transferred): .closed, .closeAsDuplicate: .closed,
        ],
        .acknowledged: [
            .recordListeningSession: .listening,
            .recordSafeguarding: .acknowledged, .sendMessage: .acknowledged, .setFollowUp: .acknowledged,
            .close(.withdrawn): .closed, .close(.noContact): .closed, .close(.declined): .closed,
            .close(.transferred): .closed, .closeAsDuplicate: .closed,
        ],
        .listening: [
            .recordListeningSession: .listening, .recordAssessment: .assessed,
            .recordSafeguarding: .listening, .sendMessage: .listening, .setFollowUp: .listening,
            // Listening alone can be the whole of the work.
            .close(.completed): .closed,
            .close(.withdrawn): .closed, .close(.noContact): .closed, .close(.declined): .closed,
            .close(.transferred): .closed, .closeAsDuplicate: .closed,
        ],
        .assessed: [
            .recordListeningSession: .assessed, .recordAssessment: .assessed, .addSignpost: .signposted,
            .recordSafeguarding: .assessed, .sendMessage: .assessed, .setFollowUp: .assessed,
            .close(.completed): .closed,
            .close(.withdrawn): .closed, .close(.noContact): .closed, .close(.declined): .closed,
            .close(.transferred): .closed, .closeAsDuplicate: .closed,
        ],
        .signposted: [
            .recordListeningSession: .signposted, .recordAssessment: .signposted, .addSignpost: .signposted,
            .recordSignpostOutcome: .signposted, .recordSafeguarding: .signposted, .sendMessage: .signposted, .setFollowUp: .signposted,
            .close(.completed): .closed,
            .close(.withdrawn): .closed, .close(.noContact): .closed, .close(.declined): .closed,
            .close(.transferred): .closed, .closeAsDuplicate: .closed,
        ],
        .closed: [
            .recordSignpostOutcome: .closed, .recordSafeguarding: .closed,
            // Coming back: at the stage it closed from, and only from closed.
            .reopen(to: .received): .received, .reopen(to: .acknowledged): .acknowledged, .reopen(to: .listening): .listening,
            .reopen(to: .assessed): .assessed, .reopen(to: .signposted): .signposted,
        ],
    ]

    @Test(arguments: Stage.allCases, Self.actions)
    func everyStageAndActionFollowsTheTable(stage: Stage, action: CaseAction) throws {
        let table = try #require(Self.allowed[stage], "the table must have a row for \(stage)")
        if let expected = table[action] {
            #expect(try CaseLifecycle.stage(after: action, from: stage) == expected)
            #expect(CaseLifecycle.allows(action, at: stage))
        } else {
            do {
                let reached = try CaseLifecycle.stage(after: action, from: stage)
                Issue.record("\(action.name) at \(stage) should be refused but led to \(reached)")
            } catch {
                #expect(error.stage == stage)
                #expect(error.action == action)
                #expect(!error.message.isEmpty && error.message.hasSuffix("."))
                #expect(error.description == error.message)
            }
            #expect(!CaseLifecycle.allows(action, at: stage))
        }
    }

    @Test(arguments: Stage.allCases)
    func allowedActionsMatchTheTable(stage: Stage) {
        let expected = Self.actions.filter { Self.allowed[stage]?[$0] != nil }
        #expect(CaseLifecycle.allowedActions(at: stage) == expected)
    }

    /// "Reopen to closed" is no action at all: refused at every stage, and not offered.
    @Test(arguments: Stage.allCases)
    func reopeningToClosedIsRefusedEverywhere(stage: Stage) {
        #expect(!CaseLifecycle.allows(.reopen(to: .closed), at: stage))
    }

    @Test func allCasesListsEveryAction() {
        #expect(CaseAction.allCases == Self.actions)
    }

    @Test func safeguardingIsAllowedEverywhereAndNeverMovesTheCase() throws {
        for stage in Stage.allCases {
            #expect(try CaseLifecycle.stage(after: .recordSafeguarding, from: stage) == stage)
        }
    }

    @Test func refusalsExplainThemselvesInPlainWords() {
        #expect(throws: TransitionRefused(
            stage: .received, action: .recordListeningSession,
            message: "A case must be acknowledged before a listening session can be recorded.")) {
            try CaseLifecycle.stage(after: .recordListeningSession, from: .received)
        }
        #expect(throws: TransitionRefused(stage: .closed, action: .close(.withdrawn), message: "This case is already closed.")) {
            try CaseLifecycle.stage(after: .close(.withdrawn), from: .closed)
        }
        do {
            _ = try CaseLifecycle.stage(after: .close(.completed), from: .acknowledged)
            Issue.record("closing a case with no listening session as completed should be refused")
        } catch {
            #expect(error.message.contains("listening session"))
        }
    }

    @Test func actionNamesAreDistinctSnakeCase() {
        let names = Self.actions.map(\.name)
        #expect(names.allSatisfy { $0.range(of: "^[a-z]+(_[a-z]+)*$", options: .regularExpression) != nil })
        // The five close reasons share one name, as do the five reopening stages; every other action has its own.
        #expect(Set(names).count == 11)
        #expect(CaseAction.reopen(to: .assessed).name == "reopen")
        #expect(CaseAction.close(.declined).name == "close")
        #expect(CaseAction.recordListeningSession.name == "record_listening_session")
    }

    /// One case worked from referral to closure, with the late and repeated actions a real case sees.
    @Test func aFullCaseFromReceivedToClosed() throws {
        let steps: [(CaseAction, Stage)] = [
            (.sendMessage, .received),
            (.acknowledge, .acknowledged),
            (.recordListeningSession, .listening),
            (.recordListeningSession, .listening),
            (.recordSafeguarding, .listening),
            (.recordAssessment, .assessed),
            (.recordListeningSession, .assessed),
            (.addSignpost, .signposted),
            (.addSignpost, .signposted),
            (.recordAssessment, .signposted),
            (.recordSignpostOutcome, .signposted),
            (.close(.completed), .closed),
            (.recordSignpostOutcome, .closed),
            (.recordSafeguarding, .closed),
            // The family comes back: reopened where it closed from, and closed again.
            (.reopen(to: .signposted), .signposted),
            (.recordListeningSession, .signposted),
            (.close(.completed), .closed),
        ]
        var stage = Stage.received
        for (action, expected) in steps {
            stage = try CaseLifecycle.stage(after: action, from: stage)
            #expect(stage == expected, "after \(action.name)")
        }
        #expect(throws: TransitionRefused.self) { try CaseLifecycle.stage(after: .sendMessage, from: stage) }
        #expect(CaseLifecycle.allowedActions(at: stage) == [.recordSignpostOutcome, .recordSafeguarding, .reopen(to: .received),
                                                            .reopen(to: .acknowledged), .reopen(to: .listening), .reopen(to: .assessed),
                                                            .reopen(to: .signposted)])
    }

    /// A family who only wanted to be listened to: completed straight after listening, and the pages offer it.
    @Test func completedFollowsListeningAlone() throws {
        #expect(try CaseLifecycle.stage(after: .close(.completed), from: .listening) == .closed)
        #expect(CaseLifecycle.allowedActions(at: .listening).contains(.close(.completed)))
        #expect(!CaseLifecycle.allowedActions(at: .acknowledged).contains(.close(.completed)))
        #expect(!CaseLifecycle.allowedActions(at: .received).contains(.close(.completed)))
    }

    @Test func aFamilyCanWithdrawBeforeAnythingElseHappens() throws {
        #expect(try CaseLifecycle.stage(after: .close(.withdrawn), from: .received) == .closed)
        #expect(throws: TransitionRefused.self) { try CaseLifecycle.stage(after: .close(.completed), from: .received) }
    }
}
