import Foundation
import Testing
@testable import ReconcileStore

/// Slow work runs on a few threads of its own with a bounded queue; beyond it, callers are refused at once.
@Suite struct SlowWorkPoolTests {
    @Test func aBurstGetsWorkersPlusQueueAndTheRestAreRefusedAtOnce() async throws {
        let pool = SlowWorkPool(workers: 2, queueLimit: 3)
        let started = Date()
        let results = await withTaskGroup(of: (Bool, TimeInterval).self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let t0 = Date()
                    do {
                        try await pool.run { Thread.sleep(forTimeInterval: 0.2) }
                        return (true, Date().timeIntervalSince(t0))
                    } catch {
                        #expect(error is SlowWorkPoolFull)
                        return (false, Date().timeIntervalSince(t0))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.0).count == 5, "2 running + 3 waiting")
        #expect(pool.peakConcurrency == 2)
        // Refusals did not wait for the work in front of them.
        #expect(results.filter { !$0.0 }.allSatisfy { $0.1 < 0.2 })
        #expect(Date().timeIntervalSince(started) >= 0.6, "three rounds of 0.2 s on two threads")
    }

    /// Every worker blocked (as Argon2id blocks a thread for most of a second) leaves the cooperative
    /// executor free: other async work goes on. If jobs ran on the executor's threads (one per core), this
    /// test would hang and hit its time limit.
    @Test(.timeLimit(.minutes(1))) func blockingEveryWorkerLeavesTheExecutorFree() async throws {
        let width = ProcessInfo.processInfo.activeProcessorCount
        let pool = SlowWorkPool(workers: width, queueLimit: 0)
        let gate = DispatchSemaphore(value: 0)
        let blocked = (0..<width).map { _ in Task { try await pool.run { gate.wait() } } }
        while pool.peakConcurrency < width { try await Task.sleep(for: .milliseconds(5)) }
        let sum = await withTaskGroup(of: Int.self) { group in
            for n in 1...200 { group.addTask { try? await Task.sleep(for: .milliseconds(1)); return n } }
            return await group.reduce(0, +)
        }
        #expect(sum == 20_100)
        // Full: one more is refused at once.
        await #expect(throws: SlowWorkPoolFull.self) { try await pool.run { 1 } }
        for _ in 0..<width { gate.signal() }
        for task in blocked { try await task.value }
    }

    @Test func errorsComeBackAndThePoolCarriesOn() async throws {
        struct Boom: Error {}
        let pool = SlowWorkPool(workers: 1, queueLimit: 1)
        await #expect(throws: Boom.self) { try await pool.run { throw Boom() } }
        #expect(try await pool.run { 41 + 1 } == 42)
    }
}
