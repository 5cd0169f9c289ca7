import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import RouterTesting
import ReconcileCore
@testable import ReconcileStore
import Testing
@testable import ReconcileServer

/// The intake questions by both doors: what is kept, what is refused by name, and what is never kept.
@Suite struct IntakeQuestionsTests {
    static var full: [String: Any] { [
        "involvement": "saw_or_knew", "age_band": "13_to_15", "heard_from": "letter_from_the_council",
        "pattern": ["online", "by_a_group", "online"], "monitoring": ["child_sex": "girl", "send": "not_sure"],
    ] }

    /// The v12 columns of the case with `reference`, as stored.
    static func stored(_ harness: Harness, _ reference: String) async throws -> Row {
        try await harness.database.reader.read { db in
            try #require(try Row.fetchOne(db, sql: """
                SELECT involvement, age_band, parent_knows, heard_from, pattern_bits, child_sex, special_needs, channel, entered_by,
                       access_needs, assigned_to, id
                FROM referral_case WHERE reference = ?
                """, arguments: [reference]))
        }
    }

    @Test func everyAnswerIsKeptAsGivenAndRepeatsCountOnce() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: Self.full)))
            #expect(response.status == .created)
            let row = try await Self.stored(harness, try #require(response.json?["reference"] as? String))
            #expect(row["involvement"] as String? == "saw_or_knew")
            #expect(row["age_band"] as String? == "13_to_15")
            #expect(row["heard_from"] as String? == "letter_from_the_council")
            #expect(IncidentPattern.answers(fromBits: row["pattern_bits"]) == [.byAGroup, .online])
            #expect(row["child_sex"] as String? == "girl")
            #expect(row["special_needs"] as String? == "not_sure")
            #expect(row["channel"] as String? == "web")
            #expect(row["parent_knows"] as String? == nil, "a parent was not asked whether a parent knows")
            #expect((row["entered_by"] as String?) == nil && (row["access_needs"] as Data?) == nil)
        }
    }

    /// An older client that never sends the new questions keeps working: the child's part is "prefer not to say".
    @Test func aClientThatSendsNoneOfTheNewQuestionsStillRefers() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            #expect(response.status == .created)
            let row = try await Self.stored(harness, try #require(response.json?["reference"] as? String))
            #expect(row["involvement"] as String? == "prefer_not_to_say")
            #expect(row["age_band"] as String? == nil && row["heard_from"] as String? == nil && row["pattern_bits"] as Int64? == 0)
        }
    }

    @Test func aYoungPersonIsAskedWhetherAParentKnows() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let response = try await client.refer(Sample.json(Sample.referral(
                canary: Sample.canary(), overrides: ["referrer_role": "young_person", "parent_knows": "no"])))
            #expect(response.status == .created)
            let row = try await Self.stored(harness, try #require(response.json?["reference"] as? String))
            #expect(row["parent_knows"] as String? == "no")
        }
    }

    /// The equalities answers are kept only to be counted: without consent to statistics they are not kept at all.
    @Test func monitoringIsNotKeptWithoutConsentToStatistics() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            var overrides = Self.full
            overrides["consent"] = ["contact": true, "statistics": false]
            let response = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: overrides)))
            #expect(response.status == .created)
            let row = try await Self.stored(harness, try #require(response.json?["reference"] as? String))
            #expect(row["child_sex"] as String? == nil && row["special_needs"] as String? == nil)
            #expect(row["age_band"] as String? == "13_to_15", "the other answers are kept; only the equalities ones are not")
        }
    }

    /// Each new field refuses an unknown value or a wrong type, naming the field; nothing is stored.
    @Test(arguments: [
        (#"{"involvement": "bystander"}"#, "involvement", "unknown_value"),
        (#"{"involvement": ""}"#, "involvement", "required"),
        (#"{"involvement": 3}"#, "involvement", "wrong_type"),
        (#"{"age_band": "12"}"#, "age_band", "unknown_value"),
        (#"{"parent_knows": "maybe", "referrer_role": "young_person"}"#, "parent_knows", "unknown_value"),
        (#"{"heard_from": "the_radio"}"#, "heard_from", "unknown_value"),
        (#"{"pattern": ["online", "every_day"]}"#, "pattern", "unknown_value"),
        (#"{"pattern": "online"}"#, "pattern", "wrong_type"),
        (#"{"monitoring": {"child_sex": "robot"}}"#, "monitoring.child_sex", "unknown_value"),
        (#"{"monitoring": {"send": true}}"#, "monitoring.send", "wrong_type"),
        (#"{"monitoring": {"ethnicity": "x"}}"#, "monitoring.ethnicity", "unknown_field"),
        (#"{"monitoring": "girl"}"#, "monitoring", "wrong_type"),
        (#"{"access_needs": {"interpreter": "yes"}}"#, "access_needs.interpreter", "wrong_type"),
        (#"{"access_needs": {"pony": true}}"#, "access_needs.pony", "unknown_field"),
        (#"{"access_needs": {"other": "CANARY\u0007"}}"#, "access_needs.other", "invalid_characters"),
        (#"{"access_needs": {"language": "CANARY\#(String(repeating: "x", count: 101))"}}"#, "access_needs.language", "too_long"),
        (#"{"access_needs": []}"#, "access_needs", "wrong_type"),
        // Only a practitioner says how a referral came; the family's own is always the web.
        (#"{"channel": "phone"}"#, "channel", "unknown_field"),
    ])
    func badAnswersAreRefusedByName(overrides: String, field: String, code: String) async throws {
        let harness = try Harness()
        let extra = try JSONSerialization.jsonObject(with: Data(overrides.utf8)) as! [String: Any]
        let body = Sample.json(Sample.referral(canary: Sample.canary(), overrides: extra))
        try await harness.app().test(.router) { client in
            let response = try await client.refer(body)
            #expect(response.status == .unprocessableContent)
            let fields = (response.json?["error"] as? [String: Any])?["fields"] as? [[String: String]] ?? []
            #expect(fields.contains { $0["field"] == field && $0["code"] == code }, "\(fields)")
            #expect(!response.text.contains("CANARY"))
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
        #expect(!harness.logs.text.contains("CANARY"))
    }

    /// The form refuses an unknown value for each new question, naming it beside the question, and stores nothing.
    @Test(arguments: [
        ("involvement", "zzbystander", "involvement-fieldset"), ("age_band", "zztwelve", "age_band-fieldset"),
        ("heard_from", "zzradio", "heard_from-fieldset"), ("pattern", "zzevery_day", "pattern-fieldset"),
        ("child_sex", "zzrobot", "child_sex-fieldset"), ("send", "zzperhaps", "send-fieldset"),
        ("parent_knows", "zzmaybe", "parent_knows-fieldset"),
    ])
    func theFormRefusesAnUnknownAnswerByName(name: String, value: String, anchor: String) async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await IntakeFormTests.open(client)
            var fields = IntakeFormTests.fields(canary: Sample.canary(), form).filter { $0.0 != name }
            fields.append((name, value))
            let response = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("href=\"#\(anchor)\""), "the error summary links to the question")
            #expect(response.text.contains("id=\"\(anchor)\" class=\"question has-error\""), "the question is marked")
            #expect(!response.text.contains(value), "the page does not echo the unknown value")
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func theFormAsksEveryoneWhoTheChildIs() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let form = try await IntakeFormTests.open(client)
            let fields = IntakeFormTests.fields(canary: Sample.canary(), form).filter { $0.0 != "involvement" }
            let response = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("href=\"#involvement-fieldset\""))
        }
        #expect(try await harness.stores.intake.caseCount() == 0)
    }

    @Test func theFormKeepsEveryAnswerAndTheAccessNeeds() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        try await harness.app().test(.router) { client in
            let form = try await IntakeFormTests.open(client)
            let fields = IntakeFormTests.fields(canary: canary, form).filter { $0.0 != "involvement" } + [
                ("involvement", "was_accused_or_harmed_others"), ("age_band", "under_13"), ("heard_from", "school_or_college"),
                ("pattern", "more_than_once"), ("pattern", "more_than_one_school"), ("child_sex", "boy"), ("send", "yes"),
                ("access_language", "Polish \(canary)"), ("access_interpreter", "yes"), ("access_large_print", "yes"),
                ("access_supporter", "My aunt \(canary)"),
            ]
            let response = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            #expect(response.status == .ok)
            let reference = try #require(response.text.firstMatch(of: /RS-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.output) })
            let row = try await Self.stored(harness, reference)
            #expect(row["involvement"] as String? == "was_accused_or_harmed_others")
            #expect(row["age_band"] as String? == "under_13")
            #expect(IncidentPattern.answers(fromBits: row["pattern_bits"]) == [.moreThanOnce, .moreThanOneSchool])
            #expect(row["child_sex"] as String? == "boy" && row["special_needs"] as String? == "yes")
            let sealed = try #require(row["access_needs"] as Data?)
            #expect(sealed.range(of: Data(canary.utf8)) == nil, "access needs are sealed")
            let caseID: String = row["id"]
            let needs = try await harness.database.reader.read { db in
                try AppDatabase.intakeAnswers(db, caseID: CaseID(caseID), cipher: try AppDatabase.caseCipher(db, caseID: CaseID(caseID), keys: harness.keys))
            }.accessNeeds
            #expect(needs == AccessNeeds(language: "Polish \(canary)", interpreter: true, largePrint: true, supporter: "My aunt \(canary)"))
        }
        #expect(!harness.logs.text.contains(canary))
    }

    /// A sealed access-needs value moved to another case does not open there: it is bound to its own case.
    @Test func accessNeedsMovedToAnotherCaseDoNotOpen() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let needs = ["access_needs": ["bsl": true, "other": "Needs a quiet room"]]
            let a = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: needs)))
            let b = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary())))
            let (ra, rb) = (try #require(a.json?["reference"] as? String), try #require(b.json?["reference"] as? String))
            let (rowA, rowB) = (try await Self.stored(harness, ra), try await Self.stored(harness, rb))
            let caseB: String = rowB["id"]
            let sealed: Data? = rowA["access_needs"]
            #expect(sealed != nil)
            try await harness.database.writer.write { db in
                try db.execute(sql: "UPDATE referral_case SET access_needs = ? WHERE id = ?", arguments: [sealed, caseB])
            }
            #expect(throws: (any Error).self) {
                try harness.database.reader.read { db in
                    try AppDatabase.intakeAnswers(db, caseID: CaseID(caseB), cipher: try AppDatabase.caseCipher(db, caseID: CaseID(caseB), keys: harness.keys))
                }
            }
        }
    }

    /// A partner that cannot support a child who harmed others says so in intake.json: such a referral is answered
    /// kindly with where to turn, by either door, and nothing is stored.
    @Test func aChildTheServiceIsNotForIsSignpostedAndNothingIsKept() async throws {
        let harness = try Harness()
        let canary = Sample.canary()
        let policy = try IntakePolicy(offeredTo: [.harmed, .sawOrKnew, .moreThanOne, .preferNotToSay],
                                      elsewhere: [.init(name: "Stop It Now", detail: "0808 1000 900")])
        try await harness.app(intake: policy).test(.router) { client in
            let api = try await client.refer(Sample.json(Sample.referral(canary: canary, overrides: ["involvement": "was_accused_or_harmed_others"])))
            #expect(api.status == .unprocessableContent)
            #expect(api.errorCode == "not_offered")
            #expect(api.text.contains("Stop It Now") && api.text.contains("0808 1000 900"))
            #expect(!api.text.contains(canary))

            let form = try await IntakeFormTests.open(client)
            let fields = IntakeFormTests.fields(canary: canary, form).filter { $0.0 != "involvement" } + [("involvement", "was_accused_or_harmed_others")]
            let page = try await IntakeFormTests.post(client, IntakeFormTests.encode(fields), cookie: form.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("Where to get help") && page.text.contains("Stop It Now"))
            #expect(page.text.contains("Nothing you wrote has been kept"))
            #expect(!page.text.contains(canary), "what they wrote is not shown back either")

            // Those the service is for are still taken.
            let taken = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["involvement": "harmed"])))
            #expect(taken.status == .created)
        }
        #expect(try await harness.stores.intake.caseCount() == 1)
        #expect(!harness.logs.text.contains(canary))
    }

    @Test func anIntakePolicyThatTurnsAwayThoseWhoWouldRatherNotSayIsRefused() {
        #expect(throws: DirectoryError.self) { try IntakePolicy(offeredTo: [.harmed], elsewhere: IntakePolicy.nationalHelplines) }
        #expect(throws: DirectoryError.self) { try IntakePolicy(offeredTo: [.harmed, .preferNotToSay], elsewhere: []) }
    }

    /// The family's choice of a neutral email notice at intake, kept only with an email to send it to.
    @Test func aFamilyCanAskForTheNoticeAtIntakeOnlyWithAnEmail() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let asked = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["notify_by_email": true])))
            #expect(asked.status == .created)
            let reference = try #require(asked.json?["reference"] as? String)
            let chosen = try await harness.database.reader.read { db in
                try Bool.fetchOne(db, sql: "SELECT notify_by_email FROM referral_case WHERE reference = ?", arguments: [reference])
            }
            #expect(chosen == true)
            let noEmail = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["notify_by_email": true],
                                                                             contact: ["email": NSNull(), "preference": "phone"])))
            #expect(noEmail.status == .unprocessableContent && noEmail.text.contains("no_email_address"))
            let wrongType = try await client.refer(Sample.json(Sample.referral(canary: Sample.canary(), overrides: ["notify_by_email": "yes"])))
            #expect(wrongType.status == .unprocessableContent && wrongType.text.contains("notify_by_email"))
        }
        #expect(try await harness.stores.intake.caseCount() == 1)
    }

    @Test func theYoungPersonsFormSpeaksToThem() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let page = try await client.execute(uri: "/refer?as=young_person", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("How old are you?"))
            #expect(page.text.contains("Does a parent or carer know you are telling us?"))
            #expect(page.text.contains("id=\"referrer_role-young_person\" name=\"referrer_role\" value=\"young_person\" checked"))
            #expect(page.text.contains("name=\"as\" value=\"young_person\""), "a re-shown form keeps speaking to them")
            let parent = try await client.execute(uri: "/refer", method: .get)
            #expect(parent.text.contains("How old is the child now?") && parent.text.contains("/refer?as=young_person"))
        }
    }
}
