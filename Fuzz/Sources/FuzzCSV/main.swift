import FuzzSupport
@testable import ReconcileReports

// The report CSV's cell escaping (free-text themes reach it). Input: up to three cells separated by NUL. Beyond
// not crashing, read back by an independent RFC 4180 reader (the rules of Python's csv module with its
// default dialect): the row is exactly as many cells as written, each the text written, with an apostrophe
// before text a spreadsheet would run as a formula; and no cell read back starts with = + - @ TAB or CR
// unless it is a plain decimal number.
@_cdecl("FuzzCSV_main")
public func fuzzCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzCSV)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    let cells = text.split(separator: "\0", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
    let line = cells.map(ReportContent.csvField).joined(separator: ",") + "\r\n"
    guard let read = readRow(Array(line.unicodeScalars)) else {
        Fuzz.require(false, "the row is valid RFC 4180: \(line.debugDescription)")
        return 0
    }
    Fuzz.require(read.count == cells.count, "\(cells.count) cells written, \(read.count) read: \(line.debugDescription)")
    for (written, back) in zip(cells, read) {
        Fuzz.require(back == written || back == "'" + written, "cell reads back as written: \(written.debugDescription) → \(back.debugDescription)")
        if let first = back.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            Fuzz.require(isPlainNumber(back), "a cell a spreadsheet would run as a formula: \(back.debugDescription)")
        }
    }
    return 0
}

/// `-12`, `+3.5`, `1e5`: what a spreadsheet reads as a number, never as a formula.
private func isPlainNumber(_ text: String) -> Bool {
    var s = Substring(text)
    if s.first == "-" || s.first == "+" { s = s.dropFirst() }
    let mantissa = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
    guard mantissa.contains(where: \.isNumber), mantissa.filter({ $0 == "." }).count <= 1 else { return false }
    s = s.dropFirst(mantissa.count)
    guard !s.isEmpty else { return true }
    guard s.first == "e" || s.first == "E" else { return false }
    s = s.dropFirst()
    if s.first == "-" || s.first == "+" { s = s.dropFirst() }
    return !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber }
}

/// One CRLF-terminated record: quoted fields may hold anything, with `""` for a quote; unquoted fields hold no
/// comma, quote, CR or LF. Nil when the line is not exactly one such record.
private func readRow(_ s: [Unicode.Scalar]) -> [String]? {
    var fields: [String] = []
    var i = 0
    while true {
        var field = String.UnicodeScalarView()
        if i < s.count, s[i] == "\"" {
            i += 1
            while true {
                guard i < s.count else { return nil }
                if s[i] == "\"" {
                    if i + 1 < s.count, s[i + 1] == "\"" { field.append("\""); i += 2; continue }
                    i += 1
                    break
                }
                field.append(s[i])
                i += 1
            }
        } else {
            while i < s.count, !["," as Unicode.Scalar, "\"", "\r", "\n"].contains(s[i]) { field.append(s[i]); i += 1 }
        }
        fields.append(String(field))
        guard i < s.count else { return nil }
        if s[i] == "," { i += 1; continue }
        guard s[i] == "\r", i + 2 == s.count, s[i + 1] == "\n" else { return nil }
        return fields
    }
}
