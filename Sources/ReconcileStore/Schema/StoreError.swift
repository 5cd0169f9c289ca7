/// Store failures. Messages name fields and ids, never personal values.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case keyUnavailable(String)
    case undecryptable(field: String)
    case caseNotFound
    case erased
    case integrity(String)

    public var description: String {
        switch self {
        case .keyUnavailable(let why): "key unavailable: \(why)"
        case .undecryptable(let field): "the stored value of \(field) could not be decrypted"
        case .caseNotFound: "no such case"
        case .erased: "the personal data of this case has been erased"
        case .integrity(let why): "integrity: \(why)"
        }
    }
}
