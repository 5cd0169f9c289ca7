import Foundation
import ReconcileCore
import Sodium

/// Encrypts and decrypts one case's personal fields with its per-case data key (XChaCha20-Poly1305).
/// The associated data names the case id, the field and the data-key version, so a ciphertext moved
/// to another case or another field fails to open instead of showing the wrong family's words.
public struct CaseCipher: Sendable {
    public let caseID: CaseID
    public let dataKeyVersion: Int
    private let key: SecretKey

    /// Layout of a stored value: format byte, then AEAD output (nonce || ciphertext || tag).
    static let format: UInt8 = 1

    init(caseID: CaseID, dataKeyVersion: Int, key: SecretKey) {
        self.caseID = caseID
        self.dataKeyVersion = dataKeyVersion
        self.key = key
    }

    public func seal(_ plaintext: String, field: String) throws -> Data {
        var out = Data([Self.format])
        out.append(contentsOf: try AEAD.seal(Array(plaintext.utf8), key: key, associatedData: associatedData(field)))
        return out
    }

    public func open(_ stored: Data, field: String) throws -> String {
        guard stored.first == Self.format else { throw StoreError.undecryptable(field: field) }
        do {
            let plain = try AEAD.open(Array(stored.dropFirst()), key: key, associatedData: associatedData(field))
            guard let text = String(validating: plain, as: UTF8.self) else { throw StoreError.undecryptable(field: field) }
            return text
        } catch is SodiumError {
            throw StoreError.undecryptable(field: field)
        }
    }

    public func sealIfPresent(_ plaintext: String?, field: String) throws -> Data? {
        try plaintext.map { try seal($0, field: field) }
    }

    public func openIfPresent(_ stored: Data?, field: String) throws -> String? {
        try stored.map { try open($0, field: field) }
    }

    private func associatedData(_ field: String) -> [UInt8] {
        Array("reconcile/field/v1\u{0}case=\(caseID.rawValue)\u{0}field=\(field)\u{0}dk=\(dataKeyVersion)".utf8)
    }
}
