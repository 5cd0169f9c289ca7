import Foundation
import Sodium

/// A released report is signed over its exact bytes with the service's Ed25519 key, so anyone holding the
/// published public key can check that a downloaded file is what the partner released, unaltered.
public enum ReportSignature {
    /// Detached signature, base64 (what `GET .../signature` serves and `report verify` reads).
    public static func sign(_ document: [UInt8], with key: SigningKeyPair) -> String {
        Data(key.sign(document)).base64EncodedString()
    }

    /// True only when `signatureBase64` is a valid signature of exactly `document` by `publicKeyBase64`.
    /// Surrounding whitespace (a trailing newline in a downloaded file) is tolerated; nothing else is.
    public static func verify(_ document: [UInt8], signatureBase64: String, publicKeyBase64: String) -> Bool {
        guard let signature = Data(base64Encoded: signatureBase64.trimmingCharacters(in: .whitespacesAndNewlines)),
              let publicKey = Data(base64Encoded: publicKeyBase64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return false
        }
        return Signature.verify([UInt8](signature), message: document, publicKey: [UInt8](publicKey))
    }

    public static func publicKeyBase64(_ key: SigningKeyPair) -> String { Data(key.publicKey).base64EncodedString() }
}
