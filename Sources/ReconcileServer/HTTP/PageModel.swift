import Foundation

/// A page's view model: a plain `Encodable` struct whose stored properties are what its template shows, named in
/// Swift's way (`canAssign` is the template's `can_assign`, `dateID` its `date_id`). Typed, so a page cannot pass a
/// value of the wrong kind or misspell a name in one place and not another; encoded by `TemplateEncoding`, so
/// only what the model encodes reaches the template.
protocol PageModel: Sendable, Encodable {}

enum TemplateValues {
    /// The model as Mustache reads it (see `TemplateEncoding`).
    static func of(_ model: some PageModel) -> [String: Any] { TemplateEncoding.values(of: model) }
}

/// A value and its label, for a select or a set of radios or boxes.
struct Choice: Sendable, Encodable {
    let value: String
    let label: String
    var selected = false
    var id: String? = nil
}
