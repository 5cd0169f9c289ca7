import Foundation
import HTTPTypes
import Testing
import ReconcileReports
import ReconcileStore
@testable import ReconcileServer

/// One mapping from domain errors to answers (`HTTP/DomainErrors.swift`). A new error type a request can raise
/// must be answered there, or be listed here as never reaching a request or as a deliberate 500, with the
/// reason; otherwise it would surface as a silent "internal_error" nobody chose.
@Suite struct ErrorAnswersTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Error types that are not answered by the mapping, each with why.
    static let notAnswered: [String: String] = [
        "APIError": "the answer itself",
        "AuditLogError": "`check` and the audit verifier only; a broken chain is the operator's 500",
        "BackupError": "backup and restore commands and the backup service, never a request",
        "KeyDirectoryError": "start-up and the keys commands",
        "KeyRotationError": "the keys commands",
        "DirectoryError": "loading policies/services.json at start-up",
        "DisclosurePolicyError": "loading policies/disclosure.json at start-up",
        "RetentionPolicyError": "loading policies/retention.json at start-up",
        "SettingsError": "loading settings at start-up and the mail service's relay settings",
        "CouncilTokenError": "the token commands",
        "StaffAccountError": "the user commands",
        "DisclosureAuditError": "turned into ReportError.refused by ReportBuilder",
        "Refusal": "ReleaseProtection's, turned into ReportError.refused by ReportBuilder",
        "Failure": "JSONReader's, turned into APIError invalid_json or duplicate_key by JSONObjectBody",
        "ReportDocumentError": "a signed document we wrote that does not read back: a deliberate 500",
        "ZipError": "a spreadsheet past the zip format's limits, which no report reaches: a deliberate 500",
        "PagesError": "templates missing from the build: start-up",
        "Problem": "the form's field problems, rendered on the form itself",
        "FieldProblem": "one problem of a ValidationFailure",
        "ValidationFailure": "answered by IntakeService as APIError.invalid, naming every field",
        "RetryAfter": "the rate limiter's result, turned into 429 by each caller",
        "SMTPError": "the mail service only, never a request",
        "SodiumError": "a cryptographic failure on our side: a deliberate 500",
    ]

    static func declaredErrorTypes() throws -> Set<String> {
        var names = Set<String>()
        let regex = try NSRegularExpression(pattern: "(?:enum|struct|class)\\s+([A-Z][A-Za-z]*)(?:<[^>]*>)?\\s*:[^{]*\\bError\\b")
        for target in ["ReconcileCore", "ReconcileStore", "ReconcileReports", "ReconcileServer", "Sodium"] {
            let walker = FileManager.default.enumerator(at: root.appendingPathComponent("Sources/\(target)"), includingPropertiesForKeys: nil)
            for case let url as URL in walker?.allObjects ?? [] where url.pathExtension == "swift" {
                let text = try String(contentsOf: url, encoding: .utf8)
                for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
                }
            }
        }
        return names
    }

    @Test func everyErrorTypeIsAnsweredInOnePlaceOrListedWithItsReason() throws {
        let mapping = try String(contentsOf: Self.root.appendingPathComponent("Sources/ReconcileServer/HTTP/DomainErrors.swift"), encoding: .utf8)
        let declared = try Self.declaredErrorTypes()
        #expect(declared.count > 30, "the scan found the error types")
        let unanswered = declared.filter { name in
            Self.notAnswered[name] == nil && mapping.range(of: "\\b\(name)\\b", options: .regularExpression) == nil
        }
        #expect(unanswered.isEmpty, "answer these in DomainErrors.swift, or list them here with why: \(unanswered.sorted())")
        let stale = Set(Self.notAnswered.keys).subtracting(declared)
        #expect(stale.isEmpty, "listed but no longer declared: \(stale.sorted())")
    }

    @Test func storeErrorsAnswerWithoutWhatWentWrongInside() {
        #expect(APIError.answer(for: StoreError.caseNotFound).status == .notFound)
        #expect(APIError.answer(for: StoreError.erased).status == .gone)
        // An integrity failure names a column in the log only: the caller gets the plain 500.
        let integrity = APIError.answer(for: StoreError.integrity("cases.assigned_to is NULL"))
        #expect(integrity.status == .internalServerError)
        #expect(!integrity.message.contains("assigned_to"))
        let undecryptable = APIError.answer(for: StoreError.undecryptable(field: "contact.email"))
        #expect(undecryptable.status == .internalServerError && !undecryptable.message.contains("email"))
    }

    @Test func errorsThatWereAnsweredByHandAreAnsweredByTheMapping() {
        #expect(APIError.answer(for: OfferRoundError.invalidCount).status == .unprocessableContent)
        #expect(APIError.answer(for: TrendError.unknownFigure).status == .unprocessableContent)
    }
}
