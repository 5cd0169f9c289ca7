import Dispatch
import Testing
@testable import LinearProgramming

@Suite struct LinearProgramTests {
    @Test func integerProgrammeDiffersFromItsRelaxation() {
        // maximise x + y with 2x + 2y <= 5: 2.5 continuous, 2 in whole numbers.
        for integer in [false, true] {
            var lp = LinearProgram()
            let x = lp.addVariable(integer: integer), y = lp.addVariable(integer: integer)
            lp.add(.init([(x, 2), (y, 2)]), .lessOrEqual, 5)
            #expect(lp.maximise(.init(sum: [x, y])) == .optimal(integer ? 2 : 2.5))
        }
    }

    @Test func sevenCellsOfAtLeastOneAddingToSevenArePinned() {
        var lp = LinearProgram()
        let cells = (0..<7).map { _ in lp.addVariable(lower: 1) }
        lp.add(.init(sum: cells), .equal, 7)
        #expect(lp.minimise(.init(sum: [cells[3]])) == .optimal(1))
        #expect(lp.maximise(.init(sum: [cells[3]])) == .optimal(1))
        lp.add(.init(sum: [cells[0]]), .greaterOrEqual, 2)
        #expect(lp.minimise(.init(sum: [cells[0]])) == .infeasible)
    }

    @Test func unboundedAndBoundsAreReported() {
        var lp = LinearProgram()
        let x = lp.addVariable(lower: 1)
        #expect(lp.maximise(.init(sum: [x])) == .unbounded)
        lp.bound(x, upper: 9)
        #expect(lp.maximise(.init(sum: [x])) == .optimal(9))
        let free = lp.addVariable(lower: nil, integer: false)
        lp.add(.init([(free, 1), (x, -1)]), .equal, 0)
        #expect(lp.minimise(.init(sum: [free])) == .optimal(1))
        // A variable named twice in one row counts twice.
        lp.add(.init([(x, 1), (x, 1)]), .lessOrEqual, 8)
        #expect(lp.maximise(.init(sum: [x])) == .optimal(4))
    }

    @Test func separateProgrammesSolveOnSeparateThreadsAtOnce() {
        // GLPK's environment is thread-local; each solve owns its problem object. 8 threads × 50 solves.
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for n in 1...50 {
                var lp = LinearProgram()
                let cells = (0..<4).map { _ in lp.addVariable(lower: 1) }
                lp.add(.init(sum: cells), .equal, Double(4 + n + thread))
                let max = lp.maximise(.init(sum: [cells[0]]))
                if max != .optimal(Double(1 + n + thread)) { results.fail() }
            }
        }
        #expect(results.failures == 0)
    }
}

final class Results: @unchecked Sendable {
    private let lock = DispatchQueue(label: "results")
    private var count = 0
    func fail() { lock.sync { count += 1 } }
    var failures: Int { lock.sync { count } }
}
