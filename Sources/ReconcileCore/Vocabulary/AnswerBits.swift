/// Multi-select answers (kinds of harm, told before, wishes, needs identified) are also stored as a bit set in
/// an INTEGER column, so one SQL pass can count every category with `SUM((bits >> i) & 1)` instead of walking
/// JSON arrays row by row.
///
/// Bit i is the i-th case of the list's `allCases`, the order the cases are declared in. That order is stored
/// data: never reorder or remove a case of `Harm`, `ToldBefore`, `Wish` or `Need`; add new ones at the end
/// (`AnswerBitsTests` pins today's order, and the v9 migration names it in SQL).
extension FixedList {
    /// This answer's bit.
    public var answerBit: Int64 {
        // Every value of a CaseIterable enum is in allCases; nil cannot happen, and would give no bit rather than trap.
        guard let index = Self.allCases.firstIndex(of: self) else { return 0 }
        return 1 << Int64(Self.allCases.distance(from: Self.allCases.startIndex, to: index))
    }

    /// The bit set of `answers` (a repeated answer sets its bit once).
    public static func answerBits(_ answers: some Sequence<Self>) -> Int64 {
        answers.reduce(0) { $0 | $1.answerBit }
    }

    /// The answers whose bits are set, in list order.
    public static func answers(fromBits bits: Int64) -> [Self] {
        Self.allCases.filter { bits & $0.answerBit != 0 }
    }
}
