/// A small deterministic generator (SplitMix64). Its output for a seed never changes, unlike the standard
/// library's `random(in:using:)` algorithms, which may.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in the closed range.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One of `choices`, each with its weight.
    mutating func weighted<T>(_ choices: [(T, Double)]) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (value, weight) in choices {
            if x < weight { return value }
            x -= weight
        }
        return choices[choices.count - 1].0
    }

    /// `count` distinct elements of `pool`, in pool order.
    mutating func distinct<T>(_ pool: [T], count: Int) -> [T] {
        var indices = Array(pool.indices)
        var chosen: [Int] = []
        for _ in 0..<min(count, pool.count) { chosen.append(indices.remove(at: int(0...(indices.count - 1)))) }
        return chosen.sorted().map { pool[$0] }
    }
}
