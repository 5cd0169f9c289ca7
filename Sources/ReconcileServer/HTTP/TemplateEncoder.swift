import Foundation

/// Turns an `Encodable` page model into what Mustache reads: dictionaries with snake-cased keys, arrays, text,
/// numbers and flags. No reflection: only what the model encodes reaches a template. A nil optional and empty
/// text are left out, because Mustache treats "" as true in a section and `{{#note}}…{{/note}}` must show only
/// real notes.
enum TemplateEncoding {
    static func values(of model: some Encodable) -> [String: Any] {
        let node = TemplateNode()
        try? model.encode(to: TemplateEncoder(node: node))
        return (node.materialised() as? [String: Any]) ?? [:]
    }

    /// `canAssign` → `can_assign`, `dateID` → `date_id`, `caseIDs` → `case_ids`, `pageURLText` → `page_url_text`:
    /// a run of capitals is one word.
    static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, ch) in chars.enumerated() {
            if ch.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                let startsWord = previous.isLowercase || previous.isNumber
                // The last capital of a run starts a new word when a lower-case letter follows ("URLText"), but
                // not a plural "s" at the end ("IDs").
                let endsRun = previous.isUppercase && next?.isLowercase == true && !(next == "s" && i + 2 == chars.count)
                if startsWord || endsRun { out += "_" }
            }
            out += ch.lowercased()
        }
        return out
    }
}

/// A value being encoded: a dictionary, a list or a leaf; nested nodes are materialised at the end, so a nested
/// container can keep writing after its parent has stored it.
private final class TemplateNode {
    enum Content { case empty, dictionary([String: TemplateNode]), list([TemplateNode]), leaf(Any) }
    var content = Content.empty

    func materialised() -> Any? {
        switch content {
        case .empty: return nil
        case .leaf(let value): return value
        case .dictionary(let entries): return entries.compactMapValues { $0.materialised() }
        case .list(let items): return items.compactMap { $0.materialised() }
        }
    }

    func child(forKey key: String) -> TemplateNode {
        var entries: [String: TemplateNode] = [:]
        if case .dictionary(let existing) = content { entries = existing }
        let node = TemplateNode()
        entries[TemplateEncoding.snakeCase(key)] = node
        content = .dictionary(entries)
        return node
    }

    func appended() -> TemplateNode {
        var items: [TemplateNode] = []
        if case .list(let existing) = content { items = existing }
        let node = TemplateNode()
        items.append(node)
        content = .list(items)
        return node
    }

    func becomeDictionary() { if case .dictionary = content {} else { content = .dictionary([:]) } }
    func becomeList() { if case .list = content {} else { content = .list([]) } }

    /// Text, flags and numbers are leaves (empty text left out); anything else encodes itself into this node.
    func store(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        switch value {
        case let text as String: content = text.isEmpty ? .empty : .leaf(text)
        case let flag as Bool: content = .leaf(flag)
        case let number as Int: content = .leaf(number)
        case let number as Double: content = .leaf(number)
        default: try value.encode(to: TemplateEncoder(node: self, codingPath: codingPath))
        }
    }
}

private struct TemplateEncoder: Encoder {
    let node: TemplateNode
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeDictionary()
        return KeyedEncodingContainer(KeyedTemplateContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeList()
        return UnkeyedTemplateContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTemplateContainer(node: node, codingPath: codingPath) }
}

private struct KeyedTemplateContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TemplateNode
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) {}
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try node.child(forKey: key.stringValue).store(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue)
        child.becomeDictionary()
        return KeyedEncodingContainer(KeyedTemplateContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue)
        child.becomeList()
        return UnkeyedTemplateContainer(node: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { TemplateEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TemplateEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath) }
}

private struct UnkeyedTemplateContainer: UnkeyedEncodingContainer {
    let node: TemplateNode
    var codingPath: [any CodingKey]
    var count: Int { if case .list(let items) = node.content { items.count } else { 0 } }

    mutating func encodeNil() {}
    mutating func encode(_ value: some Encodable) throws { try node.appended().store(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appended()
        child.becomeDictionary()
        return KeyedEncodingContainer(KeyedTemplateContainer<NestedKey>(node: child, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appended()
        child.becomeList()
        return UnkeyedTemplateContainer(node: child, codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder { TemplateEncoder(node: node.appended(), codingPath: codingPath) }
}

private struct SingleTemplateContainer: SingleValueEncodingContainer {
    let node: TemplateNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() { node.content = .empty }
    mutating func encode(_ value: some Encodable) throws { try node.store(value, codingPath: codingPath) }
}
