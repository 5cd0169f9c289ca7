import Foundation
import Hummingbird
import ReconcileCore

/// Which catalogue (`Resources/messages`) a family's page is written in.
extension FamilyLanguage {
    /// The page's language: `?lang=` first (the visible switch), then the cookie that switch set, then the
    /// language the family's referral was made in (portal pages, so a new browser opens in it), then the
    /// browser's `Accept-Language`. Easy read is never guessed from a header: a family chooses it.
    static func choose(query: String?, cookie: String?, recorded: FamilyLanguage? = nil, acceptLanguage: String?) -> FamilyLanguage {
        if let query, let chosen = FamilyLanguage(rawValue: query) { return chosen }
        if let cookie, let chosen = FamilyLanguage(rawValue: cookie) { return chosen }
        if let recorded { return recorded }
        return fromAcceptLanguage(acceptLanguage) ?? .english
    }

    static func choose(_ request: Request, cookieName: String, recorded: FamilyLanguage? = nil) -> FamilyLanguage {
        choose(query: request.uri.queryParameters["lang"].map(String.init), cookie: request.cookies[cookieName]?.value,
               recorded: recorded, acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The most preferred language we have, by q-value (RFC 9110 §12.5.4); ties keep the header's order.
    static func fromAcceptLanguage(_ header: String?) -> FamilyLanguage? {
        guard let header, header.utf8.count <= 1_000 else { return nil }
        var ranked: [(tag: String, q: Double, order: Int)] = []
        for (order, part) in header.split(separator: ",").prefix(32).enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var q = 1.0
            for parameter in pieces.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 0
            }
            if q > 0 { ranked.append((tag, q, order)) }
        }
        ranked.sort { $0.q != $1.q ? $0.q > $1.q : $0.order < $1.order }
        for entry in ranked {
            let primary = entry.tag.split(separator: "-").first.map(String.init) ?? entry.tag
            if primary == "pl" { return .polish }
            if primary == "en" || primary == "*" { return .english }
        }
        return nil
    }
}
