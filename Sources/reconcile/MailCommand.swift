import ArgumentParser
import Foundation
import ReconcileCore
import ReconcileServer

struct Mail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notification mail.", subcommands: [MailTest.self])
}

struct MailTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send one test message through the relay in mail.* settings, now (not through the outbox).")

    @OptionGroup var config: ConfigOption
    @Option(help: "Where to send it.") var to: String

    func run() async throws {
        let settings = try config.load()
        guard settings.mail.enabled else { throw CommandFailure("mail is off: mail.host is empty") }
        do {
            try await sendTestMail(settings: settings, to: to)
        } catch {
            throw CommandFailure("test message not sent: \(describeMailError(error))")
        }
        print("sent a test message through \(settings.mail.host):\(settings.mail.port)")
    }
}
