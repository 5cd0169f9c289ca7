/// Where a referral has got to, in plain and kind words for the family reading the portal (SPEC "People and
/// roles": "see the stage in plain words"). Written for a parent who may be frightened or exhausted: no
/// internal codes, no staff names or notes, nothing about safeguarding, nothing that blames them.
public enum StageText {
    public static func forFamily(_ stage: Stage, closeReason: CloseReason?) -> String {
        switch stage {
        case .received:
            "We have your message safely. Someone from the partner organisation will be in touch soon."
        case .acknowledged:
            "Someone from the partner organisation has been in touch. The next step is a time to talk, "
                + "when and how it suits you."
        case .listening:
            "We are listening. There can be as many conversations as you need, and nothing is rushed."
        case .assessed:
            "We have thought with you about what help would be most useful. Next we will share some "
                + "services that could support you."
        case .signposted:
            "We have shared details of services that could help. We are still here if you would like to talk "
                + "about how that is going."
        case .closed:
            closed(closeReason)
        }
    }

    private static func closed(_ reason: CloseReason?) -> String {
        let stillHere = "You can still send us a message here at any time."
        switch reason {
        case .withdrawn:
            return "You asked us to stop, and we have. Thank you for letting us know. " + stillHere
        case .noContact:
            return "We have not been able to reach you, so we have stopped for now. If you would like to talk, "
                + "please send us a message here."
        case .declined:
            return "You told us you did not want support just now, so we have stopped. " + stillHere
        case .transferred:
            return "Your referral has been passed to another service that is better placed to help. " + stillHere
        case .completed, nil:
            return "Our work together has come to an end. Thank you for trusting us. " + stillHere
        }
    }
}
