import Foundation

/// The referral form's questions as a practitioner asks them on the family's behalf: the family's own form asks
/// "you", the staff page asks about "them". Laid over the English catalogue for the staff referral page only;
/// a key missing here keeps the family's wording.
enum StaffReferralWords {
    static let questions: [String: String] = [
        "q_name": "What would they like to be called?",
        "q_name_hint": "A first name or any name they like.",
        "q_email": "Their email address",
        "q_notify_by_email": "Email them when there is a message for them",
        "q_notify_by_email_hint": "Ask them first. The email says only that a message is waiting and nothing about them; they can turn it off in the portal.",
        "q_phone": "Their phone number",
        "q_address": "Their postal address",
        "q_preference": "How would they like to be contacted?",
        "q_safe_to_leave_message": "It is safe to leave them a message or voicemail",
        "q_safe_times": "When is it safe to contact them, and is there anything to be careful about?",
        "q_safe_times_hint": "For example: \u{201C}only after 6pm\u{201D}, or \u{201C}do not say where you are calling from\u{201D}.",
        "q_council_area": "Which council area does the family live in?",
        "q_referrer_role": "Who is the referral from?",
        "q_involvement_hint": "The service helps children who were harmed, children who saw it, and children who were accused of it or harmed someone else.",
        "q_parent_knows": "If a young person is referring themselves: does a parent or carer know?",
        "q_parent_knows_hint": "Leave this empty unless a young person is referring themselves.",
        "q_harm": "What kind of harm was it? Choose all that they describe.",
        "q_pattern": "What was it like? Choose any that they describe.",
        "q_pattern_hint": "Only if they want to say.",
        "q_told_before": "Have they told anyone about it before? Choose all that fit.",
        "q_wishes": "What would they like from the service? Choose all that fit.",
        "q_heard_from": "How did they hear about the service?",
        "q_story": "Is there anything they would like the partner to know?",
        "q_story_hint": "In their words, and only what they want to share. More is recorded after listening.",
        "q_story_no_pictures": "Do not accept or keep pictures or videos, or links to them: the service does not need them, and keeping them could harm the young person in them. If a nude or sexual picture of a young person has been shared, tell the family about Childline and the Internet Watch Foundation\u{2019}s \u{201C}Report Remove\u{201D}.",
        "q_access_help": "Would any of these help them take part? Choose any that fit.",
        "q_access_language": "The language they would like to use",
        "q_access_supporter": "Someone they would like with them when the partner talks with them",
        "q_access_other": "Anything else that would help them",
        "refer_about_title": "About the family and what happened",
        "refer_about_body": "These answers are only ever counted, never named. Choose \u{201C}I would rather not say\u{201D} whenever they prefer not to answer.",
        "refer_access_body": "Anything that would make it easier for them to talk with the partner. Only the partner sees this.",
        "refer_contact_title": "How the partner can contact them",
        "refer_equality_body": "These help the council see whether the service reaches everyone. They are only counted, and only kept if the family agrees below that their answers may be counted.",
    ]
}
