import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ReconcileReports
import Testing

/// The pieces under the spreadsheet: CRC-32 against its published check value, the stored ZIP read back by Python's
/// zipfile (an independent reader), and XML escaping fuzzed through libxml2 (Foundation's XMLParser).
@Suite struct ZipAndXMLTests {
    @Test func crc32MatchesItsCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926, "the CRC-32/ISO-HDLC check value")
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func aStoredZipOpensInAnotherReaderWithEveryCRCRight() throws {
        var zip = StoredZip()
        try zip.add("mimetype", Array("application/vnd.oasis.opendocument.spreadsheet".utf8))
        try zip.add("a/empty.txt", [])
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try zip.add("a/big.bin", big)
        let bytes = zip.bytes()
        // ODF: the first entry is `mimetype`, stored, its name at byte 30 and its content at byte 38.
        #expect(Array(bytes[30..<38]) == Array("mimetype".utf8))
        #expect(String(decoding: bytes[38..<84], as: UTF8.self) == "application/vnd.oasis.opendocument.spreadsheet")
        let out = try python("""
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(",".join(f"{i.filename}:{i.compress_type}:{i.file_size}:{sum(z.read(i)) * 7 + len(z.read(i))}" for i in z.infolist()))
            """, file: bytes)
        let check = { (data: [UInt8]) in data.reduce(0) { $0 + Int($1) } * 7 + data.count }
        let mime = Array("application/vnd.oasis.opendocument.spreadsheet".utf8)
        #expect(out == "mimetype:0:46:\(check(mime)),a/empty.txt:0:0:0,a/big.bin:0:70000:\(check(big))\n")
    }

    /// Random text from an alphabet of markup characters, every control character, the non-characters XML 1.0
    /// forbids, line separators and astral characters: escaped, wrapped in an element and parsed by libxml2, it
    /// reads back as itself with only the forbidden characters replaced.
    @Test func escapedTextParsesBackAsItselfForAnyInput() throws {
        let alphabet: [Unicode.Scalar] = Array("<>&\"'; =a1é".unicodeScalars) + (0...0x1F).compactMap(Unicode.Scalar.init)
            + ["\u{7F}", "\u{85}", "\u{2028}", "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "\u{1F600}", "\u{10FFFF}"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<400 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...40, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let input = String(text)
            let expected = String(String.UnicodeScalarView(input.unicodeScalars.map { XMLText.allowed($0) ? $0 : "\u{FFFD}" }))
            let document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\(XMLText.escaped(input))</a>"
            let reader = TextCollector()
            let parser = XMLParser(data: Data(document.utf8))
            parser.delegate = reader
            #expect(parser.parse(), "round \(round): \(input.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(reader.text == expected, "round \(round)")
        }
    }

    @Test func eachForbiddenCharacterIsReplacedAndMarkupEscaped() {
        #expect(XMLText.escaped("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&apos;")
        #expect(XMLText.escaped("x\u{0}y\u{8}\u{B}\u{C}\u{1F}\u{FFFE}") == "x\u{FFFD}y\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(XMLText.escaped("tab\tline\ncr\r") == "tab\tline\ncr&#13;")
    }
}

final class TextCollector: NSObject, XMLParserDelegate {
    var text = ""
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

/// Runs a Python program on `file` (written to a temporary path) and returns what it prints; a non-zero exit fails.
func python(_ program: String, file: [UInt8]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-py-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("input.bin")
    try Data(file).write(to: path)
    return try runPython(["-c", program, path.path])
}

func runPython(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 { Issue.record("python3 failed: \(String(decoding: err, as: UTF8.self))") }
    return String(decoding: out, as: UTF8.self)
}
