/// What every fuzz target shares: the input as bytes or text, and a property check whose failure is a crash
/// that libFuzzer records (with the input that caused it) like any other.
public enum Fuzz {
    public static func bytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// The input as text, or nil when it is not UTF-8 (targets whose parser only ever sees a Swift String).
    public static func text(_ start: UnsafeRawPointer, _ count: Int) -> String? {
        String(validating: bytes(start, count), as: UTF8.self)
    }

    public static func require(_ condition: Bool, _ property: @autoclosure () -> String,
                               file: StaticString = #fileID, line: UInt = #line) {
        if !condition { fatalError("property broken: \(property())", file: file, line: line) }
    }
}
