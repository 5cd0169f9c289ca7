import Foundation
import Hummingbird
import ReconcileCore
import ReconcileReports
import ReconcileStore

extension ReleaseKind {
    /// A `kind` a client sent (release body, `?kind=` of the council's routes, the release form): nil when
    /// absent, 422 naming `kind` when it is not one of the three.
    static func named(_ text: String?) throws -> ReleaseKind? {
        guard let text else { return nil }
        guard let kind = ReleaseKind(rawValue: text) else {
            throw APIError.field("kind", "unknown_value", "Use quarter, correction or year_to_date.")
        }
        return kind
    }
}

/// `/api/v1/council`: list, download (JSON exactly as signed, CSV, HTML, ODS) and verify released reports.
struct CouncilController {
    let stores: Stores
    let downloads: ReportDownloads

    struct Listing: ResponseEncodable {
        struct Item: Encodable { let quarter: String; let councilArea: String; let releasedAt: Date; let kind: String }
        let reports: [Item]
    }

    func addRoutes(to group: RouterGroup<CouncilRequestContext>) {
        group.get("reports", use: list)
        group.get("reports/:quarter", use: report)
        group.get("reports/:quarter/signature", use: signature)
    }

    /// The signing public key is public by nature: anyone may fetch it to verify a report. Base64 (for `reconcile
    /// report verify`), or `?format=pem` for OpenSSL.
    static func addPublicKeyRoute(to group: RouterGroup<AppRequestContext>, keys: KeyRing) {
        group.get("api/v1/council/public-key") { request, _ -> Response in
            switch request.uri.queryParameters["format"].map(String.init) {
            case nil, "base64"?:
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: ReportSignature.publicKeyBase64(keys.signing) + "\n")))
            case "pem"?:
                return ReportDownloads.file(ByteBuffer(string: ReportDownloads.publicKeyPEM(keys.signing)), "application/x-pem-file",
                                            "reconcile-signing-key.pem")
            default:
                var error = APIError(.badRequest, code: "unknown_format", message: "format: use base64 or pem.")
                error.fields = [["field": "format", "code": "unknown_value", "message": "Use base64 or pem."]]
                throw error
            }
        }
    }

    @Sendable func list(request: Request, context: CouncilRequestContext) async throws -> Listing {
        let area = context.area
        let releases = try await stores.reports.releasedReports(councilArea: area)
        return Listing(reports: releases.map { .init(quarter: $0.quarter, councilArea: $0.councilArea, releasedAt: $0.releasedAt, kind: $0.kind) })
    }

    @Sendable func report(request: Request, context: CouncilRequestContext) async throws -> Response {
        let format = try ReportDownloads.format(request)
        return try downloads.response(try await Self.released(stores.reports, request, context), format: format)
    }

    @Sendable func signature(request: Request, context: CouncilRequestContext) async throws -> Response {
        let released = try await Self.released(stores.reports, request, context)
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: released.signature + "\n")))
    }

    /// The release asked for, of the officer's own area only: another area's quarter is simply not found.
    /// No `kind`: the quarter's current figures (its latest correction, else its first release).
    static func released(_ reports: ReportStore, _ request: Request, _ context: CouncilRequestContext) async throws -> ReleasedReport {
        try await released(reports, area: context.area, quarter: context.parameters.get("quarter"),
                           kind: request.uri.queryParameters["kind"].map(String.init))
    }

    /// The release of `area` asked for (a lead names any area; a council officer's is their own).
    static func released(_ reports: ReportStore, area: String, quarter text: String?, kind kindText: String?) async throws -> ReleasedReport {
        guard let text, let quarter = Quarter(text) else {
            throw APIError(.notFound, code: "not_found", message: "Quarters look like 2026-Q1.")
        }
        let kind = try ReleaseKind.named(kindText)
        guard let released = try await reports.releasedReport(councilArea: area, quarter: quarter.description, kind: kind?.rawValue) else {
            throw APIError(.notFound, code: "not_found", message: kind == nil ? "No report has been released for that quarter."
                           : "No report of that kind has been released for that quarter.")
        }
        return released
    }

    /// "reconcile-shropshire-2026-Q1", with "-correction" or "-year-to-date" for those kinds, so that an officer's
    /// downloads of one quarter do not overwrite each other.
    static func fileName(_ released: ReleasedReport) -> String {
        let base = "reconcile-\(released.councilArea)-\(released.quarter)"
        return released.kind == ReleaseKind.quarter.rawValue ? base : base + "-" + released.kind.replacingOccurrences(of: "_", with: "-")
    }
}
