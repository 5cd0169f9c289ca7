import Foundation

/// A page's view model: a plain struct whose stored properties are what its template shows, named in Swift's
/// way (`canAssign` is the template's `can_assign`). Typed, so a page cannot pass a value of the wrong kind or
/// misspell a name in one place and not another.
protocol PageModel: Sendable {}

enum TemplateValues {
    /// The model as Mustache reads it. A nil optional and empty text are left out: Mustache treats "" as true
    /// in a section, and `{{#note}}…{{/note}}` must show only real notes.
    static func of(_ model: some PageModel) -> [String: Any] {
        (value(model) as? [String: Any]) ?? [:]
    }

    static func value(_ value: Any) -> Any? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case is Bool, is Int, is Double: return value
        case let list as [Any]: return list.compactMap(Self.value)
        case let dict as [String: Any]: return dict.compactMapValues(Self.value)
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional: return mirror.children.first.flatMap { Self.value($0.value) }
        case .struct:
            var dict: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label, let v = Self.value(child.value) else { continue }
                dict[snakeCase(label)] = v
            }
            return dict
        default: return "\(value)"
        }
    }

    /// `canAssign` → `can_assign`, `nextPage` → `next_page`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for ch in name {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}

/// A value and its label, for a select or a set of radios or boxes.
struct Choice: Sendable {
    let value: String
    let label: String
    var selected = false
    var id: String? = nil
}
