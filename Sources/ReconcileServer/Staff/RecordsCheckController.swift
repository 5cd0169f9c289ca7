import Foundation
import Hummingbird
import ReconcileCore
import ReconcileStore

/// `/api/v1/records-check` for leads: cases whose records are incomplete by policy, and the month's
/// random sample for a quality audit with the lead's audit notes. Every GET is audited by the store in the same
/// transaction as the read. The audit note is personal: it is sent only to the lead, decrypted, and never logged.
struct RecordsCheckController {
    let stores: Stores
    let settings: Settings
    let recording: RecordingPolicy

    func addRoutes(to group: RouterGroup<StaffRequestContext>) {
        group.get(use: check)
        group.post("sample/:sid/review", use: review)
    }

    @Sendable func check(request: Request, context: StaffRequestContext) async throws -> RecordsCheckResponse {
        let month = try Self.month(request.uri.queryParameters["month"].map(String.init))
        let check = try await stores.cases.recordsCheck(month: month, samplePerPractitioner: recording.samplePerPractitioner, policy: recording,
                                                    acknowledgementWorkingDays: settings.workflow.acknowledgementWorkingDays,
                                                    by: context.staff.actor)
        context.logger.info("records check viewed", metadata: ["month": "\(check.month)", "incomplete": "\(check.incomplete.count)"])
        return RecordsCheckResponse(check)
    }

    @Sendable func review(request: Request, context: StaffRequestContext) async throws -> Response {
        let fields = try await JSONFields.read(request, maxBytes: settings.limits.maxBodyBytes, allowed: Self.reviewFields)
        try await Self.review(context.parameters.get("sid"), reading: fields, stores: stores, context: context)
        return Response(status: .noContent)
    }

    static let reviewFields: Set<String> = ["note"]

    /// The one action behind both doors of a review: the sampled case's audit note, from JSON or the page's form (the
    /// store refuses a blank one).
    static func review(_ sid: String?, reading f: some ActionFields, stores: Stores, context: StaffRequestContext) async throws {
        guard let sid, CaseTarget.isID(sid) else { throw RecordsCheckError.sampleNotFound }
        try await stores.cases.reviewSampledCase(sampleID: sid, note: try f.text("note"), by: context.staff.actor)
        context.logger.info("sampled case reviewed", metadata: ["sample.id": "\(sid)"])
    }

    /// `YYYY-MM`, or nil (absent) for the current month; empty or anything else is 422.
    static func month(_ text: String?) throws -> AuditMonth? {
        guard let text else { return nil }
        guard let month = AuditMonth(text) else { throw APIError.field("month", "invalid_month", "Months look like 2026-12.") }
        return month
    }
}

extension APIError {
    /// What the records check's refusals mean over HTTP (`APIError.from(domain:)`).
    static func from(records error: RecordsCheckError) -> APIError {
        switch error {
        case .futureMonth: .field("month", "future_month", "That month has not started yet.")
        case .invalidSampleSize: .field("sample", "out_of_range", "The sample size must be 1 to 100 cases per practitioner.")
        case .sampleNotFound: APIError(.notFound, code: "not_found", message: "There is no such sampled case.")
        case .noteRequired: .field("note", "required", "Write the audit note.")
        }
    }
}

/// The check as JSON. The incomplete list holds no personal field (ids, reference, stage, assignee, rule codes);
/// the sample carries the lead's own audit notes. Nulls are written out so every key is always there.
struct RecordsCheckResponse: ResponseEncodable {
    let check: RecordsCheck
    init(_ check: RecordsCheck) { self.check = check }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(check.month.description, forKey: "month")
        var list = c.nestedUnkeyedContainer(forKey: "incomplete")
        for r in check.incomplete {
            var item = list.nestedContainer(keyedBy: Key.self)
            try item.encode(r.caseID, forKey: "id")
            try item.encode(r.reference, forKey: "reference")
            try item.encode(r.stage, forKey: "stage")
            try item.encode(r.assignedTo, forKey: "assigned_to")
            try item.encode(r.problems, forKey: "rules")
        }
        guard let sample = check.sample else { return try c.encodeNil(forKey: "sample") }
        var s = c.nestedContainer(keyedBy: Key.self, forKey: "sample")
        try s.encode(sample.perPractitioner, forKey: "per_practitioner")
        try s.encode(sample.drawnAt, forKey: "drawn_at")
        try s.encode(sample.drawnBy, forKey: "drawn_by")
        var cases = s.nestedUnkeyedContainer(forKey: "cases")
        for x in sample.cases {
            var item = cases.nestedContainer(keyedBy: Key.self)
            try item.encode(x.id, forKey: "id")
            try item.encode(x.caseID, forKey: "case_id")
            try item.encode(x.reference, forKey: "reference")
            try item.encode(x.stage, forKey: "stage")
            try item.encode(x.practitioner, forKey: "practitioner")
            try item.encode(x.erased, forKey: "erased")
            try item.encode(x.reviewedAt != nil, forKey: "reviewed")
            try item.encode(x.reviewedAt, forKey: "reviewed_at")
            try item.encode(x.reviewedBy, forKey: "reviewed_by")
            try item.encode(x.auditNote, forKey: "audit_note")
        }
    }

    /// Keys spelled as sent (the encoder's snake_case conversion leaves them as they are).
    struct Key: CodingKey, ExpressibleByStringLiteral {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        init(stringLiteral value: String) { stringValue = value }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
