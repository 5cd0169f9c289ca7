import Foundation

/// Runs `independent_libsodium.py` (PyNaCl + hashlib), or another script beside it, with a JSON request and
/// returns its answer. Missing python3 or PyNaCl is a test failure, not a skip: the test command installs both.
enum IndependentReference {
    static func run(_ request: [String: Any], script name: String = "independent_libsodium.py") throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReferenceError(message: String(decoding: err, as: UTF8.self))
        }
        return answer
    }

    struct ReferenceError: Error, CustomStringConvertible {
        let message: String
        var description: String { "independent reference failed (is PyNaCl installed?): \(message)" }
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
    init(base64 string: String) { self = [UInt8](Data(base64Encoded: string) ?? Data()) }
}
