import Foundation
import Hummingbird
import Logging
import ReconcileCore
import ReconcileStore

/// Runs case steps for both doors: `CasesController` (JSON) and `CasePagesController` (forms). The step reads
/// and validates its own input; the store checks role, assignment and the lifecycle inside its transaction
/// and returns the new stage, so nothing here reads the case again.
struct CaseActions: Sendable {
    let stores: Stores
    let rules: StepRules
    /// What "now" is for rules about the future (an appointment's start): the wall clock, or a test's own.
    var clock: @Sendable () -> Date = { Date() }

    /// The role is checked before `read` runs, so a role that may not take the step learns nothing of its fields.
    func run<Step: CaseStep, Fields: ActionFields>(_: Step.Type, on target: CaseTarget, by staff: StaffAccount, logger: Logger,
                                                   reading read: () async throws -> Fields) async throws -> CaseChange {
        guard Step.roles.contains(staff.role) else { throw CaseAccessError.forbidden }
        let step = try Step(reading: try await read(), on: target, rules: rules)
        let change = try await step.perform(on: target, by: staff, in: self)
        // Ids and the step's name only: never a field's value.
        logger.info("case changed", metadata: ["case.id": "\(target.caseID)", "case.action": "\(Step.name)"])
        return change
    }
}
