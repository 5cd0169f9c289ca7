import FuzzDriver

/// What every fuzz target shares: libFuzzer's driver, the input as bytes or text, and a property check whose
/// failure is a crash that libFuzzer records (with the input that caused it) like any other.
public enum Fuzz {
    public typealias Input = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// The target's `main`: libFuzzer's command line (corpus folders, -max_total_time=…) on `input`.
    public static func run(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ input: Input) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, input)
    }

    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// The input as text, or nil when it is not UTF-8 (targets whose parser only ever sees a Swift String).
    public static func text(_ start: UnsafePointer<UInt8>?, _ count: Int) -> String? {
        String(validating: bytes(start, count), as: UTF8.self)
    }

    public static func require(_ condition: Bool, _ property: @autoclosure () -> String,
                               file: StaticString = #fileID, line: UInt = #line) {
        if !condition { fatalError("property broken: \(property())", file: file, line: line) }
    }
}
