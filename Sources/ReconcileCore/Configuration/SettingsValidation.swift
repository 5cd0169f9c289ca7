import Foundation

/// The ranges and shapes each setting must have; a refusal names the setting and what it must be.
extension Settings {
    /// Refuses settings that would make the service unsafe or meaningless, naming the setting.
    public func validate() throws {
        guard (1...65_535).contains(server.port) else { throw SettingsError("server.port must be 1–65535") }
        guard (1...4_096).contains(database.cacheMib) else { throw SettingsError("database.cache_mib must be 1–4096") }
        guard (0...65_536).contains(database.mmapMib) else { throw SettingsError("database.mmap_mib must be 0 (off) to 65536") }
        guard limits.intakePerMinute >= 0, limits.loginFailures >= 0 else {
            throw SettingsError("limits must be 0 (unlimited) or more")
        }
        guard limits.loginWindowMinutes >= 1 else { throw SettingsError("limits.login_window_minutes must be at least 1") }
        guard (1_024...10_485_760).contains(limits.maxBodyBytes) else {
            throw SettingsError("limits.max_body_bytes must be between 1024 and 10485760")
        }
        guard (1...1_440).contains(limits.formReplayMinutes) else {
            throw SettingsError("limits.form_replay_minutes must be 1–1440 (the JSON API's Idempotency-Key keeps 24 hours)")
        }
        guard (0...30).contains(workflow.acknowledgementWorkingDays) else {
            throw SettingsError("workflow.acknowledgement_working_days must be 0–30")
        }
        guard (1...365).contains(workflow.signpostFollowUpDays) else {
            throw SettingsError("workflow.signpost_follow_up_days must be 1–365")
        }
        guard (2...50).contains(voices.minimumPerRelease) else {
            throw SettingsError("voices.minimum_per_release must be 2–50 (one statement alone would stand out)")
        }
        guard (1...12).contains(reporting.quarterStartMonth) else {
            throw SettingsError("reporting.quarter_start_month must be 1–12")
        }
        guard (1...365).contains(reporting.releaseDaysAfterQuarter) else {
            throw SettingsError("reporting.release_days_after_quarter must be 1–365")
        }
        guard (1...200).contains(reporting.contact.count), !reporting.contact.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SettingsError("reporting.contact must be 1–200 characters with no control characters")
        }
        guard !areas.councilAreas.isEmpty,
              areas.councilAreas.allSatisfy({ $0.range(of: "^[a-z][a-z0-9_]{1,63}$", options: .regularExpression) != nil }),
              Set(areas.councilAreas).count == areas.councilAreas.count else {
            throw SettingsError("areas.council_areas must be a non-empty list of distinct lower_snake_case names")
        }
        guard (1...100_000).contains(limits.intakeQueue) else { throw SettingsError("limits.intake_queue must be 1–100000") }
        guard (0...100).contains(limits.familyComplaintsPerDay) else {
            throw SettingsError("limits.family_complaints_per_day must be 0 (unlimited) to 100")
        }
        guard (0...1_000).contains(limits.familyMessagesPerDay) else {
            throw SettingsError("limits.family_messages_per_day must be 0 (unlimited) to 1000")
        }
        guard (0...100).contains(limits.familyFeedbackPerDay) else {
            throw SettingsError("limits.family_feedback_per_day must be 0 (unlimited) to 100")
        }
        guard (1...120).contains(limits.portalIdleMinutes) else {
            throw SettingsError("limits.portal_idle_minutes must be 1–120 (a session also ends 2 hours after sign-in)")
        }
        guard (0...100).contains(limits.passphraseReissuesPerDay) else {
            throw SettingsError("limits.passphrase_reissues_per_day must be 0 (unlimited) to 100")
        }
        guard (0...64).contains(security.hashWorkers) else { throw SettingsError("security.hash_workers must be 0 (automatic) to 64") }
        guard (0...10_000).contains(security.hashQueue) else { throw SettingsError("security.hash_queue must be 0–10000") }
        guard metrics.token.isEmpty || metrics.token.utf8.count >= 24 else {
            throw SettingsError("metrics.token must be empty or at least 24 characters")
        }
        guard (1...86_400).contains(backup.intervalSeconds) else { throw SettingsError("backup.interval_seconds must be 1–86400") }
        guard backup.keep >= 1 else { throw SettingsError("backup.keep must be at least 1") }
        guard (0...3_650).contains(backup.keepDays) else { throw SettingsError("backup.keep_days must be 0–3650") }
        guard backup.targetDir.isEmpty || backup.targetDir.hasPrefix("/") else {
            throw SettingsError("backup.target_dir must be an absolute path (or empty for no shipped backups)")
        }
        try validateMail()
    }

    private func validateMail() throws {
        guard (1...65_535).contains(mail.port) else { throw SettingsError("mail.port must be 1–65535") }
        guard (1...604_800).contains(mail.alertAfterSeconds) else { throw SettingsError("mail.alert_after_seconds must be 1–604800") }
        guard (1...86_400).contains(mail.retryMaxSeconds) else { throw SettingsError("mail.retry_max_seconds must be 1–86400") }
        guard (0...23).contains(mail.digestHour) else { throw SettingsError("mail.digest_hour must be 0–23") }
        guard mail.passwordFile.isEmpty || mail.passwordFile.hasPrefix("/") else { throw SettingsError("mail.password_file must be an absolute path") }
        guard mail.tlsCaFile.isEmpty || mail.tlsCaFile.hasPrefix("/") else { throw SettingsError("mail.tls_ca_file must be an absolute path") }
        guard mail.enabled else { return }
        // One address, no display name or line breaks: it goes into MAIL FROM and the From header as it is.
        guard mail.from.range(of: "^[^@\\s<>\"]+@[^@\\s<>\"]+$", options: .regularExpression) != nil else {
            throw SettingsError("mail.from must be one email address when mail.host is set")
        }
        guard mail.username.isEmpty == mail.passwordFile.isEmpty else {
            throw SettingsError("mail.username and mail.password_file go together (both set, or both empty)")
        }
    }
}
