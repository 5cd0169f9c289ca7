import Foundation
import Logging
import ReconcileCore
import ReconcileStore
import ServiceLifecycle

/// Sends the outbox. Every second it takes the messages that are due, opens one conversation with the relay and
/// hands them over one by one, marking each sent as soon as the relay has taken it (250 after DATA). A message
/// that fails waits (5 s, doubling, up to `mail.retry_max_seconds`) and is tried again; a 5xx refusal is final.
/// A crash loses nothing (the rows are committed with their events); the one duplicate it can cause is a message
/// the relay took in the instant before it was marked, and that carries the same Message-ID.
struct MailService: ServiceLifecycle.Service {
    let stores: Stores
    let relay: SMTPRelay
    let composer: NoticeComposer
    let settings: Settings
    let logger: Logger
    var pollInterval: Duration = .seconds(1)

    func run() async throws {
        // This process owns the outbox: whatever a killed one had claimed goes now.
        do { try await stores.mail.releaseMailClaims() } catch {
            logger.error("outbox claims not released", metadata: ["error.type": "\(type(of: error))"])
        }
        var lastDailyCheck = Date.distantPast
        while true {
            do {
                let pause = pollInterval
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return
            }
            if Task.isCancelled { return }
            let now = Date()
            if now.timeIntervalSince(lastDailyCheck) >= 60 {
                lastDailyCheck = now
                await queueDailyIfDue(now)
            }
            await sendDue()
        }
    }

    /// After `mail.digest_hour` (London) the day's digests and overdue emails are queued, once per day and person, and
    /// the reminders of tomorrow's appointments, once per appointment.
    func queueDailyIfDue(_ now: Date) async {
        guard WorkingDays.londonHour(now) >= settings.mail.digestHour else { return }
        do {
            let queued = try await stores.mail.queueDailyMail(acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays, now: now)
            if queued > 0 { logger.info("daily mail queued", metadata: ["messages": "\(queued)"]) }
            // Families who asked for notices: a content-free reminder of each appointment tomorrow, once each.
            let reminders = try await stores.desk.queueAppointmentReminders(now: now)
            if reminders > 0 { logger.info("appointment reminders queued", metadata: ["messages": "\(reminders)"]) }
            try await stores.mail.pruneSentMail(now: now)
        } catch {
            logger.error("daily mail not queued; will try again", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// One pass over what is due. Returns how many were sent (tests).
    @discardableResult
    func sendDue(now: Date = Date()) async -> Int {
        let due: [OutgoingMail]
        do {
            due = try await stores.mail.dueMail(limit: 50, acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays, now: now)
        } catch {
            logger.error("outbox unreadable", metadata: ["error.type": "\(type(of: error))"])
            return 0
        }
        guard !due.isEmpty else { return 0 }
        let retryMax = TimeInterval(settings.mail.retryMaxSeconds)
        let session: SMTPSession
        do {
            session = try await SMTPSession.open(relay)
        } catch {
            let reason = (error as? SMTPError)?.description ?? "\(type(of: error))"
            logger.warning("mail relay unavailable; messages wait", metadata: ["reason": "\(reason)", "waiting": "\(due.count)"])
            for mail in due { try? await stores.mail.markMailFailed(id: mail.id, error: reason, permanent: false, retryMax: retryMax) }
            return 0
        }
        var sent = 0
        for (index, mail) in due.enumerated() {
            do {
                try await session.send(composer.compose(mail))
                try await stores.mail.markMailSent(id: mail.id)
                sent += 1
                logger.info("notice sent", metadata: ["mail.id": "\(mail.id)", "mail.kind": "\(mail.kind.rawValue)"])
            } catch let error as SMTPError where error.permanent {
                logger.error("relay refused a notice for good", metadata: ["mail.id": "\(mail.id)", "reason": "\(error)"])
                try? await stores.mail.markMailFailed(id: mail.id, error: error.description, permanent: true, retryMax: retryMax)
            } catch {
                // The conversation broke: this and the rest wait for the next try.
                let reason = (error as? SMTPError)?.description ?? "\(type(of: error))"
                logger.warning("mail relay failed mid-way; messages wait", metadata: ["reason": "\(reason)"])
                for rest in due[index...] { try? await stores.mail.markMailFailed(id: rest.id, error: reason, permanent: false, retryMax: retryMax) }
                break
            }
        }
        await session.close()
        return sent
    }
}

/// The relay's health as `/readyz` shows it: a warning once a message has been failing longer than the setting.
struct MailHealthCheck: Sendable {
    let stores: Stores
    let alertAfter: TimeInterval

    func warning(now: Date = Date()) async -> String? {
        guard let health = try? await stores.mail.mailHealth(now: now) else { return nil }
        return Self.alert(health, alertAfter: alertAfter, now: now)
    }

    static func alert(_ health: MailHealth, alertAfter: TimeInterval, now: Date) -> String? {
        guard let since = health.failingSince, now.timeIntervalSince(since) > alertAfter else { return nil }
        return "mail relay failing for \(Int(now.timeIntervalSince(since))) s (past mail.alert_after_seconds, \(Int(alertAfter)) s); "
            + "\(health.waiting) messages waiting"
    }
}

/// The outbox sender for `serve`, from `mail.*` settings and the notice policy.
func mailService(_ configuration: AppConfiguration) throws -> MailService {
    let settings = configuration.settings
    return MailService(stores: configuration.stores, relay: try SMTPRelay.from(settings.mail),
                       composer: NoticeComposer(from: settings.mail.from, publicURL: settings.server.publicUrl, family: configuration.familyNotice),
                       settings: settings, logger: configuration.logger)
}

/// `reconcile mail test --to ADDRESS`: one message straight to the relay (not through the outbox), so the operator
/// sees at once whether the settings work. It says only that it is a test.
public func sendTestMail(settings: Settings, to address: String) async throws {
    let relay = try SMTPRelay.from(settings.mail)
    let session = try await SMTPSession.open(relay)
    let id = UUID().uuidString.lowercased()
    let text = [
        "From: Reconcile <\(settings.mail.from)>", "To: <\(address)>", "Subject: Reconcile test message",
        "Date: \(NoticeComposer.rfc5322Date(Date()))", "Message-ID: <\(id)@\(settings.mail.from.split(separator: "@").last ?? "reconcile.invalid")>",
        "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Auto-Submitted: auto-generated", "",
        "This is a test message from Reconcile. Mail settings work.",
    ].joined(separator: "\r\n")
    do {
        try await session.send(ComposedMail(from: settings.mail.from, to: address, text: text))
    } catch {
        await session.close()
        throw error
    }
    await session.close()
}

/// A mail failure as one line for the CLI (codes and stages only).
public func describeMailError(_ error: any Error) -> String {
    (error as? SMTPError)?.description ?? (error as? SettingsError)?.description ?? "\(type(of: error))"
}
