import FuzzSupport
import ReconcileCore

// Case references as families type them (portal sign-in, staff search). Beyond not crashing: normalising is
// idempotent; a valid reference is exactly `RS-` and two groups of four from the alphabet, and is its own
// normal form; and a real reference typed in lower case with spaces anywhere normalises back to itself.
@_cdecl("FuzzReference_main")
public func fuzzReferenceMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzReference)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReference(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    if let typed = String(validating: bytes, as: UTF8.self) {
        let once = ReferenceFormat.normalise(typed)
        Fuzz.require(ReferenceFormat.normalise(once) == once, "normalise is idempotent: \(Array(typed.unicodeScalars))")
        Fuzz.require(!once.contains { $0.isWhitespace }, "no whitespace survives normalising")
        for candidate in [typed, once] where ReferenceFormat.isValid(candidate) {
            Fuzz.require(candidate.utf8.count == 12 && candidate.utf8.allSatisfy { $0 < 0x80 }, "a valid reference is 12 ASCII bytes")
            Fuzz.require(ReferenceFormat.normalise(candidate) == candidate, "a valid reference is its own normal form")
        }
    }
    // A real reference from eight input bytes, typed carelessly with the rest of the input deciding where spaces go.
    guard bytes.count >= 8 else { return 0 }
    let alphabet = ReferenceFormat.alphabet
    let groups = bytes.prefix(8).map { alphabet[Int($0) % alphabet.count] }
    let reference = "RS-" + String(groups[0..<4]) + "-" + String(groups[4..<8])
    Fuzz.require(ReferenceFormat.isValid(reference), "a made reference is valid: \(reference)")
    var typed = ""
    for (index, character) in reference.enumerated() {
        let noise = bytes.count > 8 + index ? bytes[8 + index] : 0
        typed += noise & 1 == 1 ? character.lowercased() : String(character)
        if noise & 2 == 2 { typed += [" ", "\t", "\u{00A0}", "\n"][Int(noise >> 2) & 3] }
    }
    Fuzz.require(ReferenceFormat.normalise(typed) == reference, "typed \(typed.debugDescription) normalises to \(reference)")
    return 0
}
