import Foundation

/// Loading: the defaults of `Settings` are encoded to a tree of sections, each file and then the environment is
/// laid over that tree, and the result is decoded back. So a setting exists exactly when `Settings` has the
/// property, an unknown key or a value of the wrong type is refused naming it, and nothing lists settings twice.
extension Settings {
    /// Loads settings from the given files (in order; each must exist unless listed in `optionalFiles`) and the
    /// environment.
    public static func load(
        files: [URL], optionalFiles: Set<URL> = [], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Settings {
        var tree = try defaultTree()
        for file in files {
            guard FileManager.default.fileExists(atPath: file.path) else {
                if optionalFiles.contains(file) { continue }
                throw SettingsError("configuration file not found: \(file.path)")
            }
            try lay(file: try Data(contentsOf: file), source: file.lastPathComponent, over: &tree)
        }
        try lay(environment: environment, over: &tree)
        let settings = try decode(tree)
        try settings.validate()
        return settings
    }

    /// Every setting as `section.key`, in the order of the sections and keys of the shipped file's tree.
    public static var names: [String] {
        guard let tree = try? defaultTree() else { return [] }
        return tree.keys.sorted().flatMap { section in tree[section, default: [:]].keys.sorted().map { "\(section).\($0)" } }
    }

    /// The environment variable that sets `section.key`.
    public static func environmentName(_ name: String) -> String {
        "RECONCILE_" + name.replacingOccurrences(of: ".", with: "_").uppercased()
    }

    typealias Tree = [String: [String: SettingValue]]

    static func defaultTree() throws -> Tree {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try JSONDecoder().decode(Tree.self, from: encoder.encode(Settings()))
    }

    private static func lay(file data: Data, source: String, over tree: inout Tree) throws {
        guard let root = try? JSONDecoder().decode([String: [String: SettingValue]].self, from: data) else {
            throw SettingsError("\(source): not a JSON object of sections")
        }
        for (section, body) in root {
            for (key, value) in body {
                guard let known = tree[section]?[key] else {
                    throw SettingsError("\(source): unknown setting \"\(section).\(key)\"")
                }
                guard value.hasSameKind(as: known) else {
                    throw SettingsError("\(source): setting \"\(section).\(key)\" has the wrong type")
                }
                tree[section, default: [:]][key] = value
            }
        }
    }

    private static func lay(environment: [String: String], over tree: inout Tree) throws {
        for (section, body) in tree {
            for (key, known) in body {
                let name = environmentName("\(section).\(key)")
                guard let raw = environment[name] else { continue }
                tree[section, default: [:]][key] = try known.parsing(raw, name: name)
            }
        }
    }

    private static func decode(_ tree: Tree) throws -> Settings {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Settings.self, from: JSONEncoder().encode(tree))
        } catch let DecodingError.dataCorrupted(context) {
            // Only a choice (an enum) can fail here: kinds were checked while laying the sources.
            let path = context.codingPath.map { snakeCased($0.stringValue) }.joined(separator: ".")
            throw SettingsError("\(path) \(context.debugDescription)")
        } catch {
            throw SettingsError("settings could not be read: \(error)")
        }
    }

    private static func snakeCased(_ name: String) -> String {
        name.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
    }
}

/// A setting's value as JSON holds it. Booleans and numbers with fractions are no setting's type.
enum SettingValue: Codable, Equatable {
    case int(Int), string(String), list([String]), other

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if (try? c.decode(Bool.self)) != nil { self = .other }
        else if let n = try? c.decode(Int.self) { self = .int(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let l = try? c.decode([String].self) { self = .list(l) }
        else { self = .other }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .list(let l): try c.encode(l)
        case .other: try c.encodeNil()
        }
    }

    func hasSameKind(as other: SettingValue) -> Bool {
        switch (self, other) {
        case (.int, .int), (.string, .string), (.list, .list): return true
        default: return false
        }
    }

    /// An environment value read as this setting's kind: whole numbers, text, or a comma-separated list.
    func parsing(_ raw: String, name: String) throws -> SettingValue {
        switch self {
        case .int, .other:
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                throw SettingsError("\(name) must be a whole number")
            }
            return .int(n)
        case .string: return .string(raw)
        case .list:
            return .list(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }
}

/// A setting with a fixed set of values; an unknown one is refused naming the values allowed.
public protocol SettingChoice: RawRepresentable<String>, CaseIterable {}

extension SettingChoice {
    static func choice(from decoder: any Decoder) throws -> Self {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "must be " + allCases.map(\.rawValue).joined(separator: ", ")))
        }
        return value
    }
}
