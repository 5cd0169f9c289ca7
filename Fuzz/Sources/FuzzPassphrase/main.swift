import Foundation
import FuzzSupport
@testable import ReconcileStore

// Passphrases as families type them. Beyond not crashing: normalising is idempotent and yields lower-case
// words joined by single hyphens (no hyphen first, last or doubled); and a real six-word passphrase typed with
// any case and any run of separators normalises back to exactly the passphrase that was issued.
@_cdecl("FuzzPassphrase_main")
public func fuzzPassphraseMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    Fuzz.run(argc, argv, fuzzPassphrase)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPassphrase(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    if let typed = String(validating: bytes, as: UTF8.self) {
        let once = Passphrase.normalise(typed)
        Fuzz.require(Passphrase.normalise(once) == once, "normalise is idempotent: \(Array(typed.unicodeScalars))")
        Fuzz.require(!once.hasPrefix("-") && !once.hasSuffix("-") && !once.contains("--"), "single inner hyphens only: \(once)")
    }
    guard bytes.count >= 12 else { return 0 }
    let words = (0..<6).map { PassphraseWords.all[(Int(bytes[2 * $0]) << 8 | Int(bytes[2 * $0 + 1])) % PassphraseWords.all.count] }
    let issued = words.joined(separator: "-")
    var typed = ""
    for (index, word) in words.enumerated() {
        let noise = bytes.count > 12 + index ? bytes[12 + index] : 0
        typed += noise & 1 == 1 ? word.uppercased() : noise & 2 == 2 ? word.capitalized : word
        typed += [" ", "-", "  ", " - ", ".", ",", "\t", "_"][Int(noise >> 2) & 7]
    }
    Fuzz.require(Passphrase.normalise(typed) == issued, "typed \(typed.debugDescription) normalises to \(issued)")
    return 0
}
