import Foundation
import Sodium

/// The keys a running service holds in memory. Its description never shows key material.
public struct KeyRing: Sendable, CustomStringConvertible {
    public let masterKeys: [Int: SecretKey]
    public let indexKey: SecretKey
    public let signing: SigningKeyPair

    public init(masterKeys: [Int: SecretKey], indexKey: SecretKey, signing: SigningKeyPair) {
        precondition(!masterKeys.isEmpty)
        self.masterKeys = masterKeys
        self.indexKey = indexKey
        self.signing = signing
    }

    /// The version new per-case keys are wrapped with.
    public var currentMasterVersion: Int { masterKeys.keys.max()! }

    /// A key ring of fresh random keys, for tests and throwaway demos.
    public static func ephemeral() -> KeyRing {
        KeyRing(masterKeys: [1: AEAD.generateKey()], indexKey: SecretKey.random(count: GenericHash.keyLength),
                signing: .generate())
    }

    public var description: String {
        "KeyRing(master versions \(masterKeys.keys.sorted()), keys redacted)"
    }

    /// Wraps a per-case data key with the current master key. The associated data binds the wrapped key
    /// to its case and both key versions, so a wrapped key copied to another case does not open.
    func wrap(caseKey: SecretKey, caseID: String, dataKeyVersion: Int) throws -> (masterVersion: Int, wrapped: [UInt8]) {
        let version = currentMasterVersion
        let wrapped = try caseKey.withUnsafeBytes { bytes in
            try AEAD.seal(Array(bytes), key: masterKeys[version]!,
                          associatedData: Self.wrapAD(caseID: caseID, dataKeyVersion: dataKeyVersion, masterVersion: version))
        }
        return (version, wrapped)
    }

    func unwrap(_ wrapped: [UInt8], caseID: String, dataKeyVersion: Int, masterVersion: Int) throws -> SecretKey {
        guard let master = masterKeys[masterVersion] else {
            throw StoreError.keyUnavailable("master key version \(masterVersion) is not in the key directory")
        }
        var bytes: [UInt8]
        do {
            bytes = try AEAD.open(wrapped, key: master,
                                  associatedData: Self.wrapAD(caseID: caseID, dataKeyVersion: dataKeyVersion, masterVersion: masterVersion))
        } catch {
            throw StoreError.undecryptable(field: "case_key")
        }
        defer { Sodium.zero(&bytes) }
        return SecretKey(bytes: bytes)
    }

    static func wrapAD(caseID: String, dataKeyVersion: Int, masterVersion: Int) -> [UInt8] {
        Array("reconcile/case-key/v1\u{0}case=\(caseID)\u{0}dk=\(dataKeyVersion)\u{0}mk=\(masterVersion)".utf8)
    }

    /// Keyed BLAKE2b of a normalised contact value, so duplicates can be found without storing the value.
    public func blindIndex(_ normalised: String, kind: String) throws -> Data {
        Data(try GenericHash.hash(Array("\(kind)\u{0}\(normalised)".utf8), key: indexKey, length: 32))
    }
}
