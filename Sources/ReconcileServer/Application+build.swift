import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import ReconcileCore
import ReconcileReports
import ReconcileStore
import Sodium

/// Everything the application needs, opened by the caller (the CLI or a test) so that tests can pass an
/// in-memory database and ephemeral keys.
public struct AppConfiguration: Sendable {
    public var settings: Settings
    public var database: AppDatabase
    public var keys: KeyRing
    /// Every capability's store over `database` and `keys`.
    public var stores: Stores { Stores(database: database, keys: keys) }
    public var logger: Logger
    /// The signposting directory (`policies/services.json`).
    public var directory: ServiceDirectory
    public var sessionPolicy: StaffSessionPolicy
    /// Erasure cooling-off and closed-case retention (`policies/retention.json`).
    public var retention: RetentionPolicy
    public var portalPolicy: PortalSessionPolicy
    /// Disclosure control for released reports (`policies/disclosure.json`).
    public var disclosure: DisclosurePolicy
    /// Which practice-record fields each case step must carry (`policies/recording.json`).
    public var recording = RecordingPolicy()
    /// Each area's words for the levels of need (`policies/levels.json`).
    public var levelLabels = LevelLabels()
    /// Each area's children's services numbers (`policies/areas.json`), on every public page beside 999.
    public var areaContacts = AreaContacts()
    /// Which children the service is for, and where to send anyone else (`policies/intake.json`).
    public var intakePolicy = IntakePolicy()
    /// The partner's words for the coded experience themes (`policies/themes.json`).
    public var themeLabels = ThemeLabels()
    /// Run the retention sweep inside the server (daily); `serve` turns it on, tests leave it off.
    public var runRetentionDaily = false
    /// The key shipped backups are encrypted under; `serve` sets it when `backup.target_dir` is set, and the
    /// backup service runs only then.
    public var backupKey: BackupKey?
    /// The family notice's sender name and subject (`policies/notifications.json`). Mail goes only when `mail.host` is set.
    public var familyNotice = FamilyNoticePolicy()
    /// The time sessions and sign-in codes are checked against. The wall clock in service; a test moves its own
    /// clock past an idle limit or to the start of a code's step instead of sleeping.
    public var clock: @Sendable () -> Date = { Date() }

    public init(settings: Settings, database: AppDatabase, keys: KeyRing, directory: ServiceDirectory,
                retention: RetentionPolicy = .init(), disclosure: DisclosurePolicy = .init(), sessionPolicy: StaffSessionPolicy = .init(),
                portalPolicy: PortalSessionPolicy = .init(), logger: Logger = Logger(label: "reconcile")) {
        self.settings = settings
        self.database = database
        self.keys = keys
        self.directory = directory
        self.sessionPolicy = sessionPolicy
        self.retention = retention
        self.disclosure = disclosure
        self.portalPolicy = portalPolicy
        self.logger = logger
    }
}

/// Builds the application; the executable runs it, tests drive it with Hummingbird's testing client.
public func buildApplication(configuration: AppConfiguration) throws -> some ApplicationProtocol {
    // Read once here: a machine without the tz database then stops at start, never at a family's request.
    _ = WorkingDays.timeZone
    let backup = configuration.settings.backup
    let backupHealth = configuration.backupKey.map { _ in BackupHealth(interval: TimeInterval(backup.intervalSeconds)) }
    let router = try buildRouter(configuration: configuration, backupHealth: backupHealth)
    var services: [any ServiceLifecycle.Service] = [IntakeCommitService(stores: configuration.stores)]
    if configuration.runRetentionDaily {
        services.append(RetentionService(stores: configuration.stores, policy: configuration.retention,
                                         logger: configuration.logger))
        services.append(SealedCopyPurge(stores: configuration.stores, logger: configuration.logger))
    }
    if let key = configuration.backupKey, let backupHealth {
        // First in the list: services stop in reverse order, so the final backup comes after every queued
        // referral has been committed.
        services.insert(BackupService(database: configuration.database, target: ShippedBackups(directory: URL(fileURLWithPath: backup.targetDir)),
                                      key: key, ageing: BackupAgeing(keep: backup.keep, keepDays: backup.keepDays),
                                      health: backupHealth, logger: configuration.logger), at: 0)
    }
    if configuration.settings.mail.enabled {
        services.append(try mailService(configuration))
    }
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.settings.server.host, port: configuration.settings.server.port),
            serverName: "reconcile"
        ),
        services: services,
        logger: configuration.logger
    )
}

func buildRouter(configuration: AppConfiguration, backupHealth: BackupHealth? = nil) throws -> Router<AppRequestContext> {
    let settings = configuration.settings
    let secure = settings.server.publicUrl.lowercased().hasPrefix("https://")
    let pages = try Pages.load(areaContacts: configuration.areaContacts, cookies: SessionCookies(secure: secure))
    let metrics = ServiceMetrics()
    configuration.stores.intake.setIntakeQueueLimit(settings.limits.intakeQueue)
    // Argon2id (staff passwords, and family passphrases stored before keyed verifiers) runs only here:
    // a few threads of its own with a bounded queue, never on the cooperative executor.
    let slowWork = SlowWorkPool(workers: settings.security.hashWorkers, queueLimit: settings.security.hashQueue, name: "argon2")
    let hasher = PasswordHasher(cost: settings.security.argon2Limits, pool: slowWork)
    let intake = IntakeService(stores: configuration.stores, settings: settings, metrics: metrics,
                               policy: configuration.intakePolicy)
    // One limiter for both intake routes: the JSON API and the form share the per-address budget.
    let intakeLimiter = RateLimiter(limit: settings.limits.intakePerMinute, window: 60, clock: configuration.clock)
    let csrf = CSRFProtection(
        key: configuration.keys.csrfKey,
        cookies: SessionCookies(secure: secure), publicURL: settings.server.publicUrl)

    let router = Router(context: AppRequestContext.self)
    // Outermost first: headers go on every response, errors included.
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: secure))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ClientAddressMiddleware(trustedProxies: Set(settings.server.trustedProxies)))
    let routeMethods = RouteMethods()
    router.add(middleware: ErrorMiddleware(logger: configuration.logger, pages: pages, routeMethods: routeMethods))
    router.add(middleware: BodyLimitMiddleware(maxBytes: settings.limits.maxBodyBytes))
    HealthController(database: configuration.database, backupHealth: backupHealth,
                     mailHealth: settings.mail.enabled ? MailHealthCheck(stores: configuration.stores,
                                                                         alertAfter: TimeInterval(settings.mail.alertAfterSeconds)) : nil)
        .addRoutes(to: router.group())
    MetricsController(metrics: metrics, stores: configuration.stores, settings: settings, backupHealth: backupHealth)
        .addRoutes(to: router.group())
    try OpenAPIController.load().addRoutes(to: router.group())
    try StaticController.load().addRoutes(to: router.group())
    IntakeController(intake: intake, limiter: intakeLimiter, maxBodyBytes: settings.limits.maxBodyBytes)
        .addRoutes(to: router.group())
    PublicPagesController(intake: intake, pages: pages, csrf: csrf, limiter: intakeLimiter, maxBodyBytes: settings.limits.maxBodyBytes)
        .addRoutes(to: router.group())

    // Staff: sign-in is open (throttled); case routes admit practitioners and leads only, and the store
    // further limits practitioners to their assigned cases. Admin and council never reach case content.
    let (stores, keys, policy) = (configuration.stores, configuration.keys, configuration.sessionPolicy)
    // A family's idle limit is a setting (`limits.portal_idle_minutes`); the absolute lifetime stays the policy's.
    let portalPolicy = PortalSessionPolicy(idle: TimeInterval(settings.limits.portalIdleMinutes * 60),
                                           absolute: configuration.portalPolicy.absolute)
    func resolver(_ party: TokenResolver.Party, _ carrier: TokenResolver.Carrier = .bearer, signIn: (@Sendable (Request) -> String)? = nil,
                  kit: StaffPageKit? = nil) -> TokenResolver {
        TokenResolver(stores: stores, staffPolicy: policy, portalPolicy: portalPolicy, party: party,
                      carrier: carrier, clock: configuration.clock, signIn: signIn, kit: kit)
    }
    let loginThrottle = RateLimiter(limit: settings.limits.loginFailures, window: TimeInterval(settings.limits.loginWindowMinutes * 60),
                                    clock: configuration.clock)
    StaffSessionController(stores: stores, settings: settings, throttle: loginThrottle, hasher: hasher, policy: policy,
                           secureCookies: secure, clock: configuration.clock)
        .addRoutes(to: router.group())
    let caseRoutes = router.group("api/v1/cases")
        .add(middleware: resolver(.staff([.practitioner, .lead])))
        .group(context: StaffRequestContext.self)
    // One action layer: the API and the pages run the same case steps.
    let actions = CaseActions(stores: stores, rules: StepRules(directory: configuration.directory, recording: configuration.recording,
                                                               councilAreas: settings.areas.councilAreas),
                              clock: configuration.clock)
    let caseWords = CaseWords(levels: configuration.levelLabels, themes: configuration.themeLabels)
    CasesController(stores: stores, settings: settings, directory: configuration.directory, actions: actions, words: caseWords)
        .addRoutes(to: caseRoutes)
    StaffReferralController(intake: intake, maxBodyBytes: settings.limits.maxBodyBytes).addRoutes(to: caseRoutes)
    let serviceRoutes = router.group("api/v1/services")
        .add(middleware: resolver(.staff([.practitioner, .lead, .admin])))
        .group(context: StaffRequestContext.self)
    ServicesController(directory: configuration.directory).addRoutes(to: serviceRoutes)
    // Email alerts: each practitioner and lead chooses theirs (API here, the page with the staff pages below).
    let notifications = NotificationsController(stores: stores, councilAreas: settings.areas.councilAreas,
                                                mailOn: settings.mail.enabled, maxBody: settings.limits.maxBodyBytes)
    notifications.addRoutes(api: router.group("api/v1/staff").add(middleware: resolver(.staff([.practitioner, .lead])))
        .group(context: StaffRequestContext.self))

    // Council officers: released reports for their own area only. Leads: themes, previews and releases, and every
    // released report. Every format is made from the signed bytes, in the words of the catalogue and the area.
    _ = try WordCatalogue.load()   // a broken word catalogue stops `serve` at start, not a page later
    let downloads = ReportDownloads(settings: settings, levels: configuration.levelLabels)
    CouncilController.addPublicKeyRoute(to: router.group(), keys: keys)
    CouncilController(stores: stores, downloads: downloads).addRoutes(
        to: router.group("api/v1/council").add(middleware: resolver(.council))
            .group(context: CouncilRequestContext.self))
    let leadOnly = resolver(.staff([.lead]))
    let offerRounds = OfferRoundsController(stores: stores, councilAreas: settings.areas.councilAreas,
                                            maxBody: settings.limits.maxBodyBytes)
    offerRounds.addRoutes(to: router.group("api/v1/offer-rounds").add(middleware: leadOnly).group(context: StaffRequestContext.self))
    let complaints = ComplaintsController(stores: stores, councilAreas: settings.areas.councilAreas,
                                          maxBody: settings.limits.maxBodyBytes)
    complaints.addRoutes(to: router.group("api/v1/complaints").add(middleware: leadOnly).group(context: StaffRequestContext.self))
    ReportsController(stores: stores, settings: settings, policy: configuration.disclosure, downloads: downloads).addRoutes(
        themes: router.group("api/v1/themes").add(middleware: leadOnly).group(context: StaffRequestContext.self),
        reports: router.group("api/v1/reports").add(middleware: leadOnly).group(context: StaffRequestContext.self))
    // The records check: leads only; every view audited by the store.
    RecordsCheckController(stores: stores, settings: settings, recording: configuration.recording)
        .addRoutes(to: router.group("api/v1/records-check").add(middleware: leadOnly).group(context: StaffRequestContext.self))

    // The family portal: its own token table, throttle and cookie; API by bearer token, pages by cookie + CSRF.
    let portal = PortalService(
        stores: stores, policy: portalPolicy, retention: configuration.retention,
        throttle: RateLimiter(limit: settings.limits.loginFailures, window: TimeInterval(settings.limits.loginWindowMinutes * 60),
                              clock: configuration.clock),
        pool: slowWork, secureCookies: secure, maxBody: settings.limits.maxBodyBytes, messagesPerDay: settings.limits.familyMessagesPerDay)
    let portalAPI = router.group("api/v1/portal")
    let familyAPI = portalAPI.group().add(middleware: resolver(.family)).group(context: FamilyRequestContext.self)
    PortalController(portal: portal, pages: pages).addRoutes(public: portalAPI, signedIn: familyAPI)
    let familyPages = router.group("portal").add(middleware: resolver(.family, .cookie(portal.cookieName), signIn: { _ in "/portal" }))
        .group(context: FamilyRequestContext.self)
    PortalPagesController(portal: portal, pages: pages, csrf: csrf).addRoutes(public: router.group(), signedIn: familyPages)
    // Feedback and complaints from the family: the same signed-in groups.
    let feedback = PortalFeedbackController(portal: portal, quarterStartMonth: settings.reporting.quarterStartMonth,
                                            complaintsPerDay: settings.limits.familyComplaintsPerDay,
                                            feedbackPerDay: settings.limits.familyFeedbackPerDay)
    feedback.addRoutes(api: familyAPI)
    PortalFeedbackPagesController(feedback: feedback, pages: pages, csrf: csrf).addRoutes(to: familyPages)
    PortalVoiceController(portal: portal, pages: pages, csrf: csrf, minimumPerRelease: settings.voices.minimumPerRelease)
        .addRoutes(api: familyAPI, pages: familyPages)
    let voices = VoicesController(stores: stores, councilAreas: settings.areas.councilAreas,
                                  schoolNames: configuration.disclosure.localSchoolNames, quarterStartMonth: settings.reporting.quarterStartMonth,
                                  maxBody: settings.limits.maxBodyBytes)
    voices.addRoutes(to: router.group("api/v1/voices").add(middleware: leadOnly).group(context: StaffRequestContext.self))

    // MARK: staff and council pages (StaffPagesController, CouncilPagesController)
    // Pages take the staff session COOKIE (the API takes only the bearer header) and check CSRF on every POST.
    do {
        let session = StaffSessionController(stores: stores, settings: settings, throttle: loginThrottle,
                                             hasher: hasher, policy: policy, secureCookies: secure, clock: configuration.clock)
        let kit = StaffPageKit(pages: pages, csrf: csrf, maxBody: settings.limits.maxBodyBytes)
        func pageAuth(_ roles: Set<StaffRole>) -> TokenResolver {
            resolver(.staff(roles), .cookie(session.cookieName), signIn: { $0.uri.path.hasPrefix("/council") ? "/council/sign-in" : "/staff/sign-in" },
                     kit: kit)
        }
        let desk = MyWorkController(stores: stores, settings: settings, kit: kit)
        desk.addRoutes(api: router.group("api/v1/my-work").add(middleware: resolver(.staff([.practitioner, .lead])))
            .group(context: StaffRequestContext.self))
        ReassignController(stores: stores, kit: kit).addRoutes(
            api: router.group("api/v1/staff").add(middleware: leadOnly).group(context: StaffRequestContext.self),
            pages: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        StaffPagesController(stores: stores, settings: settings, directory: configuration.directory,
                             disclosure: configuration.disclosure, session: session, kit: kit, actions: actions, words: caseWords, desk: desk).addRoutes(
            root: router.group(),
            signedIn: router.group("staff").add(middleware: pageAuth([.practitioner, .lead, .admin, .council])).group(context: StaffRequestContext.self),
            workers: router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self),
            leads: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        // A new passphrase for a family who lost theirs: the API beside the other case routes, the page beside the case page.
        PassphraseReissue(stores: stores, perDay: settings.limits.passphraseReissuesPerDay)
            .addRoutes(api: caseRoutes,
                       pages: router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self),
                       kit: kit, acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays)
        // Search (API and page): practitioners and leads; names are opened on the slow-work pool.
        SearchController(stores: stores, pool: slowWork, kit: kit).addRoutes(
            api: router.group("api/v1/search").add(middleware: resolver(.staff([.practitioner, .lead]))).group(context: StaffRequestContext.self),
            pages: router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self))
        ChronologyController(stores: stores, directory: configuration.directory, kit: kit,
                             acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self))
        DiaryController(stores: stores, kit: kit, clock: configuration.clock)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self))
        StaffReferralPagesController(intake: intake, kit: kit)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self))
        OfferRoundPagesController(rounds: offerRounds, kit: kit)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        ComplaintPagesController(complaints: complaints, kit: kit)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        VoicePagesController(voices: voices, kit: kit)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        TrendsController(stores: stores, kit: kit, words: downloads.words).addRoutes(
            api: router.group("api/v1/council").add(middleware: resolver(.council)).group(context: CouncilRequestContext.self),
            pages: router.group("council").add(middleware: pageAuth([.council])).group(context: CouncilRequestContext.self))
        notifications.addPages(router.group("staff").add(middleware: pageAuth([.practitioner, .lead])).group(context: StaffRequestContext.self),
                               kit: kit)
        RecordsCheckPagesController(stores: stores, kit: kit, settings: settings, recording: configuration.recording)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        ReleasePagesController(stores: stores, settings: settings, policy: configuration.disclosure, downloads: downloads, kit: kit)
            .addRoutes(to: router.group("staff").add(middleware: pageAuth([.lead])).group(context: StaffRequestContext.self))
        CouncilPagesController(stores: stores, kit: kit, downloads: downloads, startMonth: settings.reporting.quarterStartMonth)
            .addRoutes(to: router.group("council").add(middleware: pageAuth([.council])).group(context: CouncilRequestContext.self))
    }
    routeMethods.fill(router.routes.map { (method: $0.method.rawValue, path: "\($0.path)") })
    return router
}
