import Foundation
import Hummingbird
import RouterTesting
import ReconcileCore
import Testing
@testable import ReconcileServer

/// every page a family sees says, in the same words, that this is not an emergency service (999 and
/// their area's children's services), and the limits of what we keep private. Nothing on a page may promise
/// more than that.
@Suite struct PublicNoticesTests {
    static let privateLimit = "we may have to tell children's services or the police. We will tell you first, unless that would put someone at risk."
    /// Promises the service cannot keep: a child at risk now is reported, and children's services are the council's.
    static let overPromises = ["not shared with the council", "never sees your name", "story are never shared", "never shared with anyone"]

    static func assertHonest(_ page: TestResponse, _ name: String, contacts: AreaContacts) {
        let text = page.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("This is not an emergency service"), "\(name): no emergency notice")
        #expect(text.contains("call <strong>999</strong>"), "\(name): no 999")
        #expect(text.contains(privateLimit), "\(name): no limit of confidentiality")
        for area in contacts.areas {
            #expect(text.contains("\(area.name): <a href=\"tel:\(area.childrensServices)\">"), "\(name): no number for \(area.name)")
            #expect(text.contains(area.outOfHours), "\(name): no out-of-hours number for \(area.name)")
        }
        #expect(text.contains("(number to be confirmed by the partner)") == !contacts.unconfirmed.isEmpty, "\(name)")
        for promise in overPromises { #expect(!text.contains(promise), "\(name) promises \"\(promise)\"") }
    }

    @Test func everyPageAFamilySeesCarriesTheNotices() async throws {
        let harness = try Harness()
        let contacts = try Harness.areaContacts()
        #expect(contacts.areas.count == harness.settings.areas.councilAreas.count)
        try await harness.app().test(.router) { client in
            for path in ["/", "/refer", "/portal", "/no-such-page"] {
                Self.assertHonest(try await client.execute(uri: path, method: .get), path, contacts: contacts)
            }
            // The confirmation page, after a real form submission.
            let form = try await IntakeFormTests.open(client)
            let confirmation = try await IntakeFormTests.post(client, IntakeFormTests.encode(IntakeFormTests.fields(canary: Sample.canary(), form)),
                                                             cookie: form.cookie)
            #expect(confirmation.status == .ok)
            Self.assertHonest(confirmation, "confirmation", contacts: contacts)
            // The portal's own case page.
            let family = try await PortalAPITests.refer(client, harness, canary: Sample.canary())
            var browser = PageBrowser(client: client)
            _ = try await browser.get("/portal")
            _ = try await browser.post("/portal", [("reference", family.reference), ("passphrase", family.passphrase)])
            Self.assertHonest(try await browser.get("/portal/case"), "/portal/case", contacts: contacts)
        }
    }

    @Test func theFormAsksForNoPicturesAndTakesNoFiles() async throws {
        let harness = try Harness()
        try await harness.app().test(.router) { client in
            let page = try await client.execute(uri: "/refer", method: .get).text
            #expect(page.contains("Please do not send pictures or videos, or links to them"))
            #expect(page.contains("Report Remove"))
            #expect(!page.contains("type=\"file\"") && !page.contains("multipart/form-data"))
            // The API has no field for one either: an attachment is refused, naming it, and nothing is stored.
            var body = Sample.referral(canary: Sample.canary())
            body["attachment"] = "data:image/png;base64,iVBORw0KGgo="
            let r = try await client.refer(Sample.json(body))
            #expect(r.status == .unprocessableContent && r.text.contains("attachment"))
            #expect(try await harness.stores.intake.caseCount() == 0)
        }
    }

    @Test func anAreasFileThatLeavesAnAreaOutOrHoldsABadNumberStopsTheStart() throws {
        let areas = ["herefordshire", "shropshire"]
        func contact(_ id: String, _ number: String = "01432 260800") -> AreaContact {
            AreaContact(id: id, name: id, childrensServices: number, outOfHours: "01905 768020", confirmed: true)
        }
        #expect(throws: DirectoryError.self) { try AreaContacts(areas: [contact("herefordshire")], councilAreas: areas) }
        #expect(throws: DirectoryError.self) { try AreaContacts(areas: [contact("herefordshire"), contact("shropshire"), contact("mars")], councilAreas: areas) }
        #expect(throws: DirectoryError.self) { try AreaContacts(areas: [contact("herefordshire"), contact("herefordshire"), contact("shropshire")], councilAreas: areas) }
        for bad in ["", "999", "+44 1432 260800", "01432-260800", "0800 CALL NOW", "1432 260800"] {
            #expect(throws: DirectoryError.self, "\(bad)") { try AreaContacts(areas: [contact("herefordshire", bad), contact("shropshire")], councilAreas: areas) }
        }
        #expect(try AreaContacts(areas: [contact("herefordshire"), contact("shropshire", "0345 678 9021")], councilAreas: areas).unconfirmed.isEmpty)
    }
}
