import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore
import Sodium

/// One released report in each format people open — the JSON exactly as signed, a tidy CSV, the HTML page and an
/// ODS spreadsheet — all made from the signed bytes, for the council's routes and pages and the lead's alike.
struct ReportDownloads: Sendable {
    let words: ReportWords
    let timetable: ReleaseTimetable
    let contact: String

    static let formats = ["json", "csv", "html", "ods"]
    static let odsType = "application/vnd.oasis.opendocument.spreadsheet"

    init(settings: Settings, levels: LevelLabels) {
        words = ReportWords(levels: levels)
        timetable = ReleaseTimetable(settings)
        contact = settings.reporting.contact
    }

    /// A `format` a client asked for: json when absent; anything else not in the list is 400 naming the list.
    static func format(_ request: Request) throws -> String {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard formats.contains(format) else {
            var error = APIError(.badRequest, code: "unknown_format", message: "format: use one of json, csv, html, ods.")
            error.fields = [["field": "format", "code": "unknown_value", "message": "Use one of json, csv, html, ods."]]
            throw error
        }
        return format
    }

    func cover(_ document: [UInt8], releasedAt: Date?) -> SpreadsheetCover {
        let quarter = (try? ReportContent(document: document)).flatMap { Quarter($0.quarter) }
        return SpreadsheetCover(releasedAt: releasedAt.map(ReportContent.timestamp), nextRelease: quarter.map(timetable.nextRelease(after:)),
                                contact: contact, startMonth: timetable.startMonth)
    }

    /// The spreadsheet of a document (a release's, or a preview's with no release time).
    func ods(_ document: [UInt8], releasedAt: Date?) throws -> [UInt8] {
        try ReportBuilder.ods(for: document, words: words, cover: cover(document, releasedAt: releasedAt))
    }

    func csv(_ document: [UInt8]) throws -> String { try ReportBuilder.csv(for: document, words: words) }
    func html(_ document: [UInt8]) throws -> String { try ReportBuilder.html(for: document, words: words) }

    func response(_ released: ReleasedReport, format: String) throws -> Response {
        let name = CouncilController.fileName(released)
        switch format {
        case "csv":
            return Self.file(ByteBuffer(string: try csv(released.document)), "text/csv; charset=utf-8", name + ".csv")
        case "html":
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: try html(released.document))))
        case "ods":
            return Self.file(ByteBuffer(bytes: try ods(released.document, releasedAt: released.releasedAt)), Self.odsType, name + ".ods")
        default:
            // Byte for byte what was signed, so the detached signature verifies on the download.
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: released.document)))
        }
    }

    static func file(_ body: ByteBuffer, _ type: String, _ name: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""], body: .init(byteBuffer: body))
    }

    /// The signing key as a PEM SubjectPublicKeyInfo (RFC 8410: the Ed25519 algorithm identifier, then the
    /// 32-byte key), which OpenSSL reads with `-pubin -inkey key.pem`.
    static func publicKeyPEM(_ key: SigningKeyPair) -> String {
        let der: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + key.publicKey
        let base64 = Data(der).base64EncodedString()
        return "-----BEGIN PUBLIC KEY-----\n\(base64)\n-----END PUBLIC KEY-----\n"
    }
}
