import ReconcileCore
import Testing

/// The bit order of multi-select answers is stored in every database: these lists pin it, so reordering or
/// removing a case (which would silently move counts between categories) fails here. New cases go at the end.
@Suite struct AnswerBitsTests {
    @Test func theStoredBitOrderIsPinned() {
        #expect(Harm.allCases.map(\.rawValue) == [
            "sexual_harassment", "online_or_image_based", "sexual_assault", "rape_or_assault_by_penetration",
            "other_harmful_sexual_behaviour", "prefer_not_to_say",
        ])
        #expect(ToldBefore.allCases.map(\.rawValue) == [
            "school", "police", "council_or_social_care", "health", "none", "prefer_not_to_say",
        ])
        #expect(Wish.allCases.map(\.rawValue) == [
            "to_be_listened_to", "counselling", "independent_legal_advice", "education_support", "emotional_support",
            "social_support", "reconciliation_meeting", "information_only",
        ])
        #expect(Need.allCases.map(\.rawValue) == [
            "counselling", "independent_legal_advice", "education_support", "emotional_support", "social_support",
            "specialist_sexual_violence_support", "online_safety", "mental_health", "family_support", "information",
        ])
    }

    @Test func bitIIsTheIthAnswer() {
        #expect(Harm.sexualHarassment.answerBit == 1)
        #expect(Harm.preferNotToSay.answerBit == 32)
        #expect(Need.information.answerBit == 512)
        #expect(Wish.answerBits([.counselling, .informationOnly, .counselling]) == 2 | 128)
        #expect(ToldBefore.answerBits([]) == 0)
    }

    @Test func everySubsetRoundTrips() {
        for bits in Int64(0)..<(1 << Int64(Need.allCases.count)) {
            let answers = Need.answers(fromBits: bits)
            #expect(Need.answerBits(answers) == bits)
            #expect(answers == Need.allCases.filter(answers.contains), "list order")
        }
    }
}
