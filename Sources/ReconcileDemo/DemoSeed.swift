import Foundation
import ReconcileCore
import ReconcileStore
import Sodium

// `reconcile demo seed`: synthetic referrals for trying the service, worked through realistic stages with the
// same workflow writes staff use (so every step has its event and audit row).
//
// Every contact value is obviously fictional: "Demo Parent 17", demo-17@example.invalid (the .invalid
// top-level domain can never be registered), 07700 900017 (Ofcom's range reserved for drama), "17 Example
// Street, Demotown". With a seed the statistical content (when each referral came in, its answers, and every
// step taken on it) is the same every time; ids, references and passphrase hashes are random as always.

/// What `seedDemo` was asked for.
public struct DemoSeedRequest: Sendable {
    public var cases: Int
    public var councilArea: String
    public var quarter: Quarter
    public var seed: UInt64
    public var quarterStartMonth: Int

    public init(cases: Int, councilArea: String, quarter: Quarter, seed: UInt64, quarterStartMonth: Int) {
        self.cases = cases
        self.councilArea = councilArea
        self.quarter = quarter
        self.seed = seed
        self.quarterStartMonth = quarterStartMonth
    }
}

public enum DemoSeedError: Error, Equatable, CustomStringConvertible {
    case invalidCount, unknownCouncilArea, quarterNotStarted

    public var description: String {
        switch self {
        case .invalidCount: "--cases must be between 1 and \(DemoSeed.maximumCases)"
        case .unknownCouncilArea: "the council area is not one of the configured council areas"
        case .quarterNotStarted: "that quarter has not started yet, so no referral can have been received in it"
        }
    }
}

public enum DemoSeed {
    public static let maximumCases = 10_000
    public static let leadEmail = "demo-lead@example.invalid"
}

extension Stores {
    /// Creates `request.cases` synthetic referrals received at random times within the quarter (up to `now`
    /// if the quarter is not over), worked through realistic stages by the demo lead account, which is created
    /// if missing (random password, never shown). Every step is dated inside the quarter. Returns the number
    /// of cases created.
    public func seedDemo(_ request: DemoSeedRequest, directory: ServiceDirectory, councilAreas: [String],
                         passwordCost: PasswordHash.Limits, now: Date = Date()) async throws -> Int {
        guard (1...DemoSeed.maximumCases).contains(request.cases) else { throw DemoSeedError.invalidCount }
        guard councilAreas.contains(request.councilArea) else { throw DemoSeedError.unknownCouncilArea }
        let start = request.quarter.start(startMonth: request.quarterStartMonth)
        // The last moment anything may be dated: the quarter's end or now, whichever is first.
        let limit = min(request.quarter.end(startMonth: request.quarterStartMonth), now).addingTimeInterval(-1)
        guard limit > start else { throw DemoSeedError.quarterNotStarted }

        let lead = try await demoLead(councilAreas: councilAreas, passwordCost: passwordCost, now: now)
        var random = SeededGenerator(seed: request.seed)
        let span = limit.timeIntervalSince(start)
        // Whole seconds, sorted, so case numbers follow the order referrals came in.
        let received = (0..<request.cases).map { _ in (random.unit() * span).rounded(.down) }.sorted()
            .map { start.addingTimeInterval($0) }
        let services = directory.services(for: request.councilArea)
        for (index, receivedAt) in received.enumerated() {
            var plan = DemoCase(number: index + 1, receivedAt: receivedAt, limit: limit, random: random)
            try await plan.work(in: self, area: request.councilArea, lead: lead, services: services)
            random = plan.random
        }
        return request.cases
    }

    /// The demo lead, created when missing with a random password that is never shown or stored in plain.
    private func demoLead(councilAreas: [String], passwordCost: PasswordHash.Limits,
                          now: Date) async throws -> (actor: StaffActor, email: String) {
        if let account = try await staff.staffAccount(email: DemoSeed.leadEmail) {
            guard account.role == .lead else { throw CaseAccessError.forbidden }
            return (account.actor, account.email)
        }
        let password = Data(Random.bytes(count: 24)).base64EncodedString()
        let (account, _) = try await staff.addStaff(email: DemoSeed.leadEmail, role: .lead, councilArea: nil, password: password,
                                                    councilAreas: councilAreas, passwordCost: passwordCost, now: now)
        return (account.actor, account.email)
    }
}

/// One synthetic case: its referral and the steps taken on it, decided by the generator as it goes.
private struct DemoCase {
    let number: Int
    let receivedAt: Date
    let limit: Date
    var random: SeededGenerator

    init(number: Int, receivedAt: Date, limit: Date, random: SeededGenerator) {
        self.number = number
        self.receivedAt = receivedAt
        self.limit = limit
        self.random = random
    }

    static let hour: TimeInterval = 3600, day: TimeInterval = 86_400

    mutating func referral(area: String) -> Referral {
        let role: ReferrerRole = random.weighted([(.parentOrCarer, 60), (.youngPerson, 15), (.adultAffectedAsChild, 12),
                                                  (.otherFamilyMember, 8), (.preferNotToSay, 5)])
        let setting: ReconcileCore.Setting = random.weighted([
            (.secondary, 45), (.primary, 15), (.college, 8), (.specialSchool, 5), (.alternativeProvision, 3),
            (.outsideEducation, 8), (.online, 12), (.preferNotToSay, 4)])
        let harmCount = random.weighted([(1, 60.0), (2, 30), (3, 10)])
        var harm = random.distinct([Harm.sexualHarassment, .onlineOrImageBased, .sexualAssault,
                                    .rapeOrAssaultByPenetration, .otherHarmfulSexualBehaviour], count: harmCount)
        if random.chance(0.04) { harm = [.preferNotToSay] }
        let when: HowLongAgo = random.weighted([(.underOneYear, 45), (.oneToThreeYears, 30), (.overThreeYears, 18),
                                                (.preferNotToSay, 7)])
        var told = random.distinct([ToldBefore.school, .police, .councilOrSocialCare, .health], count: random.int(0...2))
        if told.isEmpty { told = random.chance(0.8) ? [.none] : [.preferNotToSay] }
        let wishes = random.distinct(Wish.allCases, count: random.int(1...3))
        let name: String
        switch role {
        case .parentOrCarer: name = "Demo Parent \(number)"
        case .youngPerson: name = "Demo Young Person \(number)"
        case .adultAffectedAsChild: name = "Demo Adult \(number)"
        case .otherFamilyMember: name = "Demo Relative \(number)"
        case .preferNotToSay: name = "Demo Person \(number)"
        }
        let preference: ContactPreference = random.weighted([(.email, 50), (.phone, 35), (.portal, 10), (.post, 5)])
        let withAddress = preference == .post || random.chance(0.2)
        let contact = ContactDetails(
            name: name, email: "demo-\(number)@example.invalid",
            phone: "07700 900" + String(format: "%03d", number % 1000),
            address: withAddress ? "\(number) Example Street, Demotown" : nil,
            preference: preference, safeToLeaveMessage: random.chance(0.5), safeTimes: nil)
        var referral = Referral(contact: contact, story: "Synthetic demo referral number \(number); not a real family.",
                                councilArea: area, referrerRole: role, setting: setting, harm: harm, howLongAgo: when,
                                toldBefore: told, wishes: wishes, consentToStatistics: random.chance(0.92))
        addIntakeAnswers(to: &referral)
        return referral
    }

    /// The intake questions, in plausible proportions, so every new report table and page has something in it.
    mutating func addIntakeAnswers(to referral: inout Referral) {
        referral.involvement = random.weighted([(.harmed, 62), (.sawOrKnew, 12), (.wasAccusedOrHarmedOthers, 8),
                                                (.moreThanOne, 6), (.preferNotToSay, 12)])
        referral.ageBand = random.chance(0.9) ? random.weighted([(AgeBand.under13, 20), (.from13To15, 40), (.from16To17, 22),
                                                                 (.eighteenOrOver, 12), (.preferNotToSay, 6)]) : nil
        if referral.referrerRole == .youngPerson {
            referral.parentKnows = random.weighted([(ParentKnows.yes, 50), (.no, 35), (.preferNotToSay, 15)])
        }
        referral.heardFrom = random.chance(0.85) ? random.weighted([
            (HeardFrom.letterFromTheCouncil, 30), (.schoolOrCollege, 25), (.websiteOrSearch, 15), (.socialMedia, 8),
            (.friendOrFamily, 8), (.anotherProfessional, 9), (.other, 2), (.preferNotToSay, 3)]) : nil
        referral.pattern = random.chance(0.6) ? random.distinct(IncidentPattern.allCases, count: random.int(1...2)) : []
        referral.channel = random.weighted([(ReferralChannel.web, 80), (.phone, 12), (.post, 2), (.inPerson, 3), (.professionalOnBehalf, 3)])
        if referral.consentToStatistics {
            referral.childSex = random.chance(0.8) ? random.weighted([(ChildSex.girl, 62), (.boy, 30), (.anotherWay, 3), (.preferNotToSay, 5)]) : nil
            referral.specialNeeds = random.chance(0.8) ? random.weighted([(SpecialNeeds.yes, 22), (.no, 60), (.notSure, 12), (.preferNotToSay, 6)]) : nil
        }
        if random.chance(0.15) {
            referral.accessNeeds = AccessNeeds(language: random.chance(0.4) ? "Polish" : nil, interpreter: random.chance(0.3),
                                               bsl: random.chance(0.1), easyRead: random.chance(0.3), largePrint: random.chance(0.2),
                                               supporter: random.chance(0.3) ? "A support worker" : nil)
        }
        // The family's own form records its language; a referral taken by staff does not.
        if referral.channel == .web {
            referral.language = random.weighted([(FamilyLanguage.english, 86), (.easyRead, 5), (.polish, 9)])
        }
    }

    /// The next moment, `range` hours after `after`, or nil when that is past the limit (the case stops there).
    mutating func later(_ after: Date, hours range: ClosedRange<Int>) -> Date? {
        let at = after.addingTimeInterval(TimeInterval(random.int(range)) * Self.hour + TimeInterval(random.int(0...3599)))
        return at <= limit ? at : nil
    }

    static func londonDate(_ date: Date) -> String { WorkingDays.londonDate(date) }

    mutating func work(in stores: Stores, area: String, lead: (actor: StaffActor, email: String),
                       services: [Service]) async throws {
        let referral = referral(area: area)
        var caseID: CaseID?
        for _ in 0..<8 where caseID == nil {
            let reference = ReferenceGenerator.generate()
            guard try await !stores.intake.referenceInUse(reference)
            else { continue }
            caseID = try await stores.intake.createCase(referral, reference: reference, passphraseHash: "$demo$no-passphrase",
                                       receivedAt: receivedAt).id
        }
        guard let id = caseID else { throw StoreError.integrity("could not draw an unused reference") }
        let actor = lead.actor

        // Acknowledgement: most within the two-working-day target, some late, a few never.
        guard random.chance(0.9) else {
            if random.chance(0.5), let at = later(receivedAt, hours: 240...480) {
                try await stores.cases.close(caseID: id, reason: .noContact, note: nil, by: actor, now: at)
            }
            return
        }
        let ackHours = random.chance(0.75) ? 1...40 : 50...150
        guard let acknowledged = later(receivedAt, hours: ackHours) else { return }
        let method: AcknowledgementMethod = random.weighted([(.email, 45), (.phone, 40), (.portal, 10), (.post, 5)])
        _ = try await stores.cases.acknowledge(caseID: id, method: method, note: nil, by: actor, now: acknowledged)
        try await stores.cases.assign(caseID: id, toPractitionerEmail: lead.email, by: actor, now: acknowledged)

        if random.chance(0.07), let at = later(acknowledged, hours: 1...240) {
            let route: SafeguardingRoute = random.chance(0.7) ? .socialCare : .police
            _ = try await stores.cases.recordSafeguarding(caseID: id, route: route, note: nil, by: actor, now: at)
        }

        // Listening: one to three sessions for most.
        guard random.chance(0.85) else {
            if random.chance(0.5), let at = later(acknowledged, hours: 72...400) {
                let reason: CloseReason = random.weighted([(.withdrawn, 40), (.noContact, 35), (.declined, 25)])
                try await stores.cases.close(caseID: id, reason: reason, note: nil, by: actor, now: at)
            }
            return
        }
        var last = acknowledged
        for session in 0..<random.weighted([(1, 45.0), (2, 35), (3, 20)]) {
            guard let at = later(last, hours: session == 0 ? 24...240 : 72...336) else { break }
            let modality: ListeningModality = random.weighted([(.phone, 45), (.video, 30), (.inPerson, 25)])
            _ = try await stores.cases.recordListeningSession(caseID: id, heldOn: Self.londonDate(at),
                                                    durationMinutes: random.int(3...12) * 10, modality: modality,
                                                    note: nil, by: actor, now: at)
            last = at
        }
        guard last > acknowledged else { return }

        // Assessment, levels skewed to 2 and 3.
        guard random.chance(0.85), let assessed = later(last, hours: 2...120) else { return }
        let level: LevelOfNeed = random.weighted([(.universal, 15), (.additional, 40), (.complex, 35), (.acuteOrSpecialist, 10)])
        let metNeeds = Set(services.flatMap(\.needs))
        let needs = random.distinct(Need.allCases.filter(metNeeds.contains), count: random.weighted([(1, 45.0), (2, 40), (3, 15)]))
        _ = try await stores.cases.recordAssessment(caseID: id, level: level, needs: needs, note: nil, by: actor,
                                          now: assessed)

        // Signposts to directory services that meet the needs found.
        guard random.chance(0.85), let signposted = later(assessed, hours: 1...72) else { return }
        var signposts: [String] = []
        for need in needs.prefix(2) {
            let candidates = services.filter { $0.needs.contains(need) }
            guard !candidates.isEmpty else { continue }
            let service = candidates[random.int(0...(candidates.count - 1))]
            signposts.append(try await stores.cases.addSignpost(caseID: id, service: service, need: need, note: nil, by: actor, now: signposted).recordID!)
        }
        guard !signposts.isEmpty else { return }
        var latest = signposted
        for signpost in signposts where random.chance(0.65) {
            guard let at = later(signposted, hours: 48...480) else { continue }
            let outcome: SignpostOutcome = random.weighted([(.accepted, 55), (.declined, 15), (.noResponse, 20), (.pending, 10)])
            try await stores.cases.recordSignpostOutcome(caseID: id, signpostID: signpost, outcome: outcome, by: actor, now: at)
            latest = max(latest, at)
        }
        if random.chance(0.5), let at = later(latest, hours: 24...480) {
            try await stores.cases.close(caseID: id, reason: .completed, note: nil, by: actor, now: at)
        }
    }
}
