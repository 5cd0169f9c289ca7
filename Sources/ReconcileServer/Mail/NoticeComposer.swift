import Foundation
import ReconcileCore
import ReconcileStore

/// A message as it goes to the relay: envelope and RFC 5322 text.
struct ComposedMail: Sendable {
    let from: String
    let to: String
    /// Header and body lines joined by CRLF, without the final "." (the SMTP client dot-stuffs and ends it).
    let text: String
}

/// Writes each kind of notice. Subjects and bodies are fixed text and a link: no name, story, contact detail or
/// reference can reach a message, because nothing from a case is ever handed to this type (only counts, for
/// the digest, and the address it goes to).
struct NoticeComposer: Sendable {
    let from: String
    let publicURL: String
    let family: FamilyNoticePolicy

    /// The digest's body is padded to this many bytes, so its size does not say how much happened.
    static let digestBytes = 1_500

    func compose(_ mail: OutgoingMail, now: Date = Date()) -> ComposedMail {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let link = { (path: String) in base.isEmpty ? "Sign in to Reconcile as usual." : "Sign in to see it: \(base)\(path)" }
        let settingsLine = base.isEmpty ? "" : "Choose which emails you get: \(base)/staff/notifications"
        let footer = ["", "This email holds no details of any case, by design.", settingsLine]
        let senderName: String, subject: String, body: [String]
        switch mail.kind {
        case .newReferral:
            (senderName, subject) = ("Reconcile", "A new referral is waiting in Reconcile")
            body = ["A new referral is waiting in Reconcile.", "", link("/staff/cases")] + footer
        case .familyReply:
            (senderName, subject) = ("Reconcile", "A reply is waiting in Reconcile")
            body = ["A family has replied on a case of yours in Reconcile.", "", link("/staff/cases")] + footer
        case .overdue:
            (senderName, subject) = ("Reconcile", "Acknowledgements are overdue in Reconcile")
            body = ["Some referrals have waited past the acknowledgement target.", "", link("/staff/cases?overdue=true")] + footer
        case .digest:
            let c = mail.digest ?? DigestCounts(newReferrals: 0, replies: 0, overdue: 0)
            (senderName, subject) = ("Reconcile", "Your daily Reconcile summary")
            body = ["Your daily summary from Reconcile (sent every day at the same time, whatever happened).", "",
                    "New referrals in the last day: \(c.newReferrals)", "Replies waiting for you: \(c.replies)",
                    "Acknowledgements overdue: \(c.overdue)", "", link("/staff/cases")] + footer
        case .familyNotice:
            let words = Catalogues[mail.language]
            let english = mail.language == .english
            let named = mail.namesService
            senderName = named ? family.serviceName : (english ? family.senderName : nil) ?? words["mail_notice_sender"]
            // A reminder says only that there is one: never the day, the time or what it is for.
            subject = mail.reminder ? words["mail_reminder_subject"] : (english ? family.subject : nil) ?? words["mail_notice_subject"]
            let waiting = mail.reminder ? (named ? words.text("mail_reminder_waiting_named", ["service": family.serviceName]) : words["mail_reminder_waiting"])
                : (named ? words.text("mail_notice_waiting_named", ["service": family.serviceName]) : words["mail_notice_waiting"])
            body = [waiting, "",
                    base.isEmpty ? words["mail_notice_sign_in"] : words.text("mail_notice_sign_in_at", ["portal": "\(base)/portal" + (english ? "" : "?lang=\(mail.language.rawValue)")]), "",
                    words["mail_notice_asked"]]
        }
        var text = body.joined(separator: "\r\n")
        if mail.kind == .digest { text = Self.pad(text, to: Self.digestBytes) }
        let domain = from.split(separator: "@").last.map(String.init) ?? "reconcile.invalid"
        let headers = [
            "From: \(Self.encodedWord(senderName)) <\(from)>",
            "To: <\(mail.address)>",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(now))",
            // The outbox id: a relay or mailbox that sees the same message twice (a crash after the relay took it
            // but before we recorded that) can tell.
            "Message-ID: <\(mail.id)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "Auto-Submitted: auto-generated",
        ]
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return ComposedMail(from: from, to: mail.address, text: headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded)
    }

    /// Pads with blank lines and spaces to exactly `bytes` (longer text is left as it is).
    static func pad(_ text: String, to bytes: Int) -> String {
        var missing = bytes - text.utf8.count
        guard missing > 0 else { return text }
        var padded = text
        while missing > 0 {
            let line = min(missing, 72)
            padded += line == 1 ? " " : "\r\n" + String(repeating: " ", count: line - 2)
            missing -= line
        }
        return padded
    }

    /// RFC 2047 for any non-ASCII header text; plain ASCII as it is.
    static func encodedWord(_ text: String) -> String {
        text.unicodeScalars.allSatisfy({ $0.isASCII }) ? text : "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}
